// The periods a patrol schedule must be done in (P1, P3), in the site's time zone: each shift, each
// N minutes (inside an optional nightly window), each calendar month, each half year.
import type { PatrolEvery } from './config-schema.ts';
import type { ShiftPlan } from '../shifts/shift-plan.ts';
import { addDays, formatDate, localDateOf, parseTimeOfDay, zonedInstant } from '../shifts/zoned-time.ts';

export interface Slot {
  key: string;
  start: number;
  end: number;
}

const DAY = 86_400_000;

/**
 * P1: patrols stepped up for a period: each slot starting inside a step-up is split into `factor` equal slots
 * (keys `<slot>+1` …), so a round is due, and missed, that much more often. Slots outside keep their keys.
 */
export function steppedUp(slots: readonly Slot[], stepUps: readonly { factor: number; from: number; until: number }[]): Slot[] {
  return slots.flatMap((slot) => {
    const up = stepUps.find((u) => u.from <= slot.start && slot.start < u.until);
    if (!up) return [slot];
    const part = (slot.end - slot.start) / up.factor;
    return Array.from({ length: up.factor }, (_, i) => ({ key: `${slot.key}+${i + 1}`, start: Math.round(slot.start + i * part), end: i === up.factor - 1 ? slot.end : Math.round(slot.start + (i + 1) * part) }));
  });
}

/** Slots overlapping [from, to), by start. */
export function slotsBetween(every: PatrolEvery, plan: ShiftPlan, from: number, to: number): Slot[] {
  const tz = plan.timeZone;
  if (every === 'shift') return plan.shiftsBetween(from, to).map((s) => ({ key: s.key, start: s.start, end: s.end }));
  const slots: Slot[] = [];
  if (every === 'month' || every === 'halfYear') {
    const months = every === 'month' ? 1 : 6;
    const first = localDateOf(from, tz);
    let y = first.y;
    let m = every === 'month' ? first.m : first.m <= 6 ? 1 : 7;
    for (;;) {
      const start = zonedInstant({ y, m, d: 1 }, 0, tz);
      if (start >= to) break;
      const ny = m + months > 12 ? y + 1 : y;
      const nm = ((m + months - 1) % 12) + 1;
      const end = zonedInstant({ y: ny, m: nm, d: 1 }, 0, tz);
      if (end > from) slots.push({ key: every === 'month' ? `${y}-${String(m).padStart(2, '0')}` : `${y}-H${m === 1 ? 1 : 2}`, start, end });
      [y, m] = [ny, nm];
    }
    return slots;
  }
  const period = every.minutes * 60_000;
  const fromMin = every.from === undefined ? 0 : parseTimeOfDay(every.from)!;
  let toMin = every.to === undefined ? 24 * 60 : parseTimeOfDay(every.to)!;
  if (toMin <= fromMin) toMin += 24 * 60;
  for (let d = addDays(localDateOf(from - DAY, tz), 0); ; d = addDays(d, 1)) {
    const windowStart = zonedInstant(d, fromMin, tz);
    if (windowStart >= to) break;
    const windowEnd = zonedInstant(d, toMin, tz);
    for (let t = windowStart, n = 0; t < windowEnd; t += period, n++) {
      const end = Math.min(t + period, windowEnd);
      if (end > from && t < to) slots.push({ key: `${formatDate(d)}/${String(n).padStart(3, '0')}`, start: t, end });
    }
  }
  return slots;
}
