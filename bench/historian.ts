// `npm run bench -- historian [--points 400000]`: the historian against one real influxd started here (issue 6).
// (a) raw line-protocol HTTP writes in batches of 5,000: the ceiling; (b) Roomwatch's writer (serialization +
// durable outbox + HTTP) at a steady 10,000 points/s: CPU share of one core; (c) outbox replay after an
// outage, as points/s and ratio to (a); then trend queries (24 h and a month of 1-minute rollups, 10 points)
// against both backends. CPU and RSS are this process's (the gateway's side); influxd runs apart.
import { request, Agent } from 'node:http';
import { silentLogger } from '../src/core/logger.ts';
import type { Reading } from '../src/core/reading.ts';
import { createHistory, type History } from '../src/sinks/historian/history.ts';
import { createInfluxHistorian } from '../src/sinks/historian/influx-historian.ts';
import { RETENTION_DEFAULTS } from '../src/sinks/historian/influx-retention.ts';
import { openLocalHistory } from '../src/sinks/historian/local-history.ts';
import type { Rollup } from '../src/sinks/historian/rollup.ts';
import type { SiteConfig } from '../src/config/schema.ts';
import { historianSite, numberArg, tempDirs } from './lib/historian-bench.ts';
import { startInfluxd } from '../test/helpers/influxd.ts';
import { cpuMeter, report, rssMiB, summarize } from './lib/report.ts';

const clock = { now: () => Date.now() };
const POINTS = 10; // points of a room, as in the trend targets

function reading(i: number, ts: number): Reading {
  const p = i % 100;
  return { pointKey: `dev${p % 20}.p${p}`, roomId: 'room-b1', deviceId: `dev${p % 20}`, point: `p${p}`, value: 20 + (i % 97) / 10, unit: '', quality: 'good', ts };
}

