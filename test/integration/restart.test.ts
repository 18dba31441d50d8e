// Nothing lost on a crash (non-negotiable 3, A5): the gateway process is killed with SIGKILL while an
// alarm is unacknowledged; after a restart the duty log, the alarm state and the users are intact.
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
  it('kill -9 with an unacknowledged alarm: alarm, duty log and users survive', async () => {
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
    expect(logAfter.filter((e) => e.kind === 'gateway.started')).toHaveLength(2);

    // A graceful stop is logged.
    child!.kill('SIGTERM');
    const code = await new Promise((resolve) => child!.once('exit', resolve));
    expect(code).toBe(0);
  });
});
