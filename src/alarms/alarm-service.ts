// The alarm service: evaluates readings and device status against the site's rules, drives the lifecycle
// table, and makes every transition durable (alarm row + duty-log entry in one transaction) before anyone
// hears of it (A5). Operator actions (acknowledge, reset, shelve, tag, fire response) go through here too,
// so every one of them is checked, recorded with who and when, and broadcast the same way.
import type { Store } from '../store/store.ts';
import type { Clock } from '../core/clock.ts';
import type { Bus, DeviceConfigStatus, DeviceStatus } from '../core/bus.ts';
import type { Logger } from '../core/logger.ts';
import type { Reading } from '../core/reading.ts';
import type {
  AlarmCondition,
  AlarmSummary,
  AlarmView,
  DeviceTagRequest,
  DeviceTagView,
  FireClassification,
  PatrolOverdue,
  Priority,
  Role,
  UserView,
} from '../contract/api.ts';
import type { AnySitePoint, Site } from '../config/load.ts';
import type { DutyLog, NewDutyLogEntry } from '../sinks/duty-log/duty-log.ts';
import type { DiscreteAlarmSpec } from '../devices/profile-schema.ts';
import { DomainError } from '../core/errors.ts';
import { configuredConditions, inactive, priorityOf, ratePerMinute, stepCondition, stepDelayed, type ConditionState, type LimitCondition } from './limit-rule.ts';
import { isConditionActive, isUnacknowledged, nextTransition, type AlarmInput } from './lifecycle.ts';
import { createAlarmRecords, tagView, type AlarmRow, type TagRow } from './alarm-records.ts';
import { escalationDelays, escalationRoles, keyFaultRoles, reportUpRoles, type EscalationNotice, type Notifier } from './escalation.ts';
import { summarize } from './alarm-load.ts';
import { isRunning } from './equipment-events.ts';
import { can, permissionTable, type Action } from '../auth/permissions.ts';
import { shelveLimits } from './shelve-limits.ts';
import { localMinutes } from './site-time.ts';
import type { AlarmTransition } from './types.ts';
import type { Playbooks } from '../playbooks/playbooks.ts';

/** Point and device key of the historian's own alarm (condition historianLoss). */
export const HISTORIAN_ALARM_KEY = 'historian';

export interface AlarmService {
  /** Rebuilds rule state and timers from the store; call once before the first evaluate. */
  start(): void;
  evaluate(readings: readonly Reading[]): void;
  deviceStatus(status: DeviceStatus): void;
  /** A configuration mismatch found or gone (Modbus exception 01/02/03/0A): the device's configuration alarm. */
  deviceConfig(status: DeviceConfigStatus): void;
  /** Readings are being lost at the historian's outbox bound (active), or the episode ended with `lost` in all
   *  (issue 17): the gateway's own alarm, so the hole in the history is in the alarm record (A8). */
  historianLoss(active: boolean, lost: number): void;
  /** Time-driven work: shelve expiry, escalation deadlines (A1/A2), isolations left overnight (A6). */
  tick(): void;
  /** P1/P3: a patrol period ended without a round; raises the schedule's overdue alarm (once while open). */
  patrolOverdue(overdue: PatrolOverdue): void;
  /** A round of the schedule was recorded: its overdue alarm returns to normal (still to be acknowledged). */
  patrolDone(scheduleId: string): void;
  /** R2: what the shift in progress lacks (raises or updates the under-staffed alarm), or null (it returns). */
  staffing(shortage: string | null): void;
  /** R2 look-ahead: what the shifts of the next 24 h lack (a medium warning before they start), or null. */
  coverageAhead(gaps: string | null): void;
  acknowledge(id: number, user: UserView, note: string): AlarmView;
  reset(id: number, user: UserView, note: string): AlarmView;
  shelve(id: number, user: UserView, minutes: number, reason: string): AlarmView;
  unshelve(id: number, user: UserView): AlarmView;
  /** Who was sent to look: to a fire alarm (A4) or a CCTV alarm (A7). */
  dispatch(id: number, user: UserView, to: string): AlarmView;
  /** A7: where a CCTV alarm's recording is kept, added to the camera's own reference and written to the duty log. */
  keepEvidence(id: number, user: UserView, reference: string): AlarmView;
  classify(id: number, user: UserView, classification: FireClassification, note: string): AlarmView;
  /**
   * A2: in an emergency the duty staff or the shift lead escalate straight to the supervisor or manager, skipping
   * levels, with the reason; the duty-log entry stays an open item until the report afterwards is written.
   */
  escalateNow(id: number, user: UserView, role: 'supervisor' | 'manager', reason: string): AlarmView;
  /** A8: an acknowledged fault the shift cannot fix goes to the levels above, with what was tried; it stays on the alarm. */
  reportUp(id: number, user: UserView, note: string): AlarmView;
  tag(deviceId: string, user: UserView, request: DeviceTagRequest): DeviceTagView;
  approveTag(deviceId: string, user: UserView): DeviceTagView;
  untag(deviceId: string, user: UserView): void;
  tags(): DeviceTagView[];
  /** Alarms not in the normal state, newest first. */
  open(): AlarmView[];
  get(id: number): AlarmView | null;
  summary(): AlarmSummary;
}

