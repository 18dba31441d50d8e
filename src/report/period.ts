// The periods of the supervisor's reviews (M1): weekly and monthly meetings, half-year and annual summaries. A
// period is named as people write it and bounded by midnights in the site's time zone (L6: instants are UTC):
//   2026-11 (a calendar month), 2026-W47 (an ISO week, Monday to Sunday), 2026-H2 (a half year), 2026 (a year).
import { addDays, localDateOf, zonedInstant, type LocalDate } from '../shifts/zoned-time.ts';

export type PeriodKind = 'week' | 'month' | 'halfYear' | 'year';

export interface Period {
  key: string;
  kind: PeriodKind;
  /** First day and the day after the last, in the site's zone. */
  first: LocalDate;
  end: LocalDate;
  /** [from, to) in UTC ms. */
  from: number;
  to: number;
  /** The period of the same kind just before (the comparison column; the meeting plan carried over). */
  previousKey: string;
}

export const PERIOD_PATTERN = '^[0-9]{4}(-[0-9]{2}|-W[0-9]{2}|-H[12])?$';

const pad = (n: number): string => String(n).padStart(2, '0');

/** Monday of ISO week 1: the week with the year's first Thursday. */
function isoWeekOne(y: number): LocalDate {
  const jan4 = { y, m: 1, d: 4 };
  const weekday = (new Date(Date.UTC(y, 0, 4)).getUTCDay() + 6) % 7; // Monday 0
  return addDays(jan4, -weekday);
}

function isoWeekOf(date: LocalDate): { y: number; w: number } {
  const weekday = (new Date(Date.UTC(date.y, date.m - 1, date.d)).getUTCDay() + 6) % 7;
  const thursday = addDays(date, 3 - weekday);
  const one = isoWeekOne(thursday.y);
  const days = (Date.UTC(thursday.y, thursday.m - 1, thursday.d) - Date.UTC(one.y, one.m - 1, one.d)) / 86_400_000;
  return { y: thursday.y, w: Math.floor(days / 7) + 1 };
}

const dayNumber = (d: LocalDate): number => Date.UTC(d.y, d.m - 1, d.d) / 86_400_000;

/** Every day of [first, end). */
export function daysOf(p: Pick<Period, 'first' | 'end'>): LocalDate[] {
  const n = dayNumber(p.end) - dayNumber(p.first);
  return Array.from({ length: n }, (_, i) => addDays(p.first, i));
}

/** The period a key names, or null when the key is not one (or names no real week/month). */
export function parsePeriod(key: string, timeZone: string): Period | null {
  let m: RegExpExecArray | null;
  let kind: PeriodKind;
  let first: LocalDate;
  let end: LocalDate;
  let previousKey: string;
  if ((m = /^(\d{4})-(\d{2})$/.exec(key))) {
    const [y, mo] = [Number(m[1]), Number(m[2])];
    if (mo < 1 || mo > 12) return null;
    kind = 'month';
    first = { y, m: mo, d: 1 };
    end = mo === 12 ? { y: y + 1, m: 1, d: 1 } : { y, m: mo + 1, d: 1 };
    previousKey = mo === 1 ? `${y - 1}-12` : `${y}-${pad(mo - 1)}`;
  } else if ((m = /^(\d{4})-W(\d{2})$/.exec(key))) {
    const [y, w] = [Number(m[1]), Number(m[2])];
    first = addDays(isoWeekOne(y), (w - 1) * 7);
    if (w < 1 || isoWeekOf(first).y !== y) return null; // week 53 of a year with 52
    kind = 'week';
    end = addDays(first, 7);
    const prev = isoWeekOf(addDays(first, -7));
    previousKey = `${prev.y}-W${pad(prev.w)}`;
  } else if ((m = /^(\d{4})-H([12])$/.exec(key))) {
    const [y, h] = [Number(m[1]), Number(m[2])];
    kind = 'halfYear';
    first = { y, m: h === 1 ? 1 : 7, d: 1 };
    end = h === 1 ? { y, m: 7, d: 1 } : { y: y + 1, m: 1, d: 1 };
    previousKey = h === 1 ? `${y - 1}-H2` : `${y}-H1`;
  } else if ((m = /^(\d{4})$/.exec(key))) {
    const y = Number(m[1]);
    kind = 'year';
    first = { y, m: 1, d: 1 };
    end = { y: y + 1, m: 1, d: 1 };
    previousKey = String(y - 1);
  } else return null;
  return { key, kind, first, end, from: zonedInstant(first, 0, timeZone), to: zonedInstant(end, 0, timeZone), previousKey };
}

/** The key of the period of a kind that contains an instant (the console's default: this month). */
export function periodKeyAt(kind: PeriodKind, at: number, timeZone: string): string {
  const d = localDateOf(at, timeZone);
  if (kind === 'month') return `${d.y}-${pad(d.m)}`;
  if (kind === 'halfYear') return `${d.y}-H${d.m <= 6 ? 1 : 2}`;
  if (kind === 'year') return String(d.y);
  const w = isoWeekOf(d);
  return `${w.y}-W${pad(w.w)}`;
}

