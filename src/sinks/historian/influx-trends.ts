// Trend and window-statistics queries against InfluxDB (InfluxQL over the `influx` package's queryRaw): raw
// readings from the `raw` retention policy, rollups from `longterm` (docs/influx-schema.md). Same answer shape
// as the local store.
import type { InfluxDB } from 'influx';
import type { TrendResolution, TrendSeries } from '../../contract/history.ts';
import { RP_LONGTERM, RP_RAW } from './influx-retention.ts';
import type { StoredMinutes } from './window-stats.ts';

/** InfluxQL string literal: single quotes, with `\` and `'` escaped. */
const lit = (s: string): string => `'${s.replace(/[\\']/g, '\\$&')}'`;

export interface RawSeries {
  tags?: Record<string, string>;
  columns: string[];
  values: unknown[][];
}

/** Which InfluxDB and database to ask, for which site. */
export interface InfluxTarget {
  db: InfluxDB;
  database: string;
  siteId: string;
}

/** The WHERE clause of the given points of the site in [from, to). */
export function pointsIn(siteId: string, pointKeys: readonly string[], from: number, to: number): string {
  // A point key is `<deviceId>.<point>`; device ids have no dot (config schema), so the first dot splits them.
  const where = pointKeys
    .map((k) => {
      const dot = k.indexOf('.');
      return `("device" = ${lit(k.slice(0, dot))} AND "point" = ${lit(k.slice(dot + 1))})`;
    })
    .join(' OR ');
  return `"site" = ${lit(siteId)} AND (${where}) AND time >= ${Math.floor(from)}ms AND time < ${Math.floor(to)}ms`;
}

/** Runs the statements in one request (POST: the WHERE of hundreds of points is long); the series of each. */
export async function select({ db, database }: InfluxTarget, statements: readonly string[]): Promise<RawSeries[][]> {
  const body = (await db.queryRaw(statements.join('; '), { database, precision: 'ms', method: 'POST' })) as { results: { error?: string; series?: RawSeries[] }[] };
  return statements.map((_, i) => {
    const result = body.results[i];
    if (result?.error) throw new Error(`InfluxDB query failed: ${result.error}`);
    return result?.series ?? [];
  });
}

export const bySeries = (series: readonly RawSeries[]): Map<string, RawSeries> => new Map(series.map((s) => [`${s.tags?.device}.${s.tags?.point}`, s]));

/** The series of the points in [from, to), at most `limit` points each (the oldest). */
export async function influxTrend(target: InfluxTarget, pointKeys: readonly string[], from: number, to: number, resolution: TrendResolution, limit: number): Promise<TrendSeries[]> {
  const source = resolution === 'raw' ? `"${RP_RAW}"."reading"` : `"${RP_LONGTERM}"."reading_${resolution}"`;
  const fields = resolution === 'raw' ? '"value"' : '"mean", "min", "max"';
  // LIMIT applies per series (GROUP BY the point's tags).
  const [series] = await select(target, [`SELECT ${fields} FROM ${source} WHERE ${pointsIn(target.siteId, pointKeys, from, to)} GROUP BY "device", "point" LIMIT ${Math.floor(limit)}`]);
  const byKey = bySeries(series!);
  return pointKeys.map((pointKey) => {
    const s = byKey.get(pointKey);
    const col = (name: string): (number | null)[] => {
      const i = s?.columns.indexOf(name) ?? -1;
      return (s?.values ?? []).map((v) => (i >= 0 && typeof v[i] === 'number' ? (v[i] as number) : null));
    };
    const t = (s?.values ?? []).map((v) => Number(v[0]));
    if (resolution === 'raw') return { pointKey, t, value: col('value') };
    return { pointKey, t, value: col('mean'), min: col('min'), max: col('max') };
  });
}

/**
 * The stored 1-minute rollups of [from, to) summed up per point (window-stats.ts). InfluxQL has no arithmetic inside
 * an aggregate, and a subquery for Σ mean × count took 2 s for 500 points over a 9-hour shift (docs/benchmarks.md);
 * the window's rows of those points, summed up here, take a fraction of that.
 */
export async function influxMinuteTotals(target: InfluxTarget, pointKeys: readonly string[], from: number, to: number): Promise<StoredMinutes[]> {
  const [series] = await select(target, [`SELECT "min", "max", "mean", "count" FROM "${RP_LONGTERM}"."reading_1m" WHERE ${pointsIn(target.siteId, pointKeys, from, to)} GROUP BY "device", "point"`]);
  const byKey = bySeries(series!);
  return pointKeys.flatMap((pointKey) => {
    const s = byKey.get(pointKey);
    if (!s || s.values.length === 0) return [];
    const [t, mn, mx, mean, count] = ['time', 'min', 'max', 'mean', 'count'].map((c) => s.columns.indexOf(c)) as [number, number, number, number, number];
    const total: StoredMinutes = { pointKey, min: Infinity, max: -Infinity, sum: 0, count: 0, first: Infinity, last: -Infinity };
    for (const row of s.values) {
      const n = Number(row[count]);
      total.min = Math.min(total.min, Number(row[mn]));
      total.max = Math.max(total.max, Number(row[mx]));
      total.sum += Number(row[mean]) * n;
      total.count += n;
      total.first = Math.min(total.first, Number(row[t]));
      total.last = Math.max(total.last, Number(row[t]));
    }
    return total.count > 0 ? [total] : [];
  });
}