export interface AlarmServiceDeps {
  store: Store;
  site: Site;
  dutyLog: DutyLog;
  bus: Bus;
  clock: Clock;
  logger: Logger;
  /** Latest reading of a point (suppression by design looks at another point's value). */
  latest: (pointKey: string) => Reading | undefined;
  /** Who holds a role now (the roster; until it exists, the config's users with that role). */
  onDuty: (role: Role, at: number) => UserView[];
  /** E4: a confirmed fire opens the fire playbook, tied to its alarm, in the same transaction. */
  playbooks: Pick<Playbooks, 'open'>;
  notifiers?: readonly Notifier[];
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

export function createAlarmService(deps: AlarmServiceDeps): AlarmService {
  const { store, site, dutyLog, bus, clock, logger } = deps;
  const { db } = store;
  const records = createAlarmRecords(db, site, deps.latest);
  const cfg = site.config.alarms ?? {};
  const shelveMax = shelveLimits(cfg.maxShelveMinutes);
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
  let lastSummary = '';

  type Done = { transition: AlarmTransition };
  /** Notices decided inside a transaction, sent once it has committed (nobody hears of an unrecorded alarm, A5). */
  const pending: EscalationNotice[] = [];

  // The duty log announces its own entries after commit; this announces the transitions.
  const publish = (done: readonly Done[]): void => {
    for (const n of pending.splice(0)) notify(n);
    for (const { transition: t } of done) {
      logger.info(`alarm ${t.kind}`, { id: t.alarm.id, point: t.alarm.pointKey, condition: t.alarm.condition, state: t.to, value: t.alarm.value, user: t.username });
      bus.emit('alarm', t);
    }
  };

  const entryFor = (row: AlarmRow, kind: NewDutyLogEntry['kind'], ts: number, username: string | null, params: NewDutyLogEntry['params']): NewDutyLogEntry => ({
    ts,
    kind,
    roomId: row.room_id,
    deviceId: row.device_id,
    pointKey: row.point_key,
    username,
    alarmId: row.id,
    params: { value: row.value, limit: row.limit_value, unit: row.unit, condition: row.condition, priority: row.priority, rule: row.rule, state: row.state, ...params },
  });

  /** Writes a changed row and its duty-log entry; must run inside a transaction. */
  const record = (next: AlarmRow, from: AlarmRow['state'], event: AlarmTransition['kind'], now: number, user: UserView | null, params: NewDutyLogEntry['params'] = {}): Done => {
    store.sql(
      `UPDATE alarms SET state = ?, value = ?, acked_by = ?, acked_by_name = ?, acked_at = ?, ack_note = ?, cleared_at = ?,
         detail = ?, escalation_level = ?, next_escalation_at = ?, evidence = ? WHERE id = ?`,
    ).run(next.state, next.value, next.acked_by, next.acked_by_name, next.acked_at, next.ack_note, next.cleared_at, next.detail, next.escalation_level, next.next_escalation_at, next.evidence, next.id);
    const kind = `alarm.${event}` as NewDutyLogEntry['kind'];
    dutyLog.insert(entryFor(next, kind, now, user?.username ?? null, { ...(user ? { user: user.displayName } : {}), ...params }));
    return { transition: { kind: event, from, to: next.state, ts: now, username: user?.username ?? null, alarm: records.view(next, now) } };
  };

  /** Applies one lifecycle input; null when it does not apply in the row's state. */
  const apply = (row: AlarmRow, input: AlarmInput, now: number, patch: Partial<AlarmRow>, user: UserView | null, params: NewDutyLogEntry['params'] = {}): Done | null => {
    const t = nextTransition(row.state, input, row.latched === 1);
    if (!t) return null;
    const next: AlarmRow = { ...row, ...patch, state: t.to };
    if (t.to === 'normal') next.cleared_at = now;
    if (t.event === 'raised') {
      // A fresh annunciation: escalation starts again from the first level (A1).
      const first = escalationDelays(cfg, row.priority)[0];
      next.escalation_level = 0;
      next.next_escalation_at = first === undefined ? null : now + first * 1000;
      next.acked_by = next.acked_by_name = next.ack_note = null;
      next.acked_at = null;
    }
    // A returned-to-normal alarm waits for its acknowledgement but no longer escalates: there is nothing left to
    // act on (ISA-18.2 state D; docs/alarms.md "Returned to normal, unacknowledged"). A 3-second comm blip does
    // not reach the supervisor 20 minutes later. A latched alarm (fire) stays latched and keeps escalating.
    if (!isUnacknowledged(next.state) || next.state === 'rtn_unack') next.next_escalation_at = null;
    const done = record(next, row.state, t.event, now, user, params);
    if (t.event === 'raised' && next.rule === 'A3') routeKeyFault(next, done, now);
    return done;
  };

  /**
   * A3: a fault of key equipment (fault code, run feedback against command) goes to the department head and the
   * manager as it is raised, not only when nobody answers; the log names who was told.
   */
  const routeKeyFault = (row: AlarmRow, done: Done, now: number): void => {
    const chain = keyFaultRoles.map((role) => ({ role, level: escalationRoles.indexOf(role) + 1, targets: deps.onDuty(role, now) }));
    const named = chain.flatMap((c) => c.targets.map((u) => u.displayName));
    dutyLog.insert(entryFor(row, 'alarm.routed', now, null, { targets: named.join(', ') || '—', rule: 'A3' }));
    for (const c of chain) pending.push({ reason: 'keyEquipmentFault', alarm: done.transition.alarm, level: c.level, role: c.role, targets: c.targets, at: now });
  };

  /** What a raise needs; limit and value default to 0 (discrete and device-level alarms), detail to none. */
  interface Raise {
    point: { key: string; roomId: string; deviceId: string; unit: string };
    condition: AlarmCondition;
    kind: AlarmRow['kind'];
    priority: Priority;
    rule: string | null;
    latched?: boolean;
    limit?: number;
    value?: number;
    detail?: string | null;
    /** A7: the recording the triggering message refers to. */
    evidence?: string | null;
    now: number;
  }

  const raise = ({ point, condition, kind, priority, rule, latched = false, limit = 0, value = 0, detail = null, evidence = null, now }: Raise): Done | null => {
    // The detail (last error, what does not match) goes into the duty-log entry too: the log says why (A5); so does
    // a camera's evidence reference (A7).
    const params: NewDutyLogEntry['params'] = { ...(detail === null ? {} : { detail }), ...(evidence === null ? {} : { evidence }) };
    const existing = records.openByCondition(point.key, condition);
    if (existing) return apply(existing, 'activate', now, { value, detail, ...(evidence === null ? {} : { evidence }) }, null, params);
    const inserted = store
      .sql(
        `INSERT INTO alarms (point_key, room_id, device_id, condition, priority, rule, state, value, limit_value, unit, raised_at, kind, latched, detail, evidence)
         VALUES (?, ?, ?, ?, ?, ?, 'normal', ?, ?, ?, ?, ?, ?, ?, ?) RETURNING *`,
      )
      .get(point.key, point.roomId, point.deviceId, condition, priority, rule, value, limit, point.unit, now, kind, latched ? 1 : 0, detail, evidence) as unknown as AlarmRow;
    return apply(inserted, 'activate', now, {}, null, params);
  };

  const clear = (pointKey: string, condition: AlarmCondition, value: number | null, now: number): Done | null => {
    const row = records.openByCondition(pointKey, condition);
    return row ? apply(row, 'clear', now, value === null ? {} : { value }, null) : null;
  };

  const unchanged = (a: ConditionState, b: ConditionState): boolean =>
    a.active === b.active && a.pendingSince === b.pendingSince && a.clearingSince === b.clearingSince;

  /** Persists on/off-delay timers in progress, so a restart neither loses nor restarts them. */
  const saveTimer = (slot: Slot, pointKey: string, condition: string, before: ConditionState, after: ConditionState): void => {
    slot.state = after;
    if (before.pendingSince === after.pendingSince && before.clearingSince === after.clearingSince) return;
    if (after.pendingSince === null && after.clearingSince === null) store.sql('DELETE FROM rule_timers WHERE point_key = ? AND condition = ?').run(pointKey, condition);
    else store.sql('INSERT OR REPLACE INTO rule_timers (point_key, condition, pending_since, clearing_since) VALUES (?, ?, ?, ?)').run(pointKey, condition, after.pendingSince, after.clearingSince);
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
    (slot: Slot, pointKey: string, condition: AlarmCondition, next: Step, onActivate: () => Done | null, value: number, now: number) =>
    (): Done | null => {
      saveTimer(slot, pointKey, condition, slot.state, next.state);
      if (next.change === 'activate') return onActivate();
      if (next.change === 'clear') return clear(pointKey, condition, value, now);
      return null;
    };
  const whereOf = (point: AnySitePoint) => ({ key: point.key, roomId: point.roomId, deviceId: point.deviceId, unit: point.spec.unit });

  /** Evaluates one good reading against its point's compiled rules; queues the state changes to make into `changes`. */
  const rulesFor = (rules: PointRules, r: Reading, now: number, changes: (() => Done | null)[]): void => {
    const { point } = rules;
    if (point.alarm && rules.discrete && r.value !== null) {
      const spec = point.alarm;
      const slot = rules.discrete;
      const active = discreteActive(spec, r.value);
      const next = stepDelayed(slot.state, active, !active, { onDelaySeconds: 0 }, now);
      const numeric = typeof r.value === 'number' ? r.value : r.value ? 1 : 0;
      if (!quiet(slot, next)) changes.push(change(slot, point.key, 'discrete', next, () => raise({ point: whereOf(point), condition: 'discrete', kind: 'discrete', priority: spec.priority, rule: spec.rule ?? null, latched: spec.latched === true, value: numeric, detail: r.detail ?? null, evidence: r.evidence ?? null, now }), numeric, now));
    }
    if (point.limits && typeof r.value === 'number') {
      const value = r.value;
      const limits = point.limits;
      for (const { condition, limit, slot } of rules.limits) {
        const next = stepCondition(condition, limit, limits, slot.state, value, now);
        if (!quiet(slot, next)) changes.push(change(slot, point.key, condition, next, () => raise({ point: whereOf(point), condition, kind: 'limit', priority: priorityOf(condition, limits), rule: limits.rule ?? null, limit, value, now }), value, now));
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
          if (!quiet(slot, next)) changes.push(change(slot, point.key, 'rateOfChange', next, () => raise({ point: whereOf(point), condition: 'rateOfChange', kind: 'limit', priority: limits.priority ?? 'medium', rule: limits.rule ?? null, limit: threshold, value, detail: `${rate.toFixed(2)} ${point.spec.unit}/min`, now }), value, now));
        }
      }
    }
  };

  // Run feedback vs command (A3: abnormal start/stop of key equipment is reported): per point, the specs it is in.
  const mismatchBy = new Map<string, Mismatch[]>();
  for (const m of cfg.mismatch ?? []) for (const k of [m.command, m.feedback]) mismatchBy.set(k, [...(mismatchBy.get(k) ?? []), m]);
  const isOn = (v: number | boolean): boolean => (typeof v === 'boolean' ? v : v !== 0);
  const runsNow = (pointKey: string, v: number | boolean): boolean => {
    const spec = site.points.get(pointKey)?.spec;
    return spec && 'running' in spec && spec.running ? isRunning(spec.running, v) : isOn(v);
  };
  const mismatchRule = (m: Mismatch, now: number): (() => Done | null) | null => {
    const cmd = deps.latest(m.command);
    const fb = deps.latest(m.feedback);
    const point = site.points.get(m.feedback);
    if (!point || cmd?.quality !== 'good' || fb?.quality !== 'good' || cmd.value === null || fb.value === null) return null;
    const differs = isOn(cmd.value) !== runsNow(m.feedback, fb.value);
    const slot = slotOf(`${m.feedback}:mismatch`);
    const next = stepDelayed(slot.state, differs, !differs, { onDelaySeconds: m.delaySeconds ?? 30 }, now);
    if (quiet(slot, next)) return null;
    const value = typeof fb.value === 'number' ? fb.value : fb.value ? 1 : 0;
    return change(slot, m.feedback, 'mismatch', next, () => raise({ point: whereOf(point), condition: 'mismatch', kind: 'discrete', priority: m.priority ?? 'high', rule: 'A3', value, detail: `command ${String(cmd.value)}, feedback ${String(fb.value)}`, now }), value, now);
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

  /** A device-level alarm (comm loss, configuration): the point key is the device id; rule A8 (faults reported). */
  const deviceAlarm = (
    status: { deviceId: string; roomId: string; detail?: string },
    active: boolean,
    condition: AlarmCondition,
    kind: AlarmRow['kind'],
    priority: Priority,
  ): void => {
    const now = clock.now();
    const unitPoint = { key: status.deviceId, roomId: status.roomId, deviceId: status.deviceId, unit: '' };
    run([() => (active ? raise({ point: unitPoint, condition, kind, priority, rule: 'A8', detail: status.detail ?? null, now }) : clear(status.deviceId, condition, null, now))]);
  };

  const run = (changes: (() => Done | null)[]): void => {
    if (changes.length === 0) return;
    const done = store.transaction(() => changes.map((c) => c()).filter((d): d is Done => d !== null));
    publish(done);
  };

  /** R2: a roster gap as an alarm of its own key, raised or updated while `detail` names it, returned when null. */
  const rosterAlarm = (key: string, condition: AlarmCondition, priority: Priority, detail: string | null): void => {
    const now = clock.now();
    const open = records.openByCondition(key, condition);
    // Nothing to write while the answer stays the same: this runs with every duty check.
    if (detail === null ? !open || !isConditionActive(open.state) : open && isConditionActive(open.state) && open.detail === detail) return;
    const done = store.transaction(() =>
      detail === null ? clear(key, condition, null, now) : raise({ point: { key, roomId: '', deviceId: key, unit: '' }, condition, kind: 'staffing', priority, rule: 'R2', detail, now }),
    );
    publish(done ? [done] : []);
  };

  const mustFind = (id: number): AlarmRow => {
    const row = records.byId(id);
    if (!row) throw new DomainError('RW_NOT_FOUND', `no alarm ${id}`, 404);
    return row;
  };
  const requireRole = (user: UserView, action: Action, what: string): void => {
    if (!can(action, user.role)) throw new DomainError('RW_FORBIDDEN', `${what} needs one of the roles ${permissionTable[action].join(', ')}`, 403);
  };
  /** One operator action on one alarm, durable, then broadcast. */
  const act = (work: (now: number) => Done[]): AlarmView => {
    const done = store.transaction(() => work(clock.now()));
    publish(done);
    return done.at(-1)!.transition.alarm;
  };
  const isFire = (row: AlarmRow): boolean => row.rule === 'A4';
  /** Escalation goes on from a level reached out of turn (A2 emergency, A4 confirmed fire), on the alarm's own schedule, while it is unacknowledged. */
  const escalationAfter = (row: AlarmRow, reached: number): number | null => {
    const delays = escalationDelays(cfg, row.priority);
    return isUnacknowledged(row.state) && row.state !== 'rtn_unack' && delays[reached] !== undefined ? row.raised_at + delays[reached] * 1000 : null;
  };
  /** Every channel (webhook, SMS …); a failure is logged, never silent, and never holds up the caller. */
  const notify = (notice: EscalationNotice): void => {
    for (const n of deps.notifiers ?? []) {
      n.notify(notice).catch((err: unknown) => logger.error('notice failed', { channel: n.name, alarm: notice.alarm.id, reason: notice.reason, err: String(err) }));
    }
  };
  const deviceOf = (deviceId: string) => site.devices.find((d) => d.config.id === deviceId);
  /**
   * A6: a fire/life-safety device is one with a fire alarm (rule A4) on any point, whatever its protocol. Any tag
   * on it silences that alarm, so every kind of tag needs a supervisor, a planned end, and is never left overnight.
   */
  const lifeSafety = (deviceId: string): boolean => deviceOf(deviceId)?.points.some((p) => p.alarm?.rule === 'A4') ?? false;

  const tagEntry = (tag: TagRow, kind: NewDutyLogEntry['kind'], user: UserView, now: number) =>
    dutyLog.insert({ ts: now, kind, roomId: deviceOf(tag.device_id)?.config.room ?? null, deviceId: tag.device_id, username: user.username, params: { user: user.displayName, tagKind: tag.kind, reason: tag.reason } });
  /** A tag change: the tag to every console, and the device's alarms with their new annunciation. */
  const announceTag = (deviceId: string, tag: DeviceTagView | { deviceId: string; removed: true }, now: number): void => {
    bus.emit('deviceTag', tag);
    for (const r of records.open()) if (r.device_id === deviceId) bus.emit('alarmUpdated', records.view(r, now));
  };

  return {
    start() {
      ruleState.clear();
      compiled.clear();
      for (const r of records.open()) slotOf(`${r.point_key}:${r.condition}`).state = { ...inactive, active: isConditionActive(r.state) };
      const timers = store.sql('SELECT * FROM rule_timers').all() as { point_key: string; condition: string; pending_since: number | null; clearing_since: number | null }[];
      for (const t of timers) {
        const slot = slotOf(`${t.point_key}:${t.condition}`);
        slot.state = { ...slot.state, pendingSince: t.pending_since, clearingSince: t.clearing_since };
      }
      logger.info('alarm state restored', { open: records.open().length, timers: timers.length });
    },

    evaluate(readings) {
      const now = clock.now();
      const changes: (() => Done | null)[] = [];
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
          const change = mismatchRule(m, now);
          if (change) changes.push(change);
        }
      }
      run(changes);
    },

    deviceStatus(status) {
      // Like the configuration alarm: the source's first judgement after start, online, clears an alarm an
      // earlier run left open; with none open, clearing does nothing and writes nothing.
      deviceAlarm(status, !status.online, 'commLoss', 'comm', 'high');
    },

    deviceConfig(status) {
      // Medium, not high like a lost device: the device and its room are fine, but the points it refuses are
      // unmonitored until an engineer fixes the profile or the gateway's table; medium escalates to the shift
      // lead if nobody acknowledges (A2), low never would (docs/alarms.md "Configuration alarm").
      deviceAlarm(status, !status.ok, 'config', 'config', 'medium');
    },

    historianLoss(active, lost) {
      const now = clock.now();
      // Not a room's alarm: no room, the point key names the part of the gateway (HISTORIAN_ALARM_KEY).
      const point = { key: HISTORIAN_ALARM_KEY, roomId: '', deviceId: HISTORIAN_ALARM_KEY, unit: '' };
      run([() => {
        if (active) return raise({ point, condition: 'historianLoss', kind: 'historian', priority: 'high', rule: 'A8', value: lost, now });
        const row = records.openByCondition(HISTORIAN_ALARM_KEY, 'historianLoss');
        return row ? apply(row, 'clear', now, { value: lost }, null) : null;
      }]);
    },

    tick() {
      const now = clock.now();
      const done: Done[] = [];
      store.transaction(() => {
        // Shelves that ran out: the alarm is annunciated again, unacknowledged if still active (ISA-18.2 §11.7.3).
        const expired = store.sql('SELECT * FROM alarm_shelves WHERE until <= ?').all(now) as { point_key: string; condition: AlarmCondition }[];
        for (const s of expired) {
          store.sql('DELETE FROM alarm_shelves WHERE point_key = ? AND condition = ?').run(s.point_key, s.condition);
          const row = records.openByCondition(s.point_key, s.condition);
          if (!row) continue;
          const reannunciate = row.state === 'ack_active' ? { state: 'unack_active' as const, acked_by: null, acked_by_name: null, acked_at: null, ack_note: null } : {};
          done.push(record({ ...row, ...reannunciate }, row.state, 'unshelved', now, null, { how: 'expired' }));
        }
        // A1/A2: unacknowledged past the deadline → the next level is notified.
        const due = store.sql('SELECT * FROM alarms WHERE next_escalation_at IS NOT NULL AND next_escalation_at <= ?').all(now) as unknown as AlarmRow[];
        for (const row of due) {
          if (!isUnacknowledged(row.state) || records.annunciationOf(row, now) !== 'annunciated') continue;
          const level = row.escalation_level + 1;
          const role = escalationRoles[level - 1]!;
          const targets = deps.onDuty(role, now);
          const delays = escalationDelays(cfg, row.priority);
          const next = delays[level] === undefined ? null : row.raised_at + delays[level] * 1000;
          const d = record({ ...row, escalation_level: level, next_escalation_at: next }, row.state, 'escalated', now, null, {
            level,
            role,
            targets: targets.map((u) => u.displayName).join(', ') || '—',
          });
          done.push(d);
          notify({ reason: 'unacknowledged', alarm: d.transition.alarm, level, role, targets, at: now });
        }
        // A6: an isolation, or any tag on a fire/life-safety device, still active at the end of the day raises a
        // high alarm that sounds and escalates like any other; never silently overnight.
        const endOfDay = cfg.isolationEndOfDay ?? '23:00';
        const [h, m] = endOfDay.split(':').map(Number) as [number, number];
        const pastEndOfDay = localMinutes(now, site.timezone) >= h * 60 + m;
        const active = pastEndOfDay ? (store.sql("SELECT * FROM device_tags WHERE state = 'active'").all() as unknown as TagRow[]) : [];
        for (const tag of active) {
          if ((tag.kind !== 'isolation' && !lifeSafety(tag.device_id)) || records.openByCondition(tag.device_id, 'isolationOvernight')) continue;
          const room = deviceOf(tag.device_id)?.config.room ?? '';
          const raised = raise({ point: { key: tag.device_id, roomId: room, deviceId: tag.device_id, unit: '' }, condition: 'isolationOvernight', kind: 'isolation', priority: 'high', rule: 'A6', detail: tag.reason, now });
          if (raised) done.push(raised);
        }
      });
      publish(done);
      const summary = this.summary();
      const key = JSON.stringify(summary);
      if (key !== lastSummary) {
        lastSummary = key;
        bus.emit('alarmSummary', summary);
      }
    },

    patrolOverdue(o) {
      const key = `patrol:${o.scheduleId}`;
      const schedule = site.config.patrols?.find((s) => s.id === o.scheduleId);
      // Night checks every N minutes are P3; the per-shift, monthly and half-yearly rounds are P1.
      const rule = schedule && typeof schedule.every === 'object' ? 'P3' : 'P1';
      const now = clock.now();
      const done = store.transaction(() => raise({ point: { key, roomId: o.roomId, deviceId: key, unit: '' }, condition: 'patrolOverdue', kind: 'patrol', priority: 'medium', rule, detail: `${o.scheduleId} ${o.slotKey}`, now }));
      publish(done ? [done] : []);
    },

    patrolDone(scheduleId) {
      const now = clock.now();
      const done = store.transaction(() => clear(`patrol:${scheduleId}`, 'patrolOverdue', null, now));
      publish(done ? [done] : []);
    },

    staffing(shortage) {
      rosterAlarm('roster:staffing', 'understaffed', 'high', shortage);
    },

    coverageAhead(gaps) {
      // A warning, not an alarm: there is still time to fill the gap before the shift starts.
      rosterAlarm('roster:coverage', 'understaffedSoon', 'medium', gaps);
    },

    acknowledge(id, user, note) {
      const trimmed = note.trim();
      return act((now) => {
        const row = mustFind(id);
        if (row.priority === 'critical' && trimmed === '') throw new DomainError('RW_NOTE_REQUIRED', 'a critical alarm is acknowledged with a note', 400);
        const d = apply(row, 'ack', now, { acked_by: user.username, acked_by_name: user.displayName, acked_at: now, ack_note: trimmed || null }, user, { note: trimmed || null });
        if (!d) throw new DomainError('RW_ALARM_NOT_ACKABLE', `alarm ${id} is ${row.state}; nothing to acknowledge`, 409);
        return [d];
      });
    },

    reset(id, user, note) {
      requireRole(user, 'alarm.reset', 'resetting a latched alarm');
      return act((now) => {
        const row = mustFind(id);
        if (row.latched === 1 && isFire(row) && row.state === 'latched_ack') {
          const fire = records.view(row, now).fire;
          if (!fire?.classification) throw new DomainError('RW_INVALID_REQUEST', 'classify the fire alarm (confirmed, false alarm, device fault, routine test) before resetting it (A4)', 409);
        }
        const d = apply(row, 'reset', now, {}, user, { note: note.trim() || null });
        if (!d) throw new DomainError('RW_NOT_LATCHED', `alarm ${id} is ${row.state}; only an acknowledged latched alarm whose condition has gone is reset`, 409);
        return [d];
      });
    },

    shelve(id, user, minutes, reason) {
      return act((now) => {
        const row = mustFind(id);
        // A6: fire alarms are never silenced by one person; isolation needs a supervisor's approval instead.
        if (row.latched === 1 || isFire(row)) throw new DomainError('RW_FORBIDDEN', 'fire alarms cannot be shelved; isolate the device with a supervisor’s approval (A6)', 403);
        const max = shelveMax[row.priority];
        if (minutes > max) throw new DomainError('RW_INVALID_REQUEST', `a ${row.priority} alarm may be shelved for at most ${max} minutes at this site`, 400);
        if (row.state === 'normal') throw new DomainError('RW_ALARM_NOT_ACKABLE', `alarm ${id} is over`, 409);
        const until = now + minutes * 60_000;
        store.sql('INSERT OR REPLACE INTO alarm_shelves (point_key, condition, shelved_by, reason, shelved_at, until) VALUES (?, ?, ?, ?, ?, ?)').run(row.point_key, row.condition, user.username, reason.trim(), now, until);
        return [record(row, row.state, 'shelved', now, user, { reason: reason.trim(), until: new Date(until).toISOString() })];
      });
    },

    unshelve(id, user) {
      return act((now) => {
        const row = mustFind(id);
        const removed = store.sql('DELETE FROM alarm_shelves WHERE point_key = ? AND condition = ?').run(row.point_key, row.condition);
        if (removed.changes === 0) throw new DomainError('RW_INVALID_REQUEST', `alarm ${id} is not shelved`, 409);
        // A manual unshelve means the operator has seen it: an active unacknowledged alarm counts as acknowledged.
        const ack = row.state === 'unack_active' ? { state: 'ack_active' as const, acked_by: user.username, acked_by_name: user.displayName, acked_at: now, ack_note: null, next_escalation_at: null } : {};
        return [record({ ...row, ...ack }, row.state, 'unshelved', now, user, { how: 'manual' })];
      });
    },

    dispatch(id, user, to) {
      return act((now) => {
        const row = mustFind(id);
        // A4: someone goes to confirm a fire on site; A7: guards are sent to what a camera saw.
        if (!isFire(row) && row.rule !== 'A7') throw new DomainError('RW_NOT_FIRE_ALARM', `alarm ${id} is neither a fire nor a CCTV alarm; nobody is dispatched to it`, 409);
        store.sql(
          `INSERT INTO fire_responses (alarm_id, dispatched_to, dispatched_by, dispatched_at) VALUES (?, ?, ?, ?)
           ON CONFLICT(alarm_id) DO UPDATE SET dispatched_to = excluded.dispatched_to, dispatched_by = excluded.dispatched_by, dispatched_at = excluded.dispatched_at`,
        ).run(id, to.trim(), user.username, now);
        return [record(row, row.state, 'dispatched', now, user, { to: to.trim() })];
      });
    },

    keepEvidence(id, user, reference) {
      const kept = reference.trim();
      if (kept === '') throw new DomainError('RW_NOTE_REQUIRED', 'say where the recording is kept (A7)', 400);
      return act((now) => {
        const row = mustFind(id);
        if (row.rule !== 'A7') throw new DomainError('RW_INVALID_REQUEST', `alarm ${id} is not a CCTV alarm; it has no recording to keep`, 409);
        // The camera's reference (a Frigate event id) stays first; each place the recording is kept follows it.
        const evidence = row.evidence === null ? kept : `${row.evidence} · ${kept}`;
        return [record({ ...row, evidence }, row.state, 'evidenceKept', now, user, { evidence: kept })];
      });
    },

    classify(id, user, classification, note) {
      const notices: EscalationNotice[] = [];
      const view = act((now) => {
        const row = mustFind(id);
        if (!isFire(row)) throw new DomainError('RW_NOT_FIRE_ALARM', `alarm ${id} is not a fire alarm`, 409);
        const wasConfirmed = records.view(row, now).fire?.classification === 'confirmed';
        store.sql(
          `INSERT INTO fire_responses (alarm_id, classification, classified_by, classified_at, note) VALUES (?, ?, ?, ?, ?)
           ON CONFLICT(alarm_id) DO UPDATE SET classification = excluded.classification, classified_by = excluded.classified_by,
             classified_at = excluded.classified_at, note = excluded.note`,
        ).run(id, classification, user.username, now, note.trim());
        // A correction of the note (or a second "confirmed") tells nobody again and opens no second plan.
        if (classification !== 'confirmed' || wasConfirmed) return [record(row, row.state, 'classified', now, user, { classification, note: note.trim() })];
        // A4: a confirmed fire goes up the whole roster chain at once, not level by level; the log names who, and
        // every console shows the level reached (the highest role with someone on duty).
        const chain = escalationRoles.map((role, i) => ({ role, level: i + 1, targets: deps.onDuty(role, now) }));
        const reached = Math.max(row.escalation_level, ...chain.filter((c) => c.targets.length > 0).map((c) => c.level));
        const d = record({ ...row, escalation_level: reached, next_escalation_at: escalationAfter(row, reached) }, row.state, 'classified', now, user, { classification, note: note.trim() });
        const named = chain.flatMap((c) => c.targets.map((u) => u.displayName));
        dutyLog.insert(entryFor(row, 'fire.notified', now, user.username, { user: user.displayName, targets: named.join(', ') || '—', rule: 'A4' }));
        for (const c of chain) notices.push({ reason: 'fireConfirmed', alarm: d.transition.alarm, level: c.level, role: c.role, targets: c.targets, at: now });
        // E4: the fire plan opens as a playbook on this alarm, its steps ticked in the console; the handover waits for it (S5).
        deps.playbooks.open({ type: 'fire', situation: note.trim(), alarmId: id, roomId: row.room_id }, user);
        return [d];
      });
      for (const n of notices) notify(n);
      return view;
    },

    escalateNow(id, user, role, reason) {
      const why = reason.trim();
      if (why === '') throw new DomainError('RW_NOTE_REQUIRED', 'say why the escalation cannot wait (A2)', 400);
      const level = escalationRoles.indexOf(role) + 1;
      // Skipping is for those below the level they call: duty staff and shift leads.
      requireRole(user, 'alarm.escalate', 'emergency escalation skipping levels (A2)');
      const notices: EscalationNotice[] = [];
      const view = act((now) => {
        const row = mustFind(id);
        if (row.state === 'normal') throw new DomainError('RW_INVALID_REQUEST', `alarm ${id} is over; nothing to escalate`, 409);
        const targets = deps.onDuty(role, now);
        const reached = Math.max(row.escalation_level, level);
        const next = escalationAfter(row, reached);
        const named = targets.map((u) => u.displayName).join(', ') || '—';
        const d = record({ ...row, escalation_level: reached, next_escalation_at: next }, row.state, 'emergencyEscalated', now, user, { role, reason: why, situation: why, targets: named, rule: 'A2' });
        notices.push({ reason: 'emergency', alarm: d.transition.alarm, level, role, targets, at: now });
        return [d];
      });
      for (const n of notices) notify(n);
      return view;
    },

    reportUp(id, user, note) {
      const text = note.trim();
      if (text === '') throw new DomainError('RW_NOTE_REQUIRED', 'say what was tried and what is needed (A8)', 400);
      return act((now) => {
        const row = mustFind(id);
        if (row.state !== 'ack_active' && row.state !== 'latched_ack') throw new DomainError('RW_INVALID_REQUEST', `alarm ${id} is ${row.state}; a fault is reported upwards once acknowledged and while it lasts (A8)`, 409);
        if (records.reportOf(id)) throw new DomainError('RW_INVALID_REQUEST', `alarm ${id} was already reported upwards`, 409);
        const chain = reportUpRoles(user.role).map((role) => ({ role, level: escalationRoles.indexOf(role) + 1, targets: deps.onDuty(role, now) }));
        const named = chain.flatMap((c) => c.targets.map((u) => u.displayName)).join(', ') || '—';
        store.sql('INSERT INTO alarm_reports (alarm_id, reported_by, reported_by_name, reported_at, note, targets) VALUES (?, ?, ?, ?, ?, ?)').run(id, user.username, user.displayName, now, text, named);
        const d = record(row, row.state, 'reportedUp', now, user, { note: text, targets: named, rule: 'A8' });
        for (const c of chain) pending.push({ reason: 'reportedUp', alarm: d.transition.alarm, level: c.level, role: c.role, targets: c.targets, at: now });
        return [d];
      });
    },

    tag(deviceId, user, request) {
      if (!deviceOf(deviceId)) throw new DomainError('RW_NOT_FOUND', `no device ${deviceId}`, 404);
      const now = clock.now();
      // A6: an isolation, or any tag on a fire/life-safety device, needs a supervisor; a duty user's is only a
      // request until approved. On a fire device the tag must say when it ends (docs/alarms.md "Device tags").
      const fire = lifeSafety(deviceId);
      if (fire && request.plannedEnd === undefined) throw new DomainError('RW_PLANNED_END_REQUIRED', `a tag on fire/life-safety device ${deviceId} needs a planned end (A6)`, 400);
      // A tag ends in the future or not at all (issue 13 medium 8): a past end would be overdue from its first minute.
      if (request.plannedEnd !== undefined && request.plannedEnd <= now) throw new DomainError('RW_INVALID_REQUEST', 'plannedEnd must be in the future', 400);
      const selfApproved = (request.kind === 'maintenance' && !fire) || can('device.approveTag', user.role);
      const tag = store.transaction(() => {
        if (records.tagOf(deviceId)) throw new DomainError('RW_TAG_EXISTS', `${deviceId} already has a tag`, 409);
        const tag = db
          .prepare(
            `INSERT INTO device_tags (device_id, kind, state, reason, tagged_by, tagged_at, planned_end, approved_by, approved_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING *`,
          )
          .get(deviceId, request.kind, selfApproved ? 'active' : 'requested', request.reason.trim(), user.username, now, request.plannedEnd ?? null, selfApproved ? user.username : null, selfApproved ? now : null) as unknown as TagRow;
        tagEntry(tag, 'device.tagged', user, now);
        return tag;
      });
      announceTag(deviceId, tagView(tag), now);
      return tagView(tag);
    },

    approveTag(deviceId, user) {
      requireRole(user, 'device.approveTag', 'approving a tag');
      const now = clock.now();
      const tag = store.transaction(() => {
        const existing = records.tagOf(deviceId);
        if (!existing) throw new DomainError('RW_NO_TAG', `${deviceId} has no tag`, 404);
        if (existing.state === 'active') throw new DomainError('RW_INVALID_REQUEST', `${deviceId}'s tag is already active`, 409);
        store.sql("UPDATE device_tags SET state = 'active', approved_by = ?, approved_at = ? WHERE device_id = ?").run(user.username, now, deviceId);
        const tag = records.tagOf(deviceId)!;
        tagEntry(tag, 'device.tagApproved', user, now);
        return tag;
      });
      announceTag(deviceId, tagView(tag), now);
      return tagView(tag);
    },

    untag(deviceId, user) {
      const now = clock.now();
      const done = store.transaction(() => {
        const existing = records.tagOf(deviceId);
        if (!existing) throw new DomainError('RW_NO_TAG', `${deviceId} has no tag`, 404);
        store.sql('DELETE FROM device_tags WHERE device_id = ?').run(deviceId);
        tagEntry(existing, 'device.untagged', user, now);
        return clear(deviceId, 'isolationOvernight', null, now);
      });
      publish(done ? [done] : []);
      announceTag(deviceId, { deviceId, removed: true }, now);
    },

    tags() {
      return (store.sql('SELECT * FROM device_tags ORDER BY tagged_at').all() as unknown as TagRow[]).map(tagView);
    },

    open() {
      const now = clock.now();
      return records.open().map((r) => records.view(r, now));
    },

    get(id) {
      const row = records.byId(id);
      return row ? records.view(row, clock.now()) : null;
    },

    summary() {
      return summarize(db, clock.now());
    },
  };
}
