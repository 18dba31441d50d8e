// What the period reports (M1: week, month, half-year, year) ask of the history: the hourly rollups of many
// points over a long window (their daily min/max/mean in the site's time zone are summed up from these), and
// the minutes above a limit (exceedances). Same answers from both backends (test/integration/history-contract.test.ts);
// the InfluxDB side is here, the local store's in local-history.ts.
import { RP_LONGTERM } from './influx-retention.ts';
import { pointsIn, select, bySeries, type InfluxTarget } from './influx-trends.ts';
import type { Rollup } from './rollup.ts';

/** One stored 1-hour rollup: Σ mean × count is kept so days and months are weighted by count, as the shift report. */
export interface HourTotal {
  pointKey: string;
  /** Start of the hour (UTC-aligned). */
  start: number;
  min: number;
  max: number;
  sum: number;
  count: number;
}

/** A stored 1-minute rollup whose max was above the asked limit. */
export interface MinuteAbove {
  pointKey: string;
  start: number;
  max: number;
}

/** A point and the value its minutes are compared with (a high or highHigh limit). */
export interface AboveQuery {
  pointKey: string;
  above: number;
}

const column = (columns: string[], name: string): number => columns.indexOf(name);

export async function influxHourTotals(target: InfluxTarget, pointKeys: readonly string[], from: number, to: number): Promise<HourTotal[]> {
  const [series] = await select(target, [`SELECT "min", "max", "mean", "count" FROM "${RP_LONGTERM}"."reading_1h" WHERE ${pointsIn(target.siteId, pointKeys, from, to)} GROUP BY "device", "point"`]);
  const byKey = bySeries(series!);
  return pointKeys.flatMap((pointKey) => {
    const s = byKey.get(pointKey);
    if (!s) return [];
    const [t, mn, mx, mean, count] = ['time', 'min', 'max', 'mean', 'count'].map((c) => column(s.columns, c)) as [number, number, number, number, number];
    return s.values.map((row) => ({ pointKey, start: Number(row[t]), min: Number(row[mn]), max: Number(row[mx]), sum: Number(row[mean]) * Number(row[count]), count: Number(row[count]) }));
  });
}

/** One statement per point (each has its own limit), sent in one request. */
export async function influxMinutesAbove(target: InfluxTarget, queries: readonly AboveQuery[], from: number, to: number): Promise<MinuteAbove[]> {
  if (queries.length === 0) return [];
  const statements = queries.map((q) => `SELECT "max" FROM "${RP_LONGTERM}"."reading_1m" WHERE ${pointsIn(target.siteId, [q.pointKey], from, to)} AND "max" > ${q.above} GROUP BY "device", "point"`);
  const results = await select(target, statements);
  return queries.flatMap((q, i) => {
    const s = bySeries(results[i]!).get(q.pointKey);
    if (!s) return [];
    const [t, mx] = [column(s.columns, 'time'), column(s.columns, 'max')];
    return s.values.map((row) => ({ pointKey: q.pointKey, start: Number(row[t]), max: Number(row[mx]) }));
  });
}

/**
 * Adds the hours still open in memory (the hour in progress, with its open minute) to the stored ones, so a running
 * period is reported up to now (a new site's month is not empty until its first hour closes). Per point in the order
 * asked, in time order; an open hour already stored (restored after a crash, rollups-open.json) is counted once.
 */
export function withOpenHours(pointKeys: readonly string[], stored: readonly HourTotal[], open: readonly Rollup[], from: number, to: number): HourTotal[] {
  const byKey = new Map<string, HourTotal[]>(pointKeys.map((k) => [k, []]));
  for (const h of stored) byKey.get(h.pointKey)?.push(h);
  for (const h of open) {
    const list = byKey.get(h.pointKey);
    if (!list || h.resolution !== '1h' || h.start < from || h.start >= to || list.some((s) => s.start === h.start)) continue;
    list.push({ pointKey: h.pointKey, start: h.start, min: h.min, max: h.max, sum: h.mean * h.count, count: h.count });
  }
  return [...byKey.values()].flatMap((list) => list.sort((a, b) => a.start - b.start));
}

/** Adds the open minutes above each point's value to the stored ones (the minute in progress counts, once). */
export function withOpenMinutesAbove(queries: readonly AboveQuery[], stored: readonly MinuteAbove[], open: readonly Rollup[], from: number, to: number): MinuteAbove[] {
  const byKey = new Map<string, MinuteAbove[]>(queries.map((q) => [q.pointKey, []]));
  for (const m of stored) byKey.get(m.pointKey)?.push(m);
  for (const q of queries) {
    const list = byKey.get(q.pointKey)!;
    for (const m of open) {
      if (m.pointKey !== q.pointKey || m.resolution !== '1m' || m.start < from || m.start >= to || m.max <= q.above || list.some((s) => s.start === m.start)) continue;
      list.push({ pointKey: m.pointKey, start: m.start, max: m.max });
    }
  }
  return [...byKey.values()].flatMap((list) => list.sort((a, b) => a.start - b.start));
}
