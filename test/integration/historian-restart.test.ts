// Store-and-forward across a crash (issue 6): the gateway process (the `npm start` bundle) runs with InfluxDB down
// until its outbox holds many points, is killed with SIGKILL, InfluxDB comes back, the gateway restarts:
// the replay completes and every point that was in the outbox is in InfluxDB exactly once.
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterAll, describe, expect, it } from 'vitest';
import { routes, type HistorianStatusView } from '../../src/contract/api.ts';
import { OUTBOX_FILE } from '../../src/sinks/historian/outbox.ts';
import { api, login } from '../helpers/console-client.ts';
import { freePort } from '../helpers/ports.ts';
import { testSiteYaml } from '../helpers/gateway.ts';
import { waitFor } from '../helpers/wait.ts';
import { spawnGateway } from '../helpers/gateway-process.ts';
import { influxdAvailable, startInfluxd, type RunningInfluxd } from '../helpers/influxd.ts';
import { influxSelect } from '../helpers/influx-query.ts';
import { realPart } from '../helpers/real-parts.ts';

const influxPart = realPart('influxd', influxdAvailable(), 'apt-get install influxdb');
const dataDir = mkdtempSync(join(tmpdir(), 'rw-hist-restart-'));
const configFile = join(dataDir, 'site.yaml');
let child: ChildProcess | undefined;
let influxd: RunningInfluxd | undefined;

async function startProcess(httpPort: number): Promise<string> {
  const p = await spawnGateway(configFile, httpPort);
  child = p.child;
  return p.url;
}

afterAll(async () => {
  child?.kill('SIGKILL');
  await influxd?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe.skipIf(influxPart.skip)('historian outbox across kill -9 (real gateway process, real influxd)', () => {
  it('replays the whole outbox after a kill -9 and a restart: every point exactly once', { timeout: 180_000 }, async () => {
    influxd = await startInfluxd();
    await influxd.halt(); // InfluxDB is down from the start: everything goes to the outbox
    const httpPort = await freePort();
    const extra = `historian:\n  influx: { url: ${influxd.url}, database: rw_crash, batchSize: 500 }\n`;
    writeFileSync(configFile, (await testSiteYaml({ dataDir, extra })).replace('port: 0 }', `port: ${httpPort} }`));

    const url = await startProcess(httpPort);
    const { cookie } = await login(url, 'duty', 'duty');
    // Duty staff see the outage: the status says down and the outbox grows (2 points every 200 ms).
    const down = await waitFor(async () => {
      const s = (await api<HistorianStatusView>(url, cookie, routes.historianStatus)).body;
      // 80 in all, so that at least 60 of them are raw readings (the rest: minute rollups closing meanwhile).
      return s.state === 'down' && s.outboxPoints >= 80 ? s : null;
    }, 'an outbox of at least 80 points while InfluxDB is down', 60_000);
    expect(down.writeErrors).toBeGreaterThan(0);
    expect(down.oldestAgeMs).toBeGreaterThan(0);

    child!.kill('SIGKILL');
    await new Promise((resolve) => child!.once('exit', resolve));

    // What the killed process had committed to its outbox.
    const db = new DatabaseSync(join(dataDir, OUTBOX_FILE), { readOnly: true });
    const raw = db.prepare('SELECT ts, line FROM outbox WHERE kind = 0 ORDER BY id').all() as { ts: number; line: string }[];
    const total = (db.prepare('SELECT count(*) AS n FROM outbox').get() as { n: number }).n;
    db.close();
    expect(total).toBeGreaterThanOrEqual(down.outboxPoints); // all the status showed survived the kill -9
    expect(raw.length).toBeGreaterThanOrEqual(60);
    const first = raw[0]!.ts;
    const last = raw.at(-1)!.ts;

    await influxd.restart();
    const url2 = await startProcess(httpPort);
    const again = await login(url2, 'duty', 'duty');
    await waitFor(async () => {
      const s = (await api<HistorianStatusView>(url2, again.cookie, routes.historianStatus)).body;
      return s.state === 'ok' && s.written >= raw.length ? s : null;
    }, 'the replay to complete', 60_000);

    // InfluxDB was down during [first, last]: every point there came from the replayed outbox, once each.
    const rows = await influxSelect(influxd.url, 'rw_crash', `SELECT "quality", "point" FROM raw.reading WHERE time >= ${first}ms AND time <= ${last}ms`);
    expect(rows).toHaveLength(raw.length);
    const seen = new Set(rows.map((r) => `${String(r.point)}@${String(r.time)}`));
    expect(seen.size).toBe(raw.length);
    for (const p of raw) expect(seen.has(`${/point=(\w+)/.exec(p.line)?.[1]}@${p.ts}`)).toBe(true);

    child!.kill('SIGTERM');
    expect(await new Promise((resolve) => child!.once('exit', resolve))).toBe(0);
  });
});
