// `npm run bench -- shift-report [--points 500] [--days 31]`: the shift report's readings (History.windowStats)
// over a month of 1-minute rollups of many points, on both backends (the local store, and one real influxd started
// here). The report asks for one 9-hour day shift of every point; the month around it must not make that slow
// (queried by point and by the shift's window only). Each query is run 7 times, the first two discarded.
import { silentLogger } from '../src/core/logger.ts';
import type { SiteConfig } from '../src/config/schema.ts';
import { createHistory, type History } from '../src/sinks/historian/history.ts';
import { createInfluxHistorian } from '../src/sinks/historian/influx-historian.ts';
import { RETENTION_DEFAULTS } from '../src/sinks/historian/influx-retention.ts';
import { openLocalHistory } from '../src/sinks/historian/local-history.ts';
import { MINUTE_MS, type Rollup } from '../src/sinks/historian/rollup.ts';
import { historianSite, numberArg, tempDirs } from './lib/historian-bench.ts';
import { startInfluxd } from '../test/helpers/influxd.ts';
import { report, summarize } from './lib/report.ts';

const DAY_MS = 86_400_000;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export async function main(): Promise<void> {
  const points = numberArg('points', 500);
  const days = numberArg('days', 31);
  const clock = { now: () => Date.now() };
  const now = Math.floor(Date.now() / MINUTE_MS) * MINUTE_MS;
  const monthStart = now - days * DAY_MS;
  const keys = Array.from({ length: points }, (_, p) => `dev${Math.floor(p / 10)}.p${p % 10}`);
  /** One day of 1-minute rollups of every point: the month is written a day at a time. */
  const dayOf = (dayStart: number): Rollup[] => {
    const out: Rollup[] = [];
    for (let t = dayStart; t < dayStart + DAY_MS && t < now; t += MINUTE_MS) {
      for (const k of keys) {
        const [deviceId, point] = k.split('.') as [string, string];
        out.push({ resolution: '1m', pointKey: k, roomId: 'room-b1', deviceId, point, start: t, min: 20, max: 25, mean: 22.5, last: 23, count: 6 });
      }
    }
    return out;
  };
  const influxd = await startInfluxd();
  const dirs = tempDirs('rw-bench-shift-');
  const tmp = dirs.make;
  try {
    const config = (influx: boolean): SiteConfig => historianSite(influx ? { url: influxd.url, database: 'bench_shift' } : undefined);
    const localDir = tmp();
    const local = openLocalHistory(localDir, silentLogger, RETENTION_DEFAULTS);
    const ix = createInfluxHistorian({ config: config(true).historian!.influx!, retention: RETENTION_DEFAULTS, siteId: 'bench', dataDir: tmp(), logger: silentLogger, clock });
    await ix.start();
    let written = 0;
    const t0 = performance.now();
    for (let d = monthStart; d < now; d += DAY_MS) {
      const rs = dayOf(d);
      local.writeRollups(rs);
      for (let i = 0; i < rs.length; i += 5000) ix.writeRollups(rs.slice(i, i + 5000));
      written += rs.length;
      while (ix.status().outboxPoints > 0) await sleep(20); // a day at a time: the outbox stays small
    }
    console.log(`wrote ${written} 1-minute rollups to each backend in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
    local.close();
    await ix.stop();

    // Yesterday's day shift (9 hours, 540 minutes), in the middle of the month.
    const from = now - DAY_MS;
    const to = from + 9 * 3_600_000;
    for (const [name, history] of [
      ['local SQLite', createHistory({ config: config(false), dataDir: localDir, logger: silentLogger, clock })],
      ['InfluxDB', createHistory({ config: config(true), dataDir: tmp(), logger: silentLogger, clock })],
    ] as [string, History][]) {
      await history.start();
      const samples: number[] = [];
      let counted = 0;
      for (let i = 0; i < 7; i++) {
        const s = performance.now();
        const stats = await history.windowStats(keys, from, to);
        samples.push(performance.now() - s);
        counted = stats.reduce((a, x) => a + x.count / 6, 0);
      }
      const sum = summarize(samples.slice(2)); // the first two warm caches
      report(`shift report readings, ${name}: a 9-hour shift of ${points} points in ${days} days of 1-minute rollups`, { 'minutes summed up': counted, 'p50 ms': sum.p50 }, sum);
      await history.stop();
    }
  } finally {
    await influxd.stop();
    dirs.removeAll();
  }
}
