// Numbers, ages and times as the duty team reads them. Times are in the site's timezone (L6: one standard clock).
import type { ReadingView } from '../../../src/contract/api.ts';
import { lang, tr } from './lang.ts';

/** A measured number: at most two decimals, no thousands separator games. */
export function formatNumber(value: number, precision?: number): string {
  const digits = precision === undefined ? { maximumFractionDigits: 2 } : { minimumFractionDigits: precision, maximumFractionDigits: precision };
  return new Intl.NumberFormat(lang(), { ...digits, useGrouping: false }).format(value);
}

/** A reading's value; with the profile's precision, 30.0 °C stays "30.0". */
export function formatValue(value: ReadingView['value'], precision?: number): string {
  if (value === null) return '—';
  if (typeof value === 'boolean') return tr(value ? 'point.valueTrue' : 'point.valueFalse');
  return formatNumber(value, precision);
}

/** Value with its unit, e.g. "41.5 °C". */
export function withUnit(value: number | string, unit: string): string {
  const text = typeof value === 'number' ? formatNumber(value) : value;
  return unit ? `${text} ${unit}` : text;
}

/** "3 s ago": how old the reading is, so a frozen number is never mistaken for a fresh one. */
export function formatAge(ts: number, now: number): string {
  const seconds = Math.max(0, Math.floor((now - ts) / 1000));
  if (seconds < 1) return tr('age.justNow');
  if (seconds < 120) return tr('age.seconds', { n: seconds });
  return longSpan(Math.floor(seconds / 60), 'age');
}

/** Minutes up to two hours, hours up to two days, then days: "{n} min ago" (age) or "{n} min" (clock.off). */
function longSpan(minutes: number, kind: 'age' | 'clock.off'): string {
  if (minutes < 120) return tr(`${kind}.minutes`, { n: minutes });
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return tr(`${kind}.hours`, { n: hours });
  return tr(`${kind}.days`, { n: Math.floor(hours / 24) });
}

/** The header's notice for a PC clock `offset` ms behind the gateway's (negative: ahead), see clock.ts. */
export function formatClockOffset(offset: number): string {
  return tr(offset > 0 ? 'clock.behind' : 'clock.ahead', { off: longSpan(Math.round(Math.abs(offset) / 60_000), 'clock.off') });
}

let timeZone: string | undefined;
const formatters = new Map<string, Intl.DateTimeFormat>();

/** Use the site's timezone for every time shown; an unknown zone falls back to the browser's. */
export function setTimeZone(zone: string): void {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    timeZone = zone;
  } catch {
    timeZone = undefined;
  }
  formatters.clear();
}

function formatter(kind: 'time' | 'dateTime'): Intl.DateTimeFormat {
  const key = `${lang()}|${kind}`;
  let f = formatters.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat(lang(), {
      timeZone,
      hourCycle: 'h23',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      // Month by name, in the language's order: "12月3日 16:05:09", "Dec 3, 16:05:09" (never the ambiguous "12/03").
      ...(kind === 'dateTime' ? { month: 'short', day: 'numeric' } : {}),
    });
    formatters.set(key, f);
  }
  return f;
}

/** The date in the site timezone at an instant, "2026-11-23": today's journal page, this month's roster. */
export function siteDate(ts: number): string {
  const parts = new Intl.DateTimeFormat('en', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).formatToParts(ts);
  const part = (type: string): string => parts.find((p) => p.type === type)?.value ?? '';
  return `${part('year')}-${part('month')}-${part('day')}`;
}

/** "11月23日 14:05:09" / "Nov 23, 14:05:09" in the site timezone. */
export function formatDateTime(ts: number): string {
  return formatter('dateTime').format(ts);
}

/** A site date "2026-12-03" as "12月3日" / "Dec 3" (with the year for a printed heading); a month "2026-12" as "2026年12月" / "December 2026". */
export function formatDay(date: string, withYear = false): string {
  const m = /^(\d{4})-(\d{2})(?:-(\d{2}))?$/.exec(date);
  if (!m) return date;
  const utc = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3] ?? 1));
  const opts: Intl.DateTimeFormatOptions = m[3] ? { month: 'short', day: 'numeric', ...(withYear ? { year: 'numeric' } : {}) } : { year: 'numeric', month: 'long' };
  return new Intl.DateTimeFormat(lang(), { ...opts, timeZone: 'UTC' }).format(utc);
}

export function formatClock(ts: number): string {
  return formatter('time').format(ts);
}

/** The site timezone's offset from UTC at an instant, in ms (from the zone's own wall-clock reading). */
function zoneOffset(ts: number): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(ts);
  const n = (type: string): number => Number(parts.find((p) => p.type === type)?.value ?? 0);
  return Date.UTC(n('year'), n('month') - 1, n('day'), n('hour'), n('minute'), n('second')) - Math.floor(ts / 1000) * 1000;
}

/**
 * A `datetime-local` value ("2026-11-23T17:30") read as site time (L6: one standard clock, not the browser's),
 * as epoch ms; null when empty or malformed. Two passes settle an offset that changes in between (DST).
 */
export function parseSiteDateTime(value: string): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/.exec(value);
  if (!m) return null;
  const wall = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]));
  if (Number.isNaN(wall)) return null;
  let ts = wall - zoneOffset(wall);
  ts = wall - zoneOffset(ts);
  return ts;
}
