// The readings part of a period report (M1): per point, the daily min/max/mean in the site's time zone and the
// period's figures beside the previous period's, from the historian's 1-hour rollups; and the exceedances of
// the upper limits (R1: the distribution room's 35 °C warning and 40 °C limit), from the 1-minute rollups.
// Days are cut at the zone's midnight from UTC-aligned hours, exact for zones with whole-hour offsets (all of
// China); a zone with a half-hour offset would put the hour across midnight in the day it starts.
import type { ExceedanceView, Figures, TrendPointView } from '../contract/period-report.ts';
import type { History } from '../sinks/historian/history.ts';
import type { HourTotal } from '../sinks/historian/period-totals.ts';
import { formatDate, zonedInstant } from '../shifts/zoned-time.ts';
import { daysOf, type Period } from './period.ts';

export interface ReportPointLimits {
  pointKey: string;
  roomId: string;
  unit: string;
  limits: TrendPointView['limits'];
}

interface Acc {
  min: number;
  max: number;
  sum: number;
  count: number;
}

const empty = (): Acc => ({ min: Infinity, max: -Infinity, sum: 0, count: 0 });
const fold = (a: Acc, h: Pick<HourTotal, 'min' | 'max' | 'sum' | 'count'>): void => {
  a.min = Math.min(a.min, h.min);
  a.max = Math.max(a.max, h.max);
  a.sum += h.sum;
  a.count += h.count;
};
const figures = (a: Acc): Figures | null => (a.count > 0 ? { min: a.min, max: a.max, mean: a.sum / a.count } : null);

/** Rows by point key, each list in time order. */
function byPoint<T extends { pointKey: string; start: number }>(rows: readonly T[]): Map<string, T[]> {
  const m = new Map<string, T[]>();
  for (const r of rows) {
    const list = m.get(r.pointKey);
    if (list) list.push(r);
    else m.set(r.pointKey, [r]);
  }
  for (const list of m.values()) list.sort((a, b) => a.start - b.start);
  return m;
}

export async function readingsOf(history: Pick<History, 'hourTotals' | 'minutesAbove'>, points: readonly ReportPointLimits[], period: Period, previous: Period, timeZone: string): Promise<{ trends: TrendPointView[]; exceedances: ExceedanceView[] }> {
  const keys = points.map((p) => p.pointKey);
  const [current, before] = await Promise.all([history.hourTotals(keys, period.from, period.to), history.hourTotals(keys, previous.from, previous.to)]);
  const days = daysOf(period);
  // Midnights of the period's days and the end: an hour belongs to the day whose midnight is at or before it.
  const bounds = [...days.map((d) => zonedInstant(d, 0, timeZone)), period.to];
  const labels = days.map(formatDate);
  const hours = byPoint(current);
  const previousHours = byPoint(before);

  const trends = points.map((p): TrendPointView => {
    const rows = hours.get(p.pointKey) ?? [];
    const whole = empty();
    const perDay: TrendPointView['days'] = [];
    let day = 0;
    let acc = empty();
    const close = (): void => {
      const f = figures(acc);
      if (f) perDay.push({ date: labels[day]!, ...f });
      acc = empty();
    };
    for (const r of rows) {
      while (day < labels.length - 1 && r.start >= bounds[day + 1]!) {
        close();
        day++;
      }
      fold(acc, r);
      fold(whole, r);
    }
    close();
    const prev = empty();
    for (const r of previousHours.get(p.pointKey) ?? []) fold(prev, r);
    return { pointKey: p.pointKey, roomId: p.roomId, unit: p.unit, limits: p.limits, days: perDay, period: figures(whole), previous: figures(prev) };
  });

  // Only points whose hourly max passed an upper limit have minutes above it: ask the 1-minute rollups for those.
  const upper = (p: ReportPointLimits): { limit: ExceedanceView['limit']; value: number }[] =>
    (['high', 'highHigh'] as const).flatMap((limit) => (p.limits[limit] === undefined ? [] : [{ limit, value: p.limits[limit] }]));
  const maxOf = new Map(trends.map((t) => [t.pointKey, t.period?.max ?? -Infinity]));
  const candidates = points.flatMap((p) => {
    const limits = upper(p).filter((l) => maxOf.get(p.pointKey)! > l.value);
    return limits.length ? [{ p, limits, above: Math.min(...limits.map((l) => l.value)) }] : [];
  });
  const minutes = byPoint(await history.minutesAbove(candidates.map((c) => ({ pointKey: c.p.pointKey, above: c.above })), period.from, period.to));
  const exceedances = candidates.flatMap(({ p, limits }) =>
    limits.flatMap(({ limit, value }): ExceedanceView[] => {
      const above = (minutes.get(p.pointKey) ?? []).filter((m) => m.max > value);
      if (above.length === 0) return [];
      let excursions = 0;
      let worst = above[0]!;
      above.forEach((m, i) => {
        if (i === 0 || m.start - above[i - 1]!.start > 60_000) excursions++;
        if (m.max > worst.max) worst = m;
      });
      return [{ pointKey: p.pointKey, roomId: p.roomId, unit: p.unit, limit, value, minutes: above.length, excursions, worst: worst.max, worstAt: worst.start }];
    }),
  );
  // Ranked: the most minutes above first (the hottest distribution room), then the worst value.
  exceedances.sort((a, b) => b.minutes - a.minutes || b.worst - a.worst || a.pointKey.localeCompare(b.pointKey));
  return { trends, exceedances };
}
