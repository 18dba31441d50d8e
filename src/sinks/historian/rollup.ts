// Roomwatch's own downsampling (docs/decisions.md): 1-minute and 1-hour rollups (min, max, mean, last, count)
// of every numeric point, computed at the edge from the readings as they arrive. The same rollups feed
// InfluxDB (measurements reading_1m / reading_1h in the long-term retention policy) and the local store,
// and they exist even while InfluxDB is down (the outbox keeps them when it drops raw points). L5: ≥ 2 years.
import type { Reading } from '../../core/reading.ts';

export type RollupResolution = '1m' | '1h';

export interface Rollup {
  resolution: RollupResolution;
  pointKey: string;
  roomId: string;
  deviceId: string;
  point: string;
  /** Start of the bucket (ms, aligned to the minute / hour in UTC). */
  start: number;
  min: number;
  max: number;
  mean: number;
  last: number;
  count: number;
}

export const MINUTE_MS = 60_000;
export const HOUR_MS = 3_600_000;

interface Bucket {
  r: Rollup;
  sum: number;
  lastTs: number;
}

/** A bucket is closed this long after its end even without a later reading, so a point that stops reporting
 *  still gets its last minute; a reading acquired before its bucket closed but arriving later is not folded in. */
const CLOSE_GRACE_MS = 5_000;

function open(resolution: RollupResolution, size: number, src: Omit<Rollup, 'resolution' | 'start' | 'count'>, ts: number, weight: number): Bucket {
  return {
    r: { ...src, resolution, start: Math.floor(ts / size) * size, count: weight },
    sum: src.mean * weight,
    lastTs: ts,
  };
}

function fold(b: Bucket, min: number, max: number, mean: number, last: number, count: number, ts: number): void {
  b.r.min = Math.min(b.r.min, min);
  b.r.max = Math.max(b.r.max, max);
  b.sum += mean * count;
  b.r.count += count;
  if (ts >= b.lastTs) {
    b.r.last = last;
    b.lastTs = ts;
  }
}

function close(b: Bucket): Rollup {
  return { ...b.r, mean: b.sum / b.r.count };
}

export interface Rollups {
  /** Folds readings in; returns the buckets they closed. Only good numeric (or boolean as 0/1) values count. */
  add(readings: readonly Reading[]): Rollup[];
  /** Closes every bucket whose end is CLOSE_GRACE_MS or more before `now`. */
  flush(now: number): Rollup[];
  /** The minutes still open (the one in progress, or one that ended less than CLOSE_GRACE_MS ago) as they
   *  stand, without closing them: statistics up to now add them to the stored rollups (window-stats.ts). */
  openMinutes(): Rollup[];
  /** The hours in progress as they stand, each with its open minutes folded in, without closing anything: the
   *  period reports and hourly trends of a running period count up to now (history.ts). */
  openHours(): Rollup[];
  /** The open buckets, to be saved across a restart (history.ts), and put back. */
  snapshot(): OpenBuckets;
  /** The same snapshot as JSON text in parts of at most `step` buckets, for a caller that yields to the event
   *  loop between parts (at 40,000 points one JSON.stringify of it was a long task that made poll cycles late,
   *  issue 17). The buckets are taken when the first part is asked for; one that has closed by the time its part
   *  is made is left out (its rollup has been sent). */
  snapshotParts(step: number): Generator<string>;
  restore(state: unknown): number;
}

/** A saved open bucket as one array (issue 17: an object per bucket made the file 2.6× larger and its JSON ~2.5×
 *  slower at 40,000 points, every flush): [pointKey, roomId, deviceId, point, start, min, max, last, count, sum, lastTs]. */
type SavedBucket = [string, string, string, string, number, number, number, number, number, number, number];

export interface OpenBuckets {
  version: 2;
  minutes: SavedBucket[];
  hours: SavedBucket[];
}

const save = (b: Bucket): SavedBucket => [b.r.pointKey, b.r.roomId, b.r.deviceId, b.r.point, b.r.start, b.r.min, b.r.max, b.r.last, b.r.count, b.sum, b.lastTs];

/** A bucket from either saved form: version 1 (objects, before issue 17) or version 2 (arrays); null if malformed. */
function load(resolution: RollupResolution, x: unknown): Bucket | null {
  if (Array.isArray(x)) {
    const [pointKey, roomId, deviceId, point, start, min, max, last, count, sum, lastTs] = x as unknown[];
    const strings = [pointKey, roomId, deviceId, point].every((v) => typeof v === 'string');
    const numbers = [start, min, max, last, count, sum, lastTs].every((v) => typeof v === 'number');
    if (x.length !== 11 || !strings || !numbers) return null;
    const r = { resolution, pointKey, roomId, deviceId, point, start, min, max, last, count, mean: (sum as number) / (count as number) } as Rollup;
    return { r, sum: sum as number, lastTs: lastTs as number };
  }
  const b = x as Bucket | null;
  const ok = typeof b?.sum === 'number' && typeof b.lastTs === 'number' && typeof b.r?.pointKey === 'string' && typeof b.r.start === 'number' &&
    typeof b.r.count === 'number' && b.r.resolution === resolution;
  return ok ? b : null;
}

