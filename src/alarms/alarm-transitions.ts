// Lifecycle writes: every change of an alarm goes through `record`, which writes the row and its duty-log entry in
// the caller's transaction and announces the transition once it has committed (nobody hears of an unrecorded
// alarm, A5). `raise` and `clear` feed the lifecycle table (lifecycle.ts); notices to people leave the same way.
import type { Bus } from '../core/bus.ts';
import type { Logger } from '../core/logger.ts';
import type { Store } from '../store/store.ts';
import type { Site } from '../config/load.ts';
import type { AlarmCondition, Priority, Role, UserView } from '../contract/api.ts';
import type { DutyLog, NewDutyLogEntry } from '../sinks/duty-log/duty-log.ts';
import { isUnacknowledged, nextTransition, type AlarmInput } from './lifecycle.ts';
import { escalationDelays, escalationRoles, nextEscalationAt, keyFaultRoles, type EscalationNotice, type Notifier } from './escalation.ts';
import { runStatusDevices } from './equipment-events.ts';
import type { AlarmRecords, AlarmRow } from './alarm-records.ts';
import type { AlarmEventKind, AlarmTransition } from './types.ts';

export interface AlarmTransitionsDeps {
  store: Store;
  records: AlarmRecords;
  dutyLog: DutyLog;
  bus: Bus;
  logger: Logger;
  site: Site;
  onDuty: (role: Role, at: number) => UserView[];
  notifiers?: readonly Notifier[] | undefined;
}

/** Where an alarm belongs: its point (or device, or gateway part) key, room, device and unit. */
export interface AlarmPlace {
  key: string;
  roomId: string;
  deviceId: string;
  unit: string;
}

