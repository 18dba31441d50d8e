// Rule evaluation: readings against their point's rules (discrete contacts and fault codes, limits with deadband
// and delays, rate of change) and run feedback against command (A3). Rule state lives in memory, one slot per
// condition; on/off-delays in progress are kept in the store so a restart neither loses nor restarts them.
import type { AnySitePoint, Site } from '../config/load.ts';
import type { AlarmCondition } from '../contract/api.ts';
import type { Reading } from '../core/reading.ts';
import type { DiscreteAlarmSpec } from '../devices/profile-schema.ts';
import { configuredConditions, inactive, priorityOf, ratePerMinute, stepCondition, stepDelayed, type ConditionState, type LimitCondition } from './limit-rule.ts';
import { isConditionActive } from './lifecycle.ts';
import { isRunning } from './equipment-events.ts';
import type { AlarmRecords } from './alarm-records.ts';
import type { AlarmPlace, AlarmTransitions, Raise } from './alarm-transitions.ts';
import type { AlarmTransition } from './types.ts';

export interface RuleEvaluationDeps {
  site: Site;
  records: AlarmRecords;
  transitions: AlarmTransitions;
  /** Latest reading of a point (the command and feedback of a mismatch pair). */
  latest: (pointKey: string) => Reading | undefined;
}

/** Whether a discrete point is in alarm at this value (its polarity: the profile's activeWhen or the site's override). */
export function discreteActive(spec: DiscreteAlarmSpec, value: number | boolean): boolean {
  if (spec.activeWhen === 'nonzero') return typeof value === 'number' && value !== 0;
  if (Array.isArray(spec.activeWhen)) return typeof value === 'number' && spec.activeWhen.includes(value);
  return value === spec.activeWhen;
}

/** A condition's rule state, held by reference (see `ruleState`). */
interface Slot {
  state: ConditionState;
}
type Step = { state: ConditionState; change: 'activate' | 'clear' | null };
/** One point's rules, compiled on its first reading. */
interface PointRules {
  point: AnySitePoint;
  discrete: Slot | null;
  limits: { condition: LimitCondition; limit: number; slot: Slot }[];
  rateOfChange: Slot | null;
  /** Run feedback vs command pairs this point is in (A3). */
  mismatch: readonly Mismatch[];
}
type Mismatch = NonNullable<NonNullable<Site['config']['alarms']>['mismatch']>[number];
/** A state change to make inside the alarm transaction. */
type Pending = () => AlarmTransition | null;

/** A condition's step to act on: its slot, where it is, the new state, what raising it means and the value now. */
interface ConditionChange {
  slot: Slot;
  pointKey: string;
  condition: AlarmCondition;
  next: Step;
  raise: Omit<Raise, 'now'>;
  value: number;
  now: number;
}

const placeOf = (point: AnySitePoint): AlarmPlace => ({ key: point.key, roomId: point.roomId, deviceId: point.deviceId, unit: point.spec.unit });
const unchanged = (a: ConditionState, b: ConditionState): boolean =>
  a.active === b.active && a.pendingSince === b.pendingSince && a.clearingSince === b.clearingSince;
const isOn = (v: number | boolean): boolean => (typeof v === 'boolean' ? v : v !== 0);
const numeric = (v: number | boolean): number => (typeof v === 'number' ? v : v ? 1 : 0);

