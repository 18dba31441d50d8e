// The patrol rounds of a period as their own series (M1 with P1/P4): each reading taken on the rounds (a meter read
// off by hand, or a live point recorded with the round) per day of the site calendar with the period's figures and
// the previous period's; and each checklist item's answers, OK and not OK, with the days it was not OK.
import type { DatabaseSync } from 'node:sqlite';
import type { Figures, PatrolChecklistItemView, PatrolReadingSeriesView } from '../contract/period-report.ts';
import type { PatrolSchedule } from '../patrols/config-schema.ts';
import { formatDate, localDateOf } from '../shifts/zoned-time.ts';
import type { Period } from './period.ts';

interface RoundRow {
  ts: number;
  checklist: string;
  readings: string;
}

const figuresOf = (vs: readonly number[]): Figures => ({ min: Math.min(...vs), max: Math.max(...vs), mean: vs.reduce((a, b) => a + b, 0) / vs.length });

export function patrolSeriesOf(
  db: DatabaseSync, schedules: readonly PatrolSchedule[], period: Pick<Period, 'from'>, to: number, previous: Pick<Period, 'from' | 'to'>, timeZone: string,
): { patrolReadings: PatrolReadingSeriesView[]; patrolChecklist: PatrolChecklistItemView[] } {
  const rounds = db.prepare('SELECT ts, checklist, readings FROM patrol_rounds WHERE schedule_id = ? AND ts >= ? AND ts < ? ORDER BY ts, id');
  const patrolReadings: PatrolReadingSeriesView[] = [];
  const patrolChecklist: PatrolChecklistItemView[] = [];
  for (const s of schedules) {
    const rows = rounds.all(s.id, period.from, to) as unknown as RoundRow[];
    const numbersOf = (list: readonly RoundRow[]): Map<string, { ts: number; value: number }[]> => {
      const m = new Map<string, { ts: number; value: number }[]>();
      for (const r of list) {
        for (const [reading, value] of Object.entries(JSON.parse(r.readings) as Record<string, unknown>)) {
          if (typeof value !== 'number') continue; // a live point without a good value was recorded as null
          m.set(reading, [...(m.get(reading) ?? []), { ts: r.ts, value }]);
        }
      }
      return m;
    };
    const current = numbersOf(rows);
    const before = numbersOf(rounds.all(s.id, previous.from, previous.to) as unknown as RoundRow[]);
    // The schedule's readings in its order; a reading no longer configured but recorded in the period still shows.
    const configured = (s.readings ?? []).map((r) => ('point' in r ? { reading: r.point, name: null, unit: null } : { reading: r.id, name: r.name, unit: r.unit }));
    const readings = [...configured, ...[...current.keys()].filter((k) => !configured.some((c) => c.reading === k)).map((reading) => ({ reading, name: null, unit: null }))];
    for (const r of readings) {
      const values = current.get(r.reading) ?? [];
      if (values.length === 0) continue;
      const byDay = new Map<string, number[]>();
      for (const v of values) {
        const date = formatDate(localDateOf(v.ts, timeZone));
        byDay.set(date, [...(byDay.get(date) ?? []), v.value]);
      }
      const prev = before.get(r.reading)?.map((v) => v.value) ?? [];
      patrolReadings.push({
        scheduleId: s.id, scheduleName: s.name, roomId: s.room, ...r, count: values.length, ...figuresOf(values.map((v) => v.value)),
        days: [...byDay].map(([date, vs]) => ({ date, count: vs.length, ...figuresOf(vs) })),
        previous: prev.length ? figuresOf(prev) : null,
      });
    }
    const answers = rows.map((r) => ({ date: formatDate(localDateOf(r.ts, timeZone)), checklist: JSON.parse(r.checklist) as Record<string, unknown> }));
    for (const item of s.checklist) {
      const answered = answers.filter((a) => typeof a.checklist[item.id] === 'boolean');
      const failed = answered.filter((a) => a.checklist[item.id] === false);
      patrolChecklist.push({
        scheduleId: s.id, scheduleName: s.name, roomId: s.room, item: item.id, name: item.name,
        answered: answered.length, passed: answered.length - failed.length, failed: failed.length, failedDays: [...new Set(failed.map((a) => a.date))],
      });
    }
  }
  return { patrolReadings, patrolChecklist };
}
