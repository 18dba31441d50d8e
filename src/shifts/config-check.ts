// Cross-checks of the shift config the schema cannot express; problems are reported with their path
// through the config loader (file, line, path, what is wrong).
import type { ShiftConfig } from './config-schema.ts';
import { inSeason } from './shift-plan.ts';
import { addDays, isValidTimeZone, parseTimeOfDay } from './zoned-time.ts';

type At = (path: string, message: string) => void;

export function checkShiftConfig(timeZone: string | undefined, shifts: readonly ShiftConfig[] | undefined, at: At): void {
  if (timeZone !== undefined && !isValidTimeZone(timeZone)) at('/site/timezone', `unknown time zone "${timeZone}" (an IANA name such as Asia/Shanghai or Europe/Berlin)`);
  const seen = new Set<string>();
  (shifts ?? []).forEach((s, i) => {
    if (seen.has(s.id)) at(`/shifts/${i}/id`, `shift id "${s.id}" is used twice`);
    seen.add(s.id);
    if (s.start === s.end) at(`/shifts/${i}/end`, 'a shift cannot end when it starts');
    const seasons = s.seasons ?? [];
    seasons.forEach((season, j) => {
      for (const key of ['from', 'to'] as const) {
        const [m, d] = season[key].split('-').map(Number) as [number, number];
        // 2024 is a leap year: 02-29 is a valid season bound.
        if (new Date(Date.UTC(2024, m - 1, d)).getUTCDate() !== d) at(`/shifts/${i}/seasons/${j}/${key}`, `no such day "${season[key]}"`);
      }
      const start = parseTimeOfDay(season.start ?? s.start);
      if (start !== null && start === parseTimeOfDay(season.end ?? s.end)) at(`/shifts/${i}/seasons/${j}`, 'a shift cannot end when it starts');
    });
    // Each day of the year may fall in one season at most, or the shift's hours would be ambiguous.
    let day = { y: 2024, m: 1, d: 1 };
    for (let n = 0; n < 366; n++, day = addDays(day, 1)) {
      const hits = seasons.flatMap((season, j) => (inSeason(season, day) ? [j] : []));
      if (hits.length > 1) {
        at(`/shifts/${i}/seasons/${hits[1]}`, `overlaps season ${hits[0]} on ${String(day.m).padStart(2, '0')}-${String(day.d).padStart(2, '0')}`);
        break;
      }
    }
  });
}
