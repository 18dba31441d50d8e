// Nothing lost on a crash (non-negotiable 3, A5): the gateway process is killed with SIGKILL while an
// alarm is unacknowledged; after a restart the duty log, the alarm state and the users are intact, and the
// duty log shows the crash and its blind period (L1, L6).
// This runs the real gateway as `npm start` does (the dist/ bundle with its start flags), as a user would.
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { routes, type AlarmView, type DutyLogEntryView } from '../../src/contract/api.ts';
import { api, login } from '../helpers/console-client.ts';
import { freePort } from '../helpers/ports.ts';
import { testSiteYaml } from '../helpers/gateway.ts';
import { waitFor } from '../helpers/wait.ts';
import { spawnGateway } from '../helpers/gateway-process.ts';

const dataDir = mkdtempSync(join(tmpdir(), 'rw-restart-'));
const configFile = join(dataDir, 'site.yaml');
let child: ChildProcess | undefined;

async function startProcess(httpPort: number): Promise<string> {
  const p = await spawnGateway(configFile, httpPort);
  child = p.child;
  return p.url;
}

afterAll(() => {
  child?.kill('SIGKILL');
  rmSync(dataDir, { recursive: true, force: true });
});

describe('restart safety', () => {
  it('kill -9 with an unacknowledged alarm: alarm, duty log and users survive; the restart logs the unclean stop (L1, L6)', async () => {
    const httpPort = await freePort();
    const controlPort = await freePort();
    const yaml = (await testSiteYaml({ dataDir })).replace('port: 0 }', `port: ${httpPort} }`) + `simulators: { controlPort: ${controlPort} }\n`;
    writeFileSync(configFile, yaml);

    const url = await startProcess(httpPort);
    const { cookie } = await login(url, 'duty', 'duty');
    const put = await fetch(`http://127.0.0.1:${controlPort}/devices/dist-b1-th1/points/temperature`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ value: 41.5 }),
    });
    expect(put.status).toBe(200);
    const open = await waitFor(async () => {
      const res = await api<AlarmView[]>(url, cookie, routes.alarms);
      return res.body.length === 2 ? res.body : null;
    }, 'two open alarms');
    const logBefore = (await api<DutyLogEntryView[]>(url, cookie, routes.dutyLog)).body;
    expect(logBefore.filter((e) => e.kind === 'alarm.raised')).toHaveLength(2);

    child!.kill('SIGKILL');
    await new Promise((resolve) => child!.once('exit', resolve));

    const url2 = await startProcess(httpPort);
    // Users intact: the same credentials work; the old session survived too.
    expect((await api(url2, cookie, routes.session)).status).toBe(200);
    const again = await login(url2, 'duty', 'duty');
    // The restarted simulator reads 26.5 °C again, so the alarms may already have returned to normal;
    // either way they are the same occurrences and still unacknowledged (ISA-18.2: B or D, never A).
    const after = (await api<AlarmView[]>(url2, again.cookie, routes.alarms)).body;
    expect(after.map((a) => a.id)).toEqual(open.map((a) => a.id));
    for (const a of after) {
      expect(['unack_active', 'rtn_unack']).toContain(a.state);
      expect(a.ackedBy).toBeNull();
    }
    const logAfter = (await api<DutyLogEntryView[]>(url2, again.cookie, `${routes.dutyLog}?limit=500`)).body;
    for (const e of logBefore) expect(logAfter).toContainEqual(e);
    // No gateway.stopped entry: the process was killed, and the log does not pretend otherwise.
    expect(logAfter.filter((e) => e.kind === 'gateway.stopped')).toHaveLength(0);
    const starts = logAfter.filter((e) => e.kind === 'gateway.started').sort((a, b) => a.id - b.id);
    expect(starts).toHaveLength(2);
    // L1/L6: the crash leaves a trace: the new start says the last run ended uncleanly and since when nothing
    // was watched (its last durable heartbeat, at or after the first start and before the second).
    const unclean = logAfter.filter((e) => e.kind === 'gateway.uncleanStop');
    expect(unclean).toHaveLength(1);
    expect(unclean[0]!.id).toBe(starts[1]!.id - 1);
    const lastSeenAt = Number(unclean[0]!.params['lastSeenAt']);
    expect(lastSeenAt).toBeGreaterThanOrEqual(starts[0]!.ts);
    expect(lastSeenAt).toBeLessThanOrEqual(starts[1]!.ts);
    expect(unclean[0]!.params['minutes']).toBe(Math.round((unclean[0]!.ts - lastSeenAt) / 60_000));

    // A graceful stop is logged, and the start after it finds nothing unclean.
    child!.kill('SIGTERM');
    const code = await new Promise((resolve) => child!.once('exit', resolve));
    expect(code).toBe(0);
    const url3 = await startProcess(httpPort);
    const third = await login(url3, 'duty', 'duty');
    const logThird = (await api<DutyLogEntryView[]>(url3, third.cookie, `${routes.dutyLog}?limit=500`)).body;
    expect(logThird.filter((e) => e.kind === 'gateway.started')).toHaveLength(3);
    expect(logThird.filter((e) => e.kind === 'gateway.uncleanStop')).toHaveLength(1);
    child!.kill('SIGTERM');
    await new Promise((resolve) => child!.once('exit', resolve));
  });
});
