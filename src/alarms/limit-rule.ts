// Limit rules: high-high/high/low/low-low with deadband, on-delay and off-delay, and rate of change, as
// pure functions of (limits, previous state, value, now), so every case is tested with an injected clock.
import type { AlarmCondition, Priority } from '../contract/api.ts';
import type { EffectiveLimits } from '../config/load.ts';

export interface ConditionState {
  /** The condition is active (an alarm is raised and not yet returned). */
  active: boolean;
  /** When the value first crossed the limit while the on-delay runs; null when not pending. */
  pendingSince: number | null;
  /** When the value first came back inside the deadband while the off-delay runs; null when not clearing. */
  clearingSince: number | null;
}

export const inactive: ConditionState = { active: false, pendingSince: null, clearingSince: null };
const activeState: ConditionState = { active: true, pendingSince: null, clearingSince: null };

export type LimitCondition = 'lowLow' | 'low' | 'high' | 'highHigh';
const limitConditions: readonly LimitCondition[] = ['highHigh', 'high', 'low', 'lowLow'];

export function configuredConditions(limits: EffectiveLimits): { condition: LimitCondition; limit: number }[] {
  return limitConditions.flatMap((c) => (limits[c] === undefined ? [] : [{ condition: c, limit: limits[c] }]));
}

const isHigh = (c: LimitCondition): boolean => c === 'high' || c === 'highHigh';

/** Applies on-delay and off-delay to a raw "beyond the limit" / "back past the deadband" judgement. */
export function stepDelayed(
  state: ConditionState,
  beyond: boolean,
  back: boolean,
  delays: { onDelaySeconds: number; offDelaySeconds?: number },
  now: number,
): { state: ConditionState; change: 'activate' | 'clear' | null } {
  if (state.active) {
    if (!back) return { state: state.clearingSince === null ? state : activeState, change: null };
    const since = state.clearingSince ?? now;
    if (now - since >= (delays.offDelaySeconds ?? 0) * 1000) return { state: inactive, change: 'clear' };
    return { state: { ...activeState, clearingSince: since }, change: null };
  }
  if (!beyond) return { state: inactive, change: null };
  const since = state.pendingSince ?? now;
  if (now - since >= delays.onDelaySeconds * 1000) return { state: activeState, change: 'activate' };
  return { state: { ...inactive, pendingSince: since }, change: null };
}

/**
 * One step of one limit condition. The limit itself is in alarm (R1: "kept below 40 °C", so 40.0 is too hot).
 * It clears only past the deadband (value < limit − deadband for high), which keeps a value hovering at the
 * limit from chattering; it raises only after the value has stayed past the limit for the on-delay, and
 * returns only after it has stayed back for the off-delay.
 */
export function stepCondition(
  condition: LimitCondition,
  limit: number,
  limits: EffectiveLimits,
  state: ConditionState,
  value: number,
  now: number,
): { state: ConditionState; change: 'activate' | 'clear' | null } {
  const beyond = isHigh(condition) ? value >= limit : value <= limit;
  const back = isHigh(condition) ? value < limit - limits.deadband : value > limit + limits.deadband;
  return stepDelayed(state, beyond, back, limits, now);
}

/** Units per minute between two readings; null when they are too close in time to say. */
export function ratePerMinute(prev: { value: number; ts: number }, value: number, now: number): number | null {
  const minutes = (now - prev.ts) / 60_000;
  return minutes > 0 ? (value - prev.value) / minutes : null;
}

const escalate: Record<Priority, Priority> = { low: 'medium', medium: 'high', high: 'critical', critical: 'critical' };

/** The outer limits (highHigh, lowLow) are one priority step above the inner ones. */
export function priorityOf(condition: AlarmCondition, limits: EffectiveLimits): Priority {
  const base = limits.priority ?? 'medium';
  return condition === 'highHigh' || condition === 'lowLow' ? escalate[base] : base;
}
