// Line protocol for InfluxDB 1.x (https://docs.influxdata.com/influxdb/v1.8/write_protocols/line_protocol_reference/)
// of our measurements (docs/influx-schema.md). Serialization is on the hot path (10,000 points/s, issue 6): the
// tag part of a series never changes, so it is built once per point and cached.
import type { AlarmTransition } from '../../alarms/types.ts';
import type { Reading } from '../../core/reading.ts';
import type { Rollup } from './rollup.ts';

/**
 * Tag keys and values: escape comma, space, equals sign. A newline cannot be escaped, so it becomes a space.
 * InfluxDB 1.x keeps a backslash as it is before an ordinary character, but has no way to write one before a comma,
 * space or equals sign or at the end of a value: there it escapes the separator (`room\` then `,device=` would be one
 * tag) and a doubled `\\` is refused as "invalid tag format" (test/security/line-protocol.test.ts, real influxd).
 * Such backslashes become ⧵ (U+29F5 REVERSE SOLIDUS OPERATOR), which reads the same to a person.
 */
export function tag(s: string): string {
  return s.replace(/[\r\n]/g, ' ').replace(/\\+(?=[\r\n,= ]|$)/g, (run) => '\u29F5'.repeat(run.length)).replace(/[,= ]/g, '\\$&');
}

/**
 * String field values: double quotes around, with `"` and `\` escaped. Line protocol does not support a newline in
 * a field value (InfluxDB line protocol reference), so CR and LF are written as the two characters `\r` and `\n`.
 */
export function str(s: string): string {
  return `"${s.replace(/[\\"]/g, '\\$&').replace(/\n/g, '\\n').replace(/\r/g, '\\r')}"`;
}

/** Float field: no `i` suffix, so it is always a float; NaN and ±Infinity cannot be stored. */
function float(n: number): string | null {
  return Number.isFinite(n) ? String(n) : null;
}

/** Measurement and tags in key order (InfluxDB sorts them anyway; sorted input saves it the work). Empty
 *  values are left out: line protocol refuses them, and InfluxQL treats a missing tag as ''. */
function seriesKey(measurement: string, tags: Record<string, string>): string {
  let out = measurement;
  for (const key of Object.keys(tags).sort()) {
    const value = tags[key];
    if (value) out += `,${key}=${tag(value)}`;
  }
  return out;
}

function withFields(series: string, fields: Record<string, string | null>, ts: number): string {
  let out = series;
  let sep = ' ';
  for (const key in fields) {
    const value = fields[key];
    if (value === null || value === undefined) continue;
    out += `${sep}${key}=${value}`;
    sep = ',';
  }
  return `${out} ${Math.round(ts)}`;
}

/** What follows a reading's value: its quality field and the space before the time (`,quality=` is 9 characters,
 *  left off when there is no value). */
const QUALITY_TAIL: Readonly<Record<string, string>> = Object.fromEntries(['good', 'bad', 'comm_lost', 'stale'].map((q) => [q, `,quality=${str(q)} `]));

/** Builds lines for one site, caching each point's series key (bounded: one entry per configured point). */
export function lineWriter(siteId: string) {
  const series = new Map<string, string>();
  const seriesOf = (measurement: string, r: { pointKey: string; roomId: string; deviceId: string; point: string }): string => {
    const key = `${measurement}\n${r.pointKey}\n${r.roomId}`;
    let s = series.get(key);
    if (s === undefined) {
      s = seriesKey(measurement, { site: siteId, room: r.roomId, device: r.deviceId, point: r.point });
      series.set(key, s);
    }
    return s;
  };

  /** `reading`'s series per point key, looked up without building a key string per point (the hot path); the
   *  room is checked, since a reading's room is part of its series. `value` and `noValue`: the series with the
   *  field that follows it, so a line is three joins (issue 17: fewer intermediate strings per point). */
  const readingSeries = new Map<string, { roomId: string; value: string; noValue: string }>();
  /** The readings of one poll cycle share their acquisition time: its text is made once. */
  let lastTs = NaN;
  let lastTsText = '';

  return {
    /** `reading`: a boolean is stored as 1/0 in the same float field, so the field type never conflicts. */
    reading(r: Reading): string {
      const value = r.value === null ? null : typeof r.value === 'boolean' ? (r.value ? '1' : '0') : float(r.value);
      let cached = readingSeries.get(r.pointKey);
      if (cached?.roomId !== r.roomId) {
        const head = seriesOf('reading', r);
        readingSeries.set(r.pointKey, (cached = { roomId: r.roomId, value: `${head} value=`, noValue: `${head} quality=` }));
      }
      if (r.ts !== lastTs) {
        lastTs = r.ts;
        lastTsText = String(Math.round(r.ts));
      }
      const tail = QUALITY_TAIL[r.quality] ?? `,quality=${str(String(r.quality))} `;
      return value === null ? `${cached.noValue}${tail.slice(9)}${lastTsText}` : `${cached.value}${value}${tail}${lastTsText}`;
    },

    /** `reading_1m` / `reading_1h`: one point per closed bucket, at the bucket's start. */
    rollup(r: Rollup): string {
      return withFields(
        seriesOf(`reading_${r.resolution}`, r),
        { min: float(r.min), max: float(r.max), mean: float(r.mean), last: float(r.last), count: `${r.count}i` },
        r.start,
      );
    },

    /** `alarm`: one point per transition, at the transition's time. */
    alarm(t: AlarmTransition): string {
      const a = t.alarm;
      // AlarmView carries the point key `<deviceId>.<point>`; the tag is the point name alone, as in `reading`.
      const point = a.pointKey.startsWith(`${a.deviceId}.`) ? a.pointKey.slice(a.deviceId.length + 1) : a.pointKey;
      return withFields(
        seriesKey('alarm', { site: siteId, room: a.roomId, device: a.deviceId, point, condition: a.condition, priority: a.priority }),
        {
          event: str(t.kind),
          state: str(t.to),
          value: float(a.value),
          limit: float(a.limit),
          alarm_id: `${Math.trunc(a.id)}i`,
          user: str(t.username ?? ''),
        },
        t.ts,
      );
    },
  };
}

export type LineWriter = ReturnType<typeof lineWriter>;
