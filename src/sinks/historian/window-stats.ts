// Statistics of a time window per point (the shift report's min/max/mean), from the 1-minute rollups: min of
// the minutes' mins, max of their maxes, the count-weighted mean, the sum of counts, and the first minute with
// data. Each backend sums up its stored minutes (local-history.ts, influx-trends.ts); the minutes still open
// in memory (the one in progress) are added here, so a running shift is counted up to now.
import type { Rollup } from './rollup.ts';

/** What a backend sums up from the stored 1-minute rollups of one point in [from, to). */
export interface StoredMinutes {
  pointKey: string;
  min: number;
  max: number;
  /** Σ mean × count: the weighted mean is sum / count. */
  sum: number;
  count: number;
  /** Start of the first and of the last stored minute. */
  first: number;
  last: number;
}

export interface WindowStats {
  pointKey: string;
  min: number;
  max: number;
  mean: number;
  count: number;
  /** Start of the first minute with data in the window: a gap at the start stays visible. */
  since: number;
}

/**
 * Adds the open minutes to the stored ones, per point, in the order of `pointKeys`; points without data are
 * left out. An open minute is counted only after the last stored one: a minute written just before a crash and
 * restored from rollups-open.json (history.ts) is counted once.
 */
export function withOpenMinutes(pointKeys: readonly string[], stored: readonly StoredMinutes[], open: readonly Rollup[], from: number, to: number): WindowStats[] {
  const byKey = new Map(stored.map((s) => [s.pointKey, { ...s }]));
  const wanted = new Set(pointKeys);
  for (const m of open) {
    if (m.resolution !== '1m' || !wanted.has(m.pointKey) || m.start < from || m.start >= to) continue;
    const s = byKey.get(m.pointKey);
    if (!s) byKey.set(m.pointKey, { pointKey: m.pointKey, min: m.min, max: m.max, sum: m.mean * m.count, count: m.count, first: m.start, last: m.start });
    else if (m.start > s.last) {
      s.min = Math.min(s.min, m.min);
      s.max = Math.max(s.max, m.max);
      s.sum += m.mean * m.count;
      s.count += m.count;
      s.last = m.start;
    }
  }
  return pointKeys.flatMap((pointKey) => {
    const s = byKey.get(pointKey);
    return s && s.count > 0 ? [{ pointKey, min: s.min, max: s.max, mean: s.sum / s.count, count: s.count, since: s.first }] : [];
  });
}
