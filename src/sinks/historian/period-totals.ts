// What the period reports (M1: week, month, half-year, year) ask of the history: the hourly rollups of many
// points over a long window (their daily min/max/mean in the site's time zone are summed up from these), and
// the minutes above a limit (exceedances). Same answers from both backends (test/integration/history-contract.test.ts);
// the InfluxDB side is here, the local store's in local-history.ts.
import { RP_LONGTERM } from './influx-retention.ts';
import { pointsIn, select, bySeries, type InfluxTarget } from './influx-trends.ts';

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
