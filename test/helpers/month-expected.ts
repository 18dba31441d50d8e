// November's figures computed straight from the generated data (month-data.ts), with no code of the report: what
// the period report's page and CSV must show (issue 16: "checks the figures against values computed independently").
import { HUM, NOV, OCT, TEMP, humidityAt, operatingHoursAt, temperatureAt, type MonthRecords } from './month-data.ts';

const MIN = 60_000;

export interface Figures {
  min: number;
  max: number;
  mean: number;
}

function figures(values: number[]): Figures {
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  for (const v of values) {
    min = v < min ? v : min;
    max = v > max ? v : max;
    sum += v;
  }
  return { min, max, mean: sum / values.length };
}

const minutes = (from: number, to: number): number[] => Array.from({ length: (to - from) / MIN }, (_, i) => from + i * MIN);

export function pointFigures(point: typeof TEMP | typeof HUM, range: { from: number; to: number }): Figures {
  const f = point === TEMP ? temperatureAt : humidityAt;
  return figures(minutes(range.from, range.to).map(f));
}

/** Day `d` (1-based) of November, local. */
export const novemberDay = (point: typeof TEMP | typeof HUM, d: number): Figures => pointFigures(point, { from: NOV.from + (d - 1) * 86_400_000, to: NOV.from + d * 86_400_000 });
export const october = (point: typeof TEMP | typeof HUM): Figures => pointFigures(point, OCT);

export function exceedance(limit: number): { minutes: number; excursions: number; worst: number; worstAt: number } {
  const above = minutes(NOV.from, NOV.to).filter((t) => temperatureAt(t) > limit);
  let excursions = 0;
  let worst = -Infinity;
  let worstAt = 0;
  above.forEach((t, i) => {
    if (i === 0 || t - above[i - 1]! !== MIN) excursions++;
    if (temperatureAt(t) > worst) [worst, worstAt] = [temperatureAt(t), t];
  });
  return { minutes: above.length, excursions, worst, worstAt };
}

/** The value at rank ceil(p·n) of the sorted list (nearest rank), in seconds. */
function nearestRank(ms: number[], p: number): number | null {
  const s = [...ms].sort((a, b) => a - b);
  return s.length ? s[Math.ceil(p * s.length) - 1]! / 1000 : null;
}

export function alarmFigures(r: MonthRecords) {
  const buckets = new Map<number, number>();
  for (const a of r.alarms) buckets.set(Math.floor((a.raisedAt - NOV.from) / 600_000), (buckets.get(Math.floor((a.raisedAt - NOV.from) / 600_000)) ?? 0) + 1);
  const periods = (NOV.to - NOV.from) / 600_000;
  const peak = Math.max(...buckets.values());
  const counts = new Map<string, number>();
  for (const a of r.alarms) counts.set(`${a.pointKey} ${a.condition}`, (counts.get(`${a.pointKey} ${a.condition}`) ?? 0) + 1);
  const top = [...counts].sort((a, b) => b[1] - a[1])[0]!;
  const byPriority = (['critical', 'high', 'medium', 'low'] as const).map((priority) => {
    const mine = r.alarms.filter((a) => a.priority === priority);
    return { priority, count: mine.length, ackMedian: nearestRank(mine.map((a) => a.ackedAt - a.raisedAt), 0.5), ackP90: nearestRank(mine.map((a) => a.ackedAt - a.raisedAt), 0.9), clearMedian: nearestRank(mine.map((a) => a.clearedAt - a.raisedAt), 0.5), clearP90: nearestRank(mine.map((a) => a.clearedAt - a.raisedAt), 0.9) };
  });
  const escalations = [1, 2].map((level) => r.alarms.filter((a) => a.escalations.includes(level)).length);
  return {
    raised: r.alarms.length,
    periods,
    avg: r.alarms.length / periods,
    peak,
    floodPeriods: [...buckets.values()].filter((n) => n > 10).length,
    top: { key: top[0], count: top[1] },
    fleeting: r.alarms.filter((a) => a.returnedAt - a.raisedAt < 10_000).length,
    standing: r.alarms.filter((a) => a.returnedAt - a.raisedAt > 86_400_000).length,
    shelvedMinutes: r.shelves.reduce((s, x) => s + ((x.unshelvedAt ?? x.until) - x.at) / MIN, 0),
    outOfServiceMinutes: r.tags.reduce((s, x) => s + (x.untaggedAt - x.at) / MIN, 0),
    byPriority,
    escalations,
  };
}

export function pumpFigures(r: MonthRecords): { starts: number; runHours: number; counterHours: number } {
  return {
    counterHours: operatingHoursAt(NOV.to - MIN) - operatingHoursAt(NOV.from),
    starts: r.pumpRuns.filter(([on]) => on >= NOV.from && on < NOV.to).length,
    runHours: r.pumpRuns.reduce((h, [on, off]) => h + Math.max(0, Math.min(off, NOV.to) - Math.max(on, NOV.from)) / 3_600_000, 0),
  };
}

export function complianceFigures(r: MonthRecords) {
  const done = r.patrolSlots.filter((s) => s.round !== null);
  const meters = done.map((s) => s.meter);
  return {
    patrols: { due: r.patrolSlots.length, done: done.length, late: done.filter((s) => s.round! >= s.end).length, missed: r.patrolSlots.length - done.length, checklistFailed: done.filter((s) => s.failed).length },
    meter: figures(meters),
    handovers: {
      shifts: r.handovers.length,
      onTime: r.handovers.filter((h) => h.completed && !h.late).length,
      late: r.handovers.filter((h) => h.late).length,
      missing: r.handovers.filter((h) => !h.completed && !h.late).length,
      refused: r.refusals.length,
    },
    signed: 30 - r.unsignedDays.length,
  };
}

/** The Shanghai calendar date of an instant (UTC+8 all year). */
const shanghaiDate = (ts: number): string => new Date(ts + 8 * 3_600_000).toISOString().slice(0, 10);

/** The patrol rounds recorded in a range (by the round's time): the meter per day, and the checklist item's answers. */
export function patrolSeries(r: MonthRecords, range: { from: number; to: number }) {
  const rounds = r.patrolSlots.filter((s) => s.round !== null && s.round >= range.from && s.round < range.to);
  const days = new Map<string, number[]>();
  for (const s of rounds) days.set(shanghaiDate(s.round!), [...(days.get(shanghaiDate(s.round!)) ?? []), s.meter]);
  const failed = rounds.filter((s) => s.failed);
  return {
    meter: rounds.length ? { count: rounds.length, ...figures(rounds.map((s) => s.meter)) } : null,
    days: [...days].map(([date, meters]) => ({ date, count: meters.length, ...figures(meters) })),
    checklist: { answered: rounds.length, passed: rounds.length - failed.length, failed: failed.length, failedDays: [...new Set(failed.map((s) => shanghaiDate(s.round!)))] },
  };
}

/** Alarms raised in a range (each generated alarm is raised once). */
export const alarmsRaisedIn = (r: MonthRecords, range: { from: number; to: number }): number => r.alarms.filter((a) => a.raisedAt >= range.from && a.raisedAt < range.to).length;