/** What a raise needs; limit and value default to 0 (discrete and device-level alarms), detail to none. */
export interface Raise {
  point: AlarmPlace;
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

/** A changed row to write: `row` as it is to be stored, `from` the state it had. */
export interface RowChange {
  row: AlarmRow;
  from: AlarmRow['state'];
  event: AlarmEventKind;
  now: number;
  /** Who did it; null when the process did. */
  user: UserView | null;
  /** What the duty-log entry says besides the row (note, reason, targets …). */
  params?: NewDutyLogEntry['params'];
}

/** One lifecycle input on a row; `patch` sets fields (value, who acknowledged) with the new state. */
export interface LifecycleStep {
  row: AlarmRow;
  input: AlarmInput;
  now: number;
  patch?: Partial<AlarmRow>;
  user?: UserView | null;
  params?: NewDutyLogEntry['params'];
}

export interface DutyLogLine {
  kind: NewDutyLogEntry['kind'];
  now: number;
  username: string | null;
  params: NewDutyLogEntry['params'];
}

/** A duty-log entry about an alarm: the row's facts (value, limit, priority, rule, state) and what else happened. */
export function alarmEntry(row: AlarmRow, { kind, now, username, params }: DutyLogLine): NewDutyLogEntry {
  return {
    ts: now,
    kind,
    roomId: row.room_id,
    deviceId: row.device_id,
    pointKey: row.point_key,
    username,
    alarmId: row.id,
    params: { value: row.value, limit: row.limit_value, unit: row.unit, condition: row.condition, priority: row.priority, rule: row.rule, state: row.state, ...params },
  };
}

/** Who holds each of these roles now, with their escalation level (the chain a notice goes to). */
export function rosterChain(roles: readonly Role[], onDuty: (role: Role, at: number) => UserView[], now: number) {
  const chain = roles.map((role) => ({ role, level: escalationRoles.indexOf(role) + 1, targets: onDuty(role, now) }));
  return { chain, named: chain.flatMap((c) => c.targets.map((u) => u.displayName)).join(', ') || '—' };
}

/**
 * A3 (docs/alarms.md "Key-equipment faults — decision"): a fault of key equipment is an alarm the rule names A3 (a
 * profile's fault code so marked, run feedback against command), or any high or critical contact/fault-code alarm
 * of a device that starts and stops (a run-status point: pumps, chillers), whatever rule its profile gives it.
 * Not a communication or configuration alarm: those say the gateway lost sight of the device, not that it stopped.
 */
export function keyEquipmentFault(site: Site): (row: AlarmRow) => boolean {
  const keyEquipment = runStatusDevices(site);
  return (row) =>
    row.rule === 'A3' || (row.condition === 'discrete' && (row.priority === 'high' || row.priority === 'critical') && keyEquipment.has(row.device_id));
}

export function createAlarmTransitions(deps: AlarmTransitionsDeps) {
  const { store, records, dutyLog, bus, logger, site } = deps;
  const config = site.config.alarms ?? {};
  const isKeyFault = keyEquipmentFault(site);

  /** Every channel (webhook, SMS …), once the transaction has committed; a failure is logged, never silent. */
  const notify = (notice: EscalationNotice): void =>
    store.afterCommit(() => {
      for (const n of deps.notifiers ?? []) {
        n.notify(notice).catch((err: unknown) => logger.error('notice failed', { channel: n.name, alarm: notice.alarm.id, reason: notice.reason, err: String(err) }));
      }
    });

  /** Writes a changed row and its duty-log entry; must run inside a transaction. */
  const record = ({ row, from, event, now, user, params = {} }: RowChange): AlarmTransition => {
    records.update(row);
    dutyLog.insert(alarmEntry(row, { kind: `alarm.${event}` as NewDutyLogEntry['kind'], now, username: user?.username ?? null, params: { ...(user ? { user: user.displayName } : {}), ...params } }));
    const t: AlarmTransition = { kind: event, from, to: row.state, ts: now, username: user?.username ?? null, alarm: records.view(row, now) };
    // The duty log announces its own entries after commit; this announces the transition.
    store.afterCommit(() => {
      logger.info(`alarm ${t.kind}`, { id: t.alarm.id, point: t.alarm.pointKey, condition: t.alarm.condition, state: t.to, value: t.alarm.value, user: t.username });
      bus.emit('alarm', t);
    });
    return t;
  };

  /**
   * A3: a fault of key equipment goes to the department head and the manager as it is raised, not only when nobody
   * answers; the log names who was told.
   */
  const routeKeyFault = (row: AlarmRow, t: AlarmTransition, now: number): void => {
    const { chain, named } = rosterChain(keyFaultRoles, deps.onDuty, now);
    dutyLog.insert(alarmEntry(row, { kind: 'alarm.routed', now, username: null, params: { targets: named, rule: 'A3' } }));
    for (const c of chain) notify({ reason: 'keyEquipmentFault', alarm: t.alarm, level: c.level, role: c.role, targets: c.targets, at: now });
  };

  /** Applies one lifecycle input; null when it does not apply in the row's state. */
  const apply = ({ row, input, now, patch = {}, user = null, params = {} }: LifecycleStep): AlarmTransition | null => {
    const t = nextTransition(row.state, input, row.latched === 1);
    if (!t) return null;
    const next: AlarmRow = { ...row, ...patch, state: t.to };
    if (t.to === 'normal') next.cleared_at = now;
    if (t.event === 'raised') {
      // A fresh annunciation: escalation starts again from the first level (A1).
      next.escalation_level = 0;
      next.next_escalation_at = nextEscalationAt(escalationDelays(config, row.priority), now, 0, (role) => deps.onDuty(role, now).length > 0);
      next.acked_by = next.acked_by_name = next.ack_note = null;
      next.acked_at = null;
    }
    // A returned-to-normal alarm waits for its acknowledgement but no longer escalates: there is nothing left to
    // act on (ISA-18.2 state D; docs/alarms.md "Returned to normal, unacknowledged"). A 3-second comm blip does
    // not reach the supervisor 20 minutes later. A latched alarm (fire) stays latched and keeps escalating.
    if (!isUnacknowledged(next.state) || next.state === 'rtn_unack') next.next_escalation_at = null;
    const done = record({ row: next, from: row.state, event: t.event, now, user, params });
    if (t.event === 'raised' && isKeyFault(next)) routeKeyFault(next, done, now);
    return done;
  };

  const raise = ({ point, condition, kind, priority, rule, latched = false, limit = 0, value = 0, detail = null, evidence = null, now }: Raise): AlarmTransition | null => {
    // The detail (last error, what does not match) goes into the duty-log entry too: the log says why (A5); so does
    // a camera's evidence reference (A7).
    const params: NewDutyLogEntry['params'] = { ...(detail === null ? {} : { detail }), ...(evidence === null ? {} : { evidence }) };
    const existing = records.openByCondition(point.key, condition);
    if (existing) return apply({ row: existing, input: 'activate', now, patch: { value, detail, ...(evidence === null ? {} : { evidence }) }, params });
    const inserted = records.insert({ pointKey: point.key, roomId: point.roomId, deviceId: point.deviceId, unit: point.unit, condition, kind, priority, rule, latched, limit, value, detail, evidence, raisedAt: now });
    return apply({ row: inserted, input: 'activate', now, params });
  };

  /** The condition has gone; `value` (when known) is the value it went at. */
  const clear = ({ key, condition, value = null, now }: { key: string; condition: AlarmCondition; value?: number | null; now: number }): AlarmTransition | null => {
    const row = records.openByCondition(key, condition);
    return row ? apply({ row, input: 'clear', now, patch: value === null ? {} : { value } }) : null;
  };

  /** Runs state changes in one transaction; each transition is announced once it has committed. */
  const commit = (work: () => (AlarmTransition | null)[]): AlarmTransition[] =>
    store.transaction(() => work().filter((d): d is AlarmTransition => d !== null));

  return { record, apply, raise, clear, commit, notify };
}

export type AlarmTransitions = ReturnType<typeof createAlarmTransitions>;