export function createRuleEvaluation(deps: RuleEvaluationDeps) {
  const { site, records, transitions } = deps;
  const cfg = site.config.alarms ?? {};
  /**
   * Rule state per `${pointKey}:${condition}`, in a slot object that the point's compiled rules hold on to, so
   * the per-reading path reads and writes it without a map lookup.
   */
  const ruleState = new Map<string, Slot>();
  const slotOf = (key: string): Slot => {
    let slot = ruleState.get(key);
    if (!slot) ruleState.set(key, (slot = { state: inactive }));
    return slot;
  };
  const previous = new Map<string, { value: number; ts: number }>();

  /** Persists on/off-delay timers in progress, so a restart neither loses nor restarts them. */
  const saveTimer = (slot: Slot, pointKey: string, condition: string, after: ConditionState): void => {
    const before = slot.state;
    slot.state = after;
    if (before.pendingSince === after.pendingSince && before.clearingSince === after.clearingSince) return;
    records.saveRuleTimer({ point_key: pointKey, condition, pending_since: after.pendingSince, clearing_since: after.clearingSince });
  };

  /**
   * The usual case, nothing changes: records the state and says so. No closure, no transaction: this runs for
   * every reading of every alarmed point, the poll loop's per-reading cost.
   */
  const quiet = (slot: Slot, next: Step): boolean => {
    if (next.change !== null || !unchanged(slot.state, next.state)) return false;
    slot.state = next.state;
    return true;
  };
  /** A state change of one condition, run inside the alarm transaction. */
  const change =
    ({ slot, pointKey, condition, next, raise, value, now }: ConditionChange): Pending =>
    () => {
      saveTimer(slot, pointKey, condition, next.state);
      if (next.change === 'activate') return transitions.raise({ ...raise, now });
      if (next.change === 'clear') return transitions.clear({ key: pointKey, condition, value, now });
      return null;
    };

  /** Evaluates one good reading against its point's compiled rules; queues the state changes to make into `changes`. */
  const rulesFor = (rules: PointRules, r: Reading, now: number, changes: Pending[]): void => {
    const { point } = rules;
    if (point.alarm && rules.discrete && r.value !== null) {
      const spec = point.alarm;
      const slot = rules.discrete;
      const active = discreteActive(spec, r.value);
      const next = stepDelayed(slot.state, active, !active, { onDelaySeconds: 0 }, now);
      const value = numeric(r.value);
      if (!quiet(slot, next)) {
        const raise = { point: placeOf(point), condition: 'discrete', kind: 'discrete', priority: spec.priority, rule: spec.rule ?? null, latched: spec.latched === true, value, detail: r.detail ?? null, evidence: r.evidence ?? null } as const;
        changes.push(change({ slot, pointKey: point.key, condition: 'discrete', next, raise, value, now }));
      }
    }
    if (point.limits && typeof r.value === 'number') {
      const value = r.value;
      const limits = point.limits;
      for (const { condition, limit, slot } of rules.limits) {
        const next = stepCondition(condition, limit, limits, slot.state, value, now);
        if (!quiet(slot, next)) {
          const raise = { point: placeOf(point), condition, kind: 'limit', priority: priorityOf(condition, limits), rule: limits.rule ?? null, limit, value } as const;
          changes.push(change({ slot, pointKey: point.key, condition, next, raise, value, now }));
        }
      }
      const threshold = limits.ratePerMinute;
      const slot = rules.rateOfChange;
      const prev = slot ? previous.get(point.key) : undefined;
      if (slot) previous.set(point.key, { value, ts: r.ts });
      if (threshold !== undefined && slot && prev) {
        const rate = ratePerMinute(prev, value, r.ts);
        if (rate !== null) {
          const fast = Math.abs(rate) >= threshold;
          const next = stepDelayed(slot.state, fast, !fast, limits, now);
          if (!quiet(slot, next)) {
            const raise = { point: placeOf(point), condition: 'rateOfChange', kind: 'limit', priority: limits.priority ?? 'medium', rule: limits.rule ?? null, limit: threshold, value, detail: `${rate.toFixed(2)} ${point.spec.unit}/min` } as const;
            changes.push(change({ slot, pointKey: point.key, condition: 'rateOfChange', next, raise, value, now }));
          }
        }
      }
    }
  };

  // Run feedback vs command (A3: abnormal start/stop of key equipment is reported): per point, the specs it is in.
  const mismatchBy = new Map<string, Mismatch[]>();
  for (const m of cfg.mismatch ?? []) for (const k of [m.command, m.feedback]) mismatchBy.set(k, [...(mismatchBy.get(k) ?? []), m]);
  const runsNow = (pointKey: string, v: number | boolean): boolean => {
    const spec = site.points.get(pointKey)?.spec;
    return spec && 'running' in spec && spec.running ? isRunning(spec.running, v) : isOn(v);
  };
  const mismatchRule = (m: Mismatch, now: number): Pending | null => {
    const cmd = deps.latest(m.command);
    const fb = deps.latest(m.feedback);
    const point = site.points.get(m.feedback);
    if (!point || cmd?.quality !== 'good' || fb?.quality !== 'good' || cmd.value === null || fb.value === null) return null;
    const differs = isOn(cmd.value) !== runsNow(m.feedback, fb.value);
    const slot = slotOf(`${m.feedback}:mismatch`);
    const next = stepDelayed(slot.state, differs, !differs, { onDelaySeconds: m.delaySeconds ?? 30 }, now);
    if (quiet(slot, next)) return null;
    const value = numeric(fb.value);
    const raise = { point: placeOf(point), condition: 'mismatch', kind: 'discrete', priority: m.priority ?? 'high', rule: 'A3', value, detail: `command ${String(cmd.value)}, feedback ${String(fb.value)}` } as const;
    return change({ slot, pointKey: m.feedback, condition: 'mismatch', next, raise, value, now });
  };

  /** Per point, its rules with their state slots, worked out on its first reading; null when it has none. */
  const compiled = new Map<string, PointRules | null>();
  const rulesOf = (pointKey: string): PointRules | null => {
    let rules = compiled.get(pointKey);
    if (rules !== undefined) return rules;
    const point = site.points.get(pointKey);
    const mismatch = mismatchBy.get(pointKey) ?? [];
    rules =
      point && (point.limits || point.alarm || mismatch.length > 0)
        ? {
            point,
            discrete: point.alarm ? slotOf(`${pointKey}:discrete`) : null,
            limits: point.limits ? configuredConditions(point.limits).map((c) => ({ ...c, slot: slotOf(`${pointKey}:${c.condition}`) })) : [],
            rateOfChange: point.limits?.ratePerMinute !== undefined ? slotOf(`${pointKey}:rateOfChange`) : null,
            mismatch,
          }
        : null;
    compiled.set(pointKey, rules);
    return rules;
  };

  return {
    /** Rebuilds rule state from the open alarms and the saved timers; returns how many timers were found. */
    restore(): number {
      ruleState.clear();
      compiled.clear();
      for (const r of records.open()) slotOf(`${r.point_key}:${r.condition}`).state = { ...inactive, active: isConditionActive(r.state) };
      const timers = records.ruleTimers();
      for (const t of timers) {
        const slot = slotOf(`${t.point_key}:${t.condition}`);
        slot.state = { ...slot.state, pendingSince: t.pending_since, clearingSince: t.clearing_since };
      }
      return timers.length;
    },

    evaluate(readings: readonly Reading[], now: number): void {
      const changes: Pending[] = [];
      const seenMismatch = new Set<Mismatch>();
      for (const r of readings) {
        // Only a fresh, good value can raise or clear an alarm; bad data is the job of comm-loss alarms.
        if (r.quality !== 'good' || r.value === null) continue;
        const rules = rulesOf(r.pointKey);
        if (!rules) continue;
        rulesFor(rules, r, now, changes);
        for (const m of rules.mismatch) {
          if (seenMismatch.has(m)) continue; // command and feedback in one batch: judge the pair once
          seenMismatch.add(m);
          const pending = mismatchRule(m, now);
          if (pending) changes.push(pending);
        }
      }
      if (changes.length > 0) transitions.commit(() => changes.map((c) => c()));
    },
  };
}