export function createRollups(): Rollups {
  const minutes = new Map<string, Bucket>();
  const hours = new Map<string, Bucket>();

  const intoHour = (m: Rollup, out: Rollup[]): void => {
    const h = hours.get(m.pointKey);
    if (h && m.start >= h.r.start + HOUR_MS) {
      out.push(close(h));
      hours.delete(m.pointKey);
    }
    let cur = hours.get(m.pointKey);
    if (!cur) hours.set(m.pointKey, (cur = open('1h', HOUR_MS, m, m.start, m.count)));
    else if (m.start >= cur.r.start) fold(cur, m.min, m.max, m.mean, m.last, m.count, m.start);
    // The hour's last minute has closed: the hour is complete.
    if (m.start + MINUTE_MS >= cur.r.start + HOUR_MS) {
      out.push(close(cur));
      hours.delete(m.pointKey);
    }
  };

  const closeMinute = (b: Bucket, out: Rollup[]): void => {
    const m = close(b);
    out.push(m);
    intoHour(m, out);
  };

  return {
    add(readings) {
      const out: Rollup[] = [];
      for (const r of readings) {
        if (r.quality !== 'good' || r.value === null) continue;
        const v = typeof r.value === 'boolean' ? (r.value ? 1 : 0) : r.value;
        if (!Number.isFinite(v)) continue;
        let b = minutes.get(r.pointKey);
        if (b && r.ts >= b.r.start + MINUTE_MS) {
          closeMinute(b, out);
          minutes.delete(r.pointKey);
          b = undefined;
        }
        if (!b) {
          const src = { pointKey: r.pointKey, roomId: r.roomId, deviceId: r.deviceId, point: r.point, min: v, max: v, mean: v, last: v };
          minutes.set(r.pointKey, open('1m', MINUTE_MS, src, r.ts, 1));
        } else if (r.ts >= b.r.start) fold(b, v, v, v, v, 1, r.ts);
      }
      return out;
    },
    flush(now) {
      const out: Rollup[] = [];
      // By value, not [key, bucket] entries: an array per bucket every flush at 40,000 points (issue 17).
      for (const b of minutes.values()) {
        if (b.r.start + MINUTE_MS + CLOSE_GRACE_MS > now) continue;
        closeMinute(b, out);
        minutes.delete(b.r.pointKey);
      }
      for (const b of hours.values()) {
        const key = b.r.pointKey;
        // An hour closes only once its last minute has closed too.
        if (b.r.start + HOUR_MS + CLOSE_GRACE_MS > now || minutes.get(key)?.r.start === b.r.start + HOUR_MS - MINUTE_MS) continue;
        out.push(close(b));
        hours.delete(key);
      }
      return out;
    },
    openMinutes() {
      return [...minutes.values()].map(close);
    },
    openHours() {
      // Copies: the open buckets go on as they are. A minute folds into its own hour (the previous hour may still
      // be open while the next hour's first minute is).
      const byHour = new Map<string, Bucket>([...hours.values()].map((b) => [`${b.r.pointKey}@${b.r.start}`, { ...b, r: { ...b.r } }]));
      for (const b of minutes.values()) {
        const m = close(b);
        const key = `${m.pointKey}@${Math.floor(m.start / HOUR_MS) * HOUR_MS}`;
        const h = byHour.get(key);
        if (h) fold(h, m.min, m.max, m.mean, m.last, m.count, m.start);
        else byHour.set(key, open('1h', HOUR_MS, m, m.start, m.count));
      }
      return [...byHour.values()].map(close);
    },
    snapshot() {
      return { version: 2, minutes: [...minutes.values()].map(save), hours: [...hours.values()].map(save) };
    },
    *snapshotParts(step) {
      const lists = [[[...minutes.values()], minutes], [[...hours.values()], hours]] as const;
      yield '{"version":2,"minutes":[';
      for (const [list, map] of lists) {
        if (map === hours) yield '],"hours":[';
        let first = true;
        for (let i = 0; i < list.length; i += step) {
          const part = list.slice(i, i + step).filter((b) => map.get(b.r.pointKey) === b).map(save);
          if (part.length === 0) continue;
          const text = JSON.stringify(part);
          yield `${first ? '' : ','}${text.slice(1, -1)}`;
          first = false;
        }
      }
      yield ']}';
    },
    restore(state) {
      const s = state as { version?: unknown; minutes?: unknown; hours?: unknown } | null;
      if ((s?.version !== 1 && s?.version !== 2) || !Array.isArray(s.minutes) || !Array.isArray(s.hours)) return 0;
      let n = 0;
      for (const [list, map, resolution] of [[s.minutes, minutes, '1m'], [s.hours, hours, '1h']] as const) {
        for (const x of list) {
          const b = load(resolution, x);
          if (!b || map.has(b.r.pointKey)) continue;
          map.set(b.r.pointKey, b);
          n++;
        }
      }
      return n;
    },
  };
}
