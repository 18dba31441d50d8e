// Trend and window-statistics queries against InfluxDB (InfluxQL over the `influx` package's queryRaw): raw
// readings from the `raw` retention policy, rollups from `longterm` (docs/influx-schema.md). Same answer shape
// as the local store.
import type { InfluxDB } from 'influx';
import type { TrendResolution, TrendSeries } from '../../contract/history.ts';
import { RP_LONGTERM, RP_RAW } from './influx-retention.ts';
import type { StoredMinutes } from './window-stats.ts';

/** InfluxQL string literal: single quotes, with `\` and `'` escaped. */
const lit = (s: string): string => `'${s.replace(/[\\']/g, '\\$&')}'`;

interface RawSeries {
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
function pointsIn(siteId: string, pointKeys: readonly string[], from: number, to: number): string {
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
async function select({ db, database }: InfluxTarget, statements: readonly string[]): Promise<RawSeries[][]> {
  const body = (await db.queryRaw(statements.join('; '), { database, precision: 'ms', method: 'POST' })) as { results: { error?: string; series?: RawSeries[] }[] };
  return statements.map((_, i) => {
    const result = body.results[i];
    if (result?.error) throw new Error(`InfluxDB query failed: ${result.error}`);
    return result?.series ?? [];
  });
}

const bySeries = (series: readonly RawSeries[]): Map<string, RawSeries> => new Map(series.map((s) => [`${s.tags?.device}.${s.tags?.point}`, s]));

export async function influxTrend(target: InfluxTarget, pointKeys: readonly string[], from: number, to: number, resolution: TrendResolution): Promise<TrendSeries[]> {
  const source = resolution === 'raw' ? `"${RP_RAW}"."reading"` : `"${RP_LONGTERM}"."reading_${resolution}"`;
  const fields = resolution === 'raw' ? '"value"' : '"mean", "min", "max"';
  const [series] = await select(target, [`SELECT ${fields} FROM ${source} WHERE ${pointsIn(target.siteId, pointKeys, from, to)} GROUP BY "device", "point"`]);
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
 * The stored 1-minute rollups of [from, to) summed up per point (window-stats.ts), computed by InfluxDB: min of
 * mins, max of maxes, Σ mean × count through a subquery (InfluxQL has no arithmetic inside an aggregate), Σ count;
 * the times of the first and last minute from first() and last(), which alone return their point's time.
 */
export async function influxMinuteTotals(target: InfluxTarget, pointKeys: readonly string[], from: number, to: number): Promise<StoredMinutes[]> {
  const source = `"${RP_LONGTERM}"."reading_1m"`;
  const where = pointsIn(target.siteId, pointKeys, from, to);
  const [totals, firsts, lasts] = await select(target, [
    `SELECT min("min") AS "min", max("max") AS "max", sum("weighted") AS "sum", sum("count") AS "count" FROM (SELECT "min", "max", "mean" * "count" AS "weighted", "count" FROM ${source} WHERE ${where}) GROUP BY "device", "point"`,
    `SELECT first("count") FROM ${source} WHERE ${where} GROUP BY "device", "point"`,
    `SELECT last("count") FROM ${source} WHERE ${where} GROUP BY "device", "point"`,
  ]);
  const firstOf = bySeries(firsts!);
  const lastOf = bySeries(lasts!);
  const totalOf = bySeries(totals!);
  /** A column of the one row a series of aggregates has. */
  const cell = (s: RawSeries | undefined, column: string): number => Number(s?.values[0]?.[s.columns.indexOf(column)]);
  return pointKeys.flatMap((pointKey) => {
    const t = totalOf.get(pointKey);
    const count = cell(t, 'count');
    if (!(count > 0)) return [];
    return [{ pointKey, min: cell(t, 'min'), max: cell(t, 'max'), sum: cell(t, 'sum'), count, first: cell(firstOf.get(pointKey), 'time'), last: cell(lastOf.get(pointKey), 'time') }];
  });
}
