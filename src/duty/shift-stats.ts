// Min/max/mean of every numeric point per shift, for the shift report. Kept in memory from the live
// readings (good quality only) for the last few shifts; after a restart a shift's figures start at the
// restart, and the report says since when. (The historian, where configured, keeps the full series.)
import type { Reading } from '../core/reading.ts';
import type { ShiftInstance, ShiftPlan } from '../shifts/shift-plan.ts';

export interface PointStats {
  pointKey: string;
  roomId: string;
  unit: string;
  min: number;
  max: number;
  mean: number;
  count: number;
  /** First reading counted in this shift. */
  since: number;
}

export interface ShiftStats {
  add(readings: readonly Reading[]): void;
  forShift(shiftKey: string): PointStats[];
}

const KEEP_SHIFTS = 8;

export function createShiftStats(plan: ShiftPlan): ShiftStats {
  const byShift = new Map<string, Map<string, { roomId: string; unit: string; min: number; max: number; sum: number; count: number; since: number }>>();
  let current: ShiftInstance | null = null;
  const shiftAt = (ts: number): ShiftInstance | null => {
    // The current shift is cached until it ends: time-zone arithmetic per reading would be wasteful.
    if (current && current.start <= ts && ts < current.end) return current;
    current = plan.currentShift(ts);
    return current;
  };
  return {
    add(readings) {
      for (const r of readings) {
        if (r.quality !== 'good' || typeof r.value !== 'number') continue;
        const shift = shiftAt(r.ts);
        if (!shift) continue;
        let points = byShift.get(shift.key);
        if (!points) {
          points = new Map();
          byShift.set(shift.key, points);
          if (byShift.size > KEEP_SHIFTS) byShift.delete(byShift.keys().next().value!);
        }
        const s = points.get(r.pointKey);
        if (!s) points.set(r.pointKey, { roomId: r.roomId, unit: r.unit, min: r.value, max: r.value, sum: r.value, count: 1, since: r.ts });
        else {
          s.min = Math.min(s.min, r.value);
          s.max = Math.max(s.max, r.value);
          s.sum += r.value;
          s.count++;
        }
      }
    },
    forShift(key) {
      return [...(byShift.get(key) ?? new Map()).entries()]
        .map(([pointKey, s]) => ({ pointKey, roomId: s.roomId, unit: s.unit, min: s.min, max: s.max, mean: s.sum / s.count, count: s.count, since: s.since }))
        .sort((a, b) => a.pointKey.localeCompare(b.pointKey));
    },
  };
}
