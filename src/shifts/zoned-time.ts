// Wall-clock arithmetic in the site's time zone with Intl only (no moment/luxon, no Temporal yet in Node 24
// without a flag). Shift times are local wall times (S2); instants are UTC milliseconds (L6: one standard
// clock in the records). The DST rules follow Temporal's "compatible" disambiguation:
//   - a wall time that does not exist (spring forward gap) moves forward by the gap's length;
//   - a wall time that exists twice (fall back overlap) is the earlier instant.

/** A calendar date in the site's zone. */
export interface LocalDate {
  y: number;
  m: number; // 1-12
  d: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** True when Intl knows the zone (config validation). */
export function isValidTimeZone(timeZone: string): boolean {
  try {
    formatter(timeZone);
    return true;
  } catch {
    return false;
  }
}

/** The wall-clock fields of an instant in a zone. */
export function wallClock(at: number, timeZone: string): LocalDate & { minutes: number; second: number } {
  const parts: Record<string, number> = {};
  for (const p of formatter(timeZone).formatToParts(new Date(at))) if (p.type !== 'literal') parts[p.type] = Number(p.value);
  return { y: parts.year!, m: parts.month!, d: parts.day!, minutes: parts.hour! * 60 + parts.minute!, second: parts.second! };
}

/** The zone's offset from UTC at an instant, in ms (Asia/Shanghai: +8 h). */
export function offsetAt(at: number, timeZone: string): number {
  const w = wallClock(at, timeZone);
  const asUtc = Date.UTC(w.y, w.m - 1, w.d, 0, w.minutes, w.second);
  return asUtc - (at - (((at % 1000) + 1000) % 1000));
}

/** The instant of a wall time (date + minutes after local midnight, may exceed 24 h) in a zone. */
export function zonedInstant(date: LocalDate, minutes: number, timeZone: string): number {
  const local = Date.UTC(date.y, date.m - 1, date.d, 0, minutes);
  // The offset a day before and a day after bracket any single transition (zones move at most once a day).
  const before = local - offsetAt(local - 86_400_000, timeZone);
  const after = local - offsetAt(local + 86_400_000, timeZone);
  const valid = [before, after].filter((t) => t + offsetAt(t, timeZone) === local);
  if (valid.length > 0) return Math.min(...valid); // overlap: the earlier instant
  return before; // gap: the old offset puts the wall time after the gap, shifted by its length
}

export function localDateOf(at: number, timeZone: string): LocalDate {
  const { y, m, d } = wallClock(at, timeZone);
  return { y, m, d };
}

export function addDays(date: LocalDate, days: number): LocalDate {
  const t = new Date(Date.UTC(date.y, date.m - 1, date.d + days));
  return { y: t.getUTCFullYear(), m: t.getUTCMonth() + 1, d: t.getUTCDate() };
}

export function formatDate(date: LocalDate): string {
  return `${date.y}-${String(date.m).padStart(2, '0')}-${String(date.d).padStart(2, '0')}`;
}

/** Parses YYYY-MM-DD (a real calendar date) or returns null. */
export function parseDate(text: string): LocalDate | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!m) return null;
  const date = { y: Number(m[1]), m: Number(m[2]), d: Number(m[3]) };
  return formatDate(addDays(date, 0)) === text ? date : null;
}

/** Parses HH:MM (00:00–23:59) into minutes after midnight, or null. */
export function parseTimeOfDay(text: string): number | null {
  const m = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(text);
  return m ? Number(m[1]) * 60 + Number(m[2]) : null;
}

/** Days in a month (m 1-12). */
export function daysInMonth(y: number, m: number): number {
  return new Date(Date.UTC(y, m, 0)).getUTCDate();
}

/**
 * "2026-11-23 10:05" in the site's time zone: how an instant is written into a duty-log entry's own text, so the
 * record reads in the one clock of the site (L6) whoever renders it.
 */
export function formatSiteMinute(at: number, timeZone: string): string {
  const w = wallClock(at, timeZone);
  return `${formatDate(w)} ${String(Math.floor(w.minutes / 60)).padStart(2, '0')}:${String(w.minutes % 60).padStart(2, '0')}`;
}