const agent = new Agent({ keepAlive: true, maxSockets: 1 });
function post(url: string, path: string, body: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}${path}`, { method: 'POST', agent }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
async function until(cond: () => boolean, timeoutMs = 120_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out');
    await sleep(5);
  }
}

export async function main(): Promise<void> {
  const n = numberArg('points', 400_000);
  const influxd = await startInfluxd();
  const dirs = tempDirs('rw-bench-hist-');
  const tmp = dirs.make;
  try {
    const t0 = Date.now() - 86_400_000;
    await fetch(`${influxd.url}/query?q=${encodeURIComponent('CREATE DATABASE bench_raw')}`, { method: 'POST' });

    // (a) The ceiling: pre-built line protocol, batches of 5,000, one connection.
    const lines = Array.from({ length: n }, (_, i) => `reading,device=dev${i % 20},point=p${i % 100},room=room-b1,site=bench value=${20 + (i % 97) / 10},quality="good" ${t0 + Math.floor(i / 100) * 10}`);
    const bodies: string[] = [];
    for (let i = 0; i < n; i += 5000) bodies.push(lines.slice(i, i + 5000).join('\n'));
    let m = cpuMeter();
    const lat: number[] = [];
    for (const b of bodies) {
      const s = performance.now();
      const status = await post(influxd.url, '/write?db=bench_raw&precision=ms', b);
      lat.push(performance.now() - s);
      if (status !== 204) throw new Error(`raw write answered ${status}`);
    }
    let r = m.stop();
    const ceiling = n / (r.wallMs / 1000);
    report('historian (a) raw line protocol, batches of 5,000', { points: n, 'points/s': ceiling, 'cpu share of one core (client)': r.coreShare }, summarize(lat));

    // (b) Roomwatch's writer at 10,000 points/s for 10 s: readings → line protocol → outbox → InfluxDB.
    const writer = createInfluxHistorian({
      config: { url: influxd.url, database: 'bench_writer' }, retention: RETENTION_DEFAULTS, siteId: 'bench', dataDir: tmp(), logger: silentLogger, clock,
    });
    await writer.start();
    const rate = 10_000;
    const seconds = 10;
    m = cpuMeter();
    const start = Date.now();
    let sent = 0;
    for (let tick = 1; tick <= seconds * 10; tick++) {
      const batch: Reading[] = [];
      for (let k = 0; k < rate / 10; k++, sent++) batch.push(reading(sent, t0 + sent));
      writer.writeReadings(batch);
      await sleep(Math.max(0, start + tick * 100 - Date.now()));
    }
    await until(() => writer.status().outboxPoints === 0);
    r = m.stop();
    report('historian (b) Roomwatch writer at steady state (target 10,000 points/s under 25 % of one core)', {
      points: sent, 'offered points/s': rate, 'achieved points/s': sent / (r.wallMs / 1000), 'cpu share of one core': r.coreShare, 'ratio to (a)': sent / (r.wallMs / 1000) / ceiling,
    });
    await writer.stop();

    // (c) Outage: points pile up in the outbox (InfluxDB unreachable), then replay against influxd.
    const dir = tmp();
    const down = createInfluxHistorian({
      config: { url: 'http://127.0.0.1:9', database: 'bench_replay' }, retention: RETENTION_DEFAULTS, siteId: 'bench', dataDir: dir, logger: silentLogger, clock,
    });
    await down.start();
    m = cpuMeter();
    for (let i = 0; i < n; i += 1000) down.writeReadings(Array.from({ length: Math.min(1000, n - i) }, (_, k) => reading(i + k, t0 + i + k)));
    r = m.stop();
    const appendRate = n / (r.wallMs / 1000);
    await down.stop();
    const up = createInfluxHistorian({
      config: { url: influxd.url, database: 'bench_replay' }, retention: RETENTION_DEFAULTS, siteId: 'bench', dataDir: dir, logger: silentLogger, clock,
    });
    m = cpuMeter();
    await up.start();
    await until(() => up.status().outboxPoints === 0);
    r = m.stop();
    const replay = n / (r.wallMs / 1000);
    report('historian (c) outbox replay after an outage (target ≥ 0.8 × (a))', {
      points: n, 'outbox append points/s (during outage)': appendRate, 'replay points/s': replay, 'ratio to (a)': replay / ceiling, 'cpu share of one core': r.coreShare,
    });
    await up.stop();

    // Trend queries, both backends: a month of 1-minute rollups of 10 points ending now.
    const now = Date.now();
    const monthStart = Math.floor((now - 30 * 86_400_000) / 60_000) * 60_000;
    const rollups: Rollup[] = [];
    for (let t = monthStart; t < now; t += 60_000) {
      for (let p = 0; p < POINTS; p++) rollups.push({ resolution: '1m', pointKey: `dev0.p${p}`, roomId: 'room-b1', deviceId: 'dev0', point: `p${p}`, start: t, min: 20, max: 25, mean: 22.5, last: 23, count: 6 });
    }
    const keys = Array.from({ length: POINTS }, (_, p) => `dev0.p${p}`);
    const config = (influx: boolean): SiteConfig => historianSite(influx ? { url: influxd.url, database: 'bench_trends' } : undefined);
    const localDir = tmp();
    const local = openLocalHistory(localDir, silentLogger, RETENTION_DEFAULTS);
    local.writeRollups(rollups);
    local.close();
    const ix = createInfluxHistorian({ config: config(true).historian!.influx!, retention: RETENTION_DEFAULTS, siteId: 'bench', dataDir: tmp(), logger: silentLogger, clock });
    await ix.start();
    for (let i = 0; i < rollups.length; i += 5000) ix.writeRollups(rollups.slice(i, i + 5000));
    await until(() => ix.status().outboxPoints === 0);
    await ix.stop();

    for (const [name, history] of [
      ['local SQLite', createHistory({ config: config(false), dataDir: localDir, logger: silentLogger, clock })],
      ['InfluxDB', createHistory({ config: config(true), dataDir: tmp(), logger: silentLogger, clock })],
    ] as [string, History][]) {
      await history.start();
      for (const [what, from, res, target] of [
        ['last 24 h of 10 points (auto: 1-minute rollups; target < 200 ms)', now - 86_400_000, 'auto', 200],
        ['a month of 1-minute rollups of 10 points (target < 1 s)', now - 30 * 86_400_000, '1m', 1000],
      ] as const) {
        const samples: number[] = [];
        let values = 0;
        for (let i = 0; i < 7; i++) {
          const s = performance.now();
          const v = await history.trend(keys, from, now, res);
          samples.push(performance.now() - s);
          values = v.series.reduce((a, x) => a + x.t.length, 0);
        }
        const sum = summarize(samples.slice(2)); // the first two warm caches
        report(`historian trend query, ${name}: ${what}`, { 'values returned': values, 'p50 ms': sum.p50, 'within target': sum.p50 < target ? 'yes' : 'NO' }, sum);
      }
      await history.stop();
    }
    console.log(`\nrss MiB at end: ${rssMiB().toFixed(1)}`);
  } finally {
    agent.destroy();
    await influxd.stop();
    dirs.removeAll();
  }
}
