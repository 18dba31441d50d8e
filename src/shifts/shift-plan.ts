// The site's shifts as instances in time: which shift is on at an instant, which shifts fall in a period.
// A shift instance is named by the local date it starts on and the shift id ("2026-11-23/night"); a
// night shift that starts on the 23rd and ends on the 24th belongs to the 23rd (S2).
import type { Localized, Role } from '../contract/api.ts';
import type { MinStaff, ShiftConfig, ShiftSeason } from './config-schema.ts';
import { addDays, daysInMonth, formatDate, localDateOf, parseDate, parseTimeOfDay, zonedInstant, type LocalDate } from './zoned-time.ts';

export interface ShiftInstance {
  /** `${date}/${shiftId}`: stable name of this occurrence. */
  key: string;
  date: string;
  shiftId: string;
  name: Localized;
  /** UTC ms; end is exclusive. */
  start: number;
  end: number;
  minStaff: MinStaff;
}

export interface ShiftPlan {
  readonly timeZone: string;
  readonly definitions: readonly ShiftConfig[];
  /** The occurrence of a shift starting on a local date, or null for an unknown shift or date. */
  instance(date: string, shiftId: string): ShiftInstance | null;
  /** Every occurrence overlapping [from, to), by start time. */
  shiftsBetween(from: number, to: number): ShiftInstance[];
  /** The occurrences running at an instant (noon duty may overlap the day shift), by start time. */
  currentShifts(at: number): ShiftInstance[];
  /** The occurrence that started last among those running at an instant, or null in a gap. */
  currentShift(at: number): ShiftInstance | null;
  /** Every occurrence starting on a local date of a month (`YYYY-MM`, a roster's month, S1), by start time. */
  monthShifts(month: string): ShiftInstance[];
}

const monthDay = (text: string): number => Number(text.slice(0, 2)) * 100 + Number(text.slice(3, 5));

/** Whether a date falls in a season (inclusive; wraps the year end when from > to, e.g. 11-01..03-31). */
export function inSeason(season: Pick<ShiftSeason, 'from' | 'to'>, date: LocalDate): boolean {
  const md = date.m * 100 + date.d;
  const from = monthDay(season.from);
  const to = monthDay(season.to);
  return from <= to ? md >= from && md <= to : md >= from || md <= to;
}

const byStart = (a: ShiftInstance, b: ShiftInstance): number => a.start - b.start || a.shiftId.localeCompare(b.shiftId);

export function createShiftPlan(definitions: readonly ShiftConfig[], timeZone: string): ShiftPlan {
  const byId = new Map(definitions.map((d) => [d.id, d]));

  const occurrence = (date: LocalDate, def: ShiftConfig): ShiftInstance => {
    const season = def.seasons?.find((s) => inSeason(s, date));
    const startMin = parseTimeOfDay(season?.start ?? def.start)!;
    let endMin = parseTimeOfDay(season?.end ?? def.end)!;
    if (endMin <= startMin) endMin += 24 * 60; // crosses midnight: ends on the next local day
    const day = formatDate(date);
    return {
      key: `${day}/${def.id}`,
      date: day,
      shiftId: def.id,
      name: def.name,
      start: zonedInstant(date, startMin, timeZone),
      end: zonedInstant(date, endMin, timeZone),
      minStaff: def.minStaff ?? {},
    };
  };

  const shiftsBetween = (from: number, to: number): ShiftInstance[] => {
    const found: ShiftInstance[] = [];
    // A shift starting the day before may still run; a local day is at most 25 h, so one day back suffices.
    let date = addDays(localDateOf(from, timeZone), -1);
    const last = formatDate(localDateOf(to, timeZone));
    for (;;) {
      for (const def of definitions) {
        const s = occurrence(date, def);
        if (s.start < to && s.end > from) found.push(s);
      }
      if (formatDate(date) >= last) break;
      date = addDays(date, 1);
    }
    return found.sort(byStart);
  };

  const currentShifts = (at: number): ShiftInstance[] => shiftsBetween(at, at + 1);

  return {
    timeZone,
    definitions,
    instance(date, shiftId) {
      const d = parseDate(date);
      const def = byId.get(shiftId);
      return d && def ? occurrence(d, def) : null;
    },
    shiftsBetween,
    currentShifts,
    currentShift: (at) => currentShifts(at).at(-1) ?? null,
    monthShifts(month) {
      const [y, m] = month.split('-').map(Number) as [number, number];
      const list: ShiftInstance[] = [];
      for (let d = 1; d <= daysInMonth(y, m); d++) for (const def of definitions) list.push(occurrence({ y, m, d }, def));
      return list.sort(byStart);
    },
  };
}

/** The people a shift needs per role (R2), as role → count, zero roles left out. */
export function requiredStaff(shift: ShiftInstance): [Role, number][] {
  return (Object.entries(shift.minStaff) as [Role, number | undefined][]).filter((e): e is [Role, number] => (e[1] ?? 0) > 0);
}
