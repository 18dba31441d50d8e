// Trend queries against InfluxDB (InfluxQL over the `influx` package's queryRaw): raw readings from the `raw`
// retention policy, rollups from `longterm` (docs/influx-schema.md). Same answer shape as the local store.
import type { InfluxDB } from 'influx';
import type { TrendResolution, TrendSeries } from '../../contract/history.ts';
import { RP_LONGTERM, RP_RAW } from './influx-retention.ts';

/** InfluxQL string literal: single quotes, with `\` and `'` escaped. */
const lit = (s: string): string => `'${s.replace(/[\\']/g, '\\$&')}'`;

interface RawSeries {
  tags?: Record<string, string>;
  columns: string[];
  values: unknown[][];
}

export async function influxTrend(
  db: InfluxDB,
  database: string,
  siteId: string,
  pointKeys: readonly string[],
  from: number,
  to: number,
  resolution: TrendResolution,
): Promise<TrendSeries[]> {
  // A point key is `<deviceId>.<point>`; device ids have no dot (config schema), so the first dot splits them.
  const where = pointKeys
    .map((k) => {
      const dot = k.indexOf('.');
      return `("device" = ${lit(k.slice(0, dot))} AND "point" = ${lit(k.slice(dot + 1))})`;
    })
    .join(' OR ');
  const source = resolution === 'raw' ? `"${RP_RAW}"."reading"` : `"${RP_LONGTERM}"."reading_${resolution}"`;
  const fields = resolution === 'raw' ? '"value"' : '"mean", "min", "max"';
  const q = `SELECT ${fields} FROM ${source} WHERE "site" = ${lit(siteId)} AND (${where}) AND time >= ${Math.floor(from)}ms AND time < ${Math.floor(to)}ms GROUP BY "device", "point"`;
  const body = (await db.queryRaw(q, { database, precision: 'ms' })) as { results: { error?: string; series?: RawSeries[] }[] };
  const result = body.results[0];
  if (result?.error) throw new Error(`InfluxDB query failed: ${result.error}`);
  const byKey = new Map<string, RawSeries>();
  for (const s of result?.series ?? []) byKey.set(`${s.tags?.device}.${s.tags?.point}`, s);
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
