// Limit rules: high-high/high/low/low-low with deadband and on-delay, as a pure function of
// (limits, previous state, value, now), so every case is tested with an injected clock.
import type { AlarmCondition, Priority } from '../contract/api.ts';
import type { EffectiveLimits } from '../config/load.ts';

export interface ConditionState {
  /** The condition is active (an alarm is raised and not yet returned). */
  active: boolean;
  /** When the value first crossed the limit while the on-delay runs; null when not pending. */
  pendingSince: number | null;
}

export type ConditionChange = { condition: AlarmCondition; change: 'activate' | 'clear'; limit: number };

export const inactive: ConditionState = { active: false, pendingSince: null };

/** The limit conditions (a communication loss is not a limit). */
const conditions = ['highHigh', 'high', 'low', 'lowLow'] as const satisfies readonly AlarmCondition[];

export function configuredConditions(limits: EffectiveLimits): { condition: AlarmCondition; limit: number }[] {
  return conditions.flatMap((c) => (limits[c] === undefined ? [] : [{ condition: c, limit: limits[c] }]));
}

const isHigh = (c: AlarmCondition): boolean => c === 'high' || c === 'highHigh';

/**
 * One step of one condition. The limit itself is in alarm (R1: "kept below 40 °C", so 40.0 is too hot).
 * It clears only past the deadband (value < limit − deadband for high), which keeps a value hovering at the
 * limit from chattering; it raises only after the value has stayed past the limit for the on-delay.
 */
export function stepCondition(
  condition: AlarmCondition,
  limit: number,
  limits: EffectiveLimits,
  state: ConditionState,
  value: number,
  now: number,
): { state: ConditionState; change: 'activate' | 'clear' | null } {
  const beyond = isHigh(condition) ? value >= limit : value <= limit;
  if (state.active) {
    const back = isHigh(condition) ? value < limit - limits.deadband : value > limit + limits.deadband;
    return back ? { state: inactive, change: 'clear' } : { state, change: null };
  }
  if (!beyond) return { state: inactive, change: null };
  const since = state.pendingSince ?? now;
  if (now - since >= limits.onDelaySeconds * 1000) return { state: { active: true, pendingSince: null }, change: 'activate' };
  return { state: { active: false, pendingSince: since }, change: null };
}

const escalate: Record<Priority, Priority> = { low: 'medium', medium: 'high', high: 'critical', critical: 'critical' };

/** The outer limits (highHigh, lowLow) are one priority step above the inner ones. */
export function priorityOf(condition: AlarmCondition, limits: EffectiveLimits): Priority {
  const base = limits.priority ?? 'medium';
  return condition === 'highHigh' || condition === 'lowLow' ? escalate[base] : base;
}
