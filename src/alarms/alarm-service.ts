// The alarm service: evaluates readings against point limits, drives the lifecycle table, and makes
// every transition durable (alarm row + duty-log entry in one transaction) before anyone hears of it.
import type { Store } from '../store/store.ts';
import type { Clock } from '../core/clock.ts';
import type { Bus, DeviceStatus } from '../core/bus.ts';
import type { Logger } from '../core/logger.ts';
import type { Reading } from '../core/reading.ts';
import type { AlarmCondition, AlarmState, AlarmView, Priority, UserView } from '../contract/api.ts';
import type { Site, SitePoint } from '../config/load.ts';
import type { DutyLog } from '../sinks/duty-log/duty-log.ts';
import { DomainError } from '../core/errors.ts';
import { configuredConditions, inactive, priorityOf, stepCondition, type ConditionState } from './limit-rule.ts';
import { isConditionActive, nextTransition, type AlarmInput } from './lifecycle.ts';
import type { AlarmTransition } from './types.ts';

export interface AlarmService {
  /** Rebuilds rule state from the store's open alarms; call once before the first evaluate. */
  start(): void;
  evaluate(readings: readonly Reading[]): void;
  /** A device offline raises its communication-loss alarm, online clears it (issue 3; A8: report at once). */
  deviceStatus(status: DeviceStatus): void;
  acknowledge(id: number, user: UserView, note: string): AlarmView;
  /** Alarms not in the normal state, newest first. */
  open(): AlarmView[];
  get(id: number): AlarmView | null;
}

interface AlarmRow {
  id: number;
  point_key: string;
  room_id: string;
  device_id: string;
  condition: AlarmCondition;
  priority: Priority;
  rule: string | null;
  state: AlarmState;
  value: number;
  limit_value: number;
  unit: string;
  raised_at: number;
  acked_by: string | null;
  acked_by_name: string | null;
  acked_at: number | null;
  ack_note: string | null;
  cleared_at: number | null;
}

const toView = (r: AlarmRow): AlarmView => ({
  id: r.id,
  pointKey: r.point_key,
  roomId: r.room_id,
  deviceId: r.device_id,
  condition: r.condition,
  priority: r.priority,
  state: r.state,
  rule: r.rule,
  value: r.value,
  limit: r.limit_value,
  unit: r.unit,
  raisedAt: r.raised_at,
  ackedBy: r.acked_by,
  ackedByName: r.acked_by_name,
  ackedAt: r.acked_at,
  ackNote: r.ack_note,
  clearedAt: r.cleared_at,
});

export function createAlarmService(deps: {
  store: Store;
  site: Site;
  dutyLog: DutyLog;
  bus: Bus;
  clock: Clock;
  logger: Logger;
}): AlarmService {
  const { store, site, dutyLog, bus, clock, logger } = deps;
  const { db } = store;
  /** Rule state per `${pointKey}:${condition}`. */
  const ruleState = new Map<string, ConditionState>();
  const openByCondition = db.prepare("SELECT * FROM alarms WHERE point_key = ? AND condition = ? AND state <> 'normal'");
  const byId = db.prepare('SELECT * FROM alarms WHERE id = ?');

  const publish = (transitions: AlarmTransition[], entries: ReturnType<DutyLog['insert']>[]): void => {
    for (const t of transitions) {
      logger.info(`alarm ${t.kind}`, { id: t.alarm.id, point: t.alarm.pointKey, condition: t.alarm.condition, state: t.to, value: t.alarm.value, limit: t.alarm.limit, user: t.username });
      bus.emit('alarm', t);
    }
    for (const e of entries) bus.emit('dutyLog', e);
  };

  /** Applies one input to one alarm row inside the current transaction; returns the transition made. */
  const apply = (
    row: AlarmRow,
    input: AlarmInput,
    now: number,
    patch: Partial<AlarmRow>,
    username: string | null,
    displayName: string | null,
  ): { transition: AlarmTransition; entry: ReturnType<DutyLog['insert']> } | null => {
    const t = nextTransition(row.state, input);
    if (!t) return null;
    const next: AlarmRow = { ...row, ...patch, state: t.to };
    if (t.to === 'normal') next.cleared_at = now;
    db.prepare(
      'UPDATE alarms SET state = ?, value = ?, acked_by = ?, acked_by_name = ?, acked_at = ?, ack_note = ?, cleared_at = ? WHERE id = ?',
    ).run(next.state, next.value, next.acked_by, next.acked_by_name, next.acked_at, next.ack_note, next.cleared_at, next.id);
    const alarm = toView(next);
    const entry = dutyLog.insert({
      ts: now,
      kind: t.event === 'raised' ? 'alarm.raised' : t.event === 'acknowledged' ? 'alarm.acknowledged' : t.event === 'returned' ? 'alarm.returned' : 'alarm.cleared',
      roomId: row.room_id,
      deviceId: row.device_id,
      pointKey: row.point_key,
      username,
      alarmId: row.id,
      params: {
        value: next.value,
        limit: next.limit_value,
        unit: next.unit,
        condition: next.condition,
        priority: next.priority,
        rule: next.rule,
        state: next.state,
        ...(input === 'ack' ? { note: next.ack_note, user: displayName } : {}),
      },
    });
    return { transition: { kind: t.event, from: row.state, to: t.to, ts: now, username, alarm }, entry };
  };

  const insertRow = db.prepare(
    `INSERT INTO alarms (point_key, room_id, device_id, condition, priority, rule, state, value, limit_value, unit, raised_at)
     VALUES (?, ?, ?, ?, ?, ?, 'normal', ?, ?, ?, ?) RETURNING *`,
  );

  const raise = (point: SitePoint, condition: AlarmCondition, limit: number, value: number, now: number) => {
    const existing = openByCondition.get(point.key, condition) as AlarmRow | undefined;
    if (existing) return apply(existing, 'activate', now, { value }, null, null);
    const inserted = insertRow.get(point.key, point.roomId, point.deviceId, condition, priorityOf(condition, point.limits!), point.limits!.rule ?? null, value, limit, point.spec.unit, now) as unknown as AlarmRow;
    return apply(inserted, 'activate', now, {}, null, null);
  };

  return {
    start() {
      ruleState.clear();
      const rows = db.prepare("SELECT * FROM alarms WHERE state <> 'normal'").all() as unknown as AlarmRow[];
      for (const r of rows) ruleState.set(`${r.point_key}:${r.condition}`, { active: isConditionActive(r.state), pendingSince: null });
      logger.info('alarm state restored', { open: rows.length });
    },

    evaluate(readings) {
      const now = clock.now();
      const transitions: AlarmTransition[] = [];
      const entries: ReturnType<DutyLog['insert']>[] = [];
      const changes: (() => ReturnType<typeof apply>)[] = [];
      for (const r of readings) {
        // Only a fresh, good number can raise or clear a limit alarm; bad data is the job of comm-loss alarms.
        if (r.quality !== 'good' || typeof r.value !== 'number') continue;
        const point = site.points.get(r.pointKey);
        if (!point?.limits) continue;
        const value = r.value;
        for (const { condition, limit } of configuredConditions(point.limits)) {
          const key = `${point.key}:${condition}`;
          const step = stepCondition(condition, limit, point.limits, ruleState.get(key) ?? inactive, value, now);
          ruleState.set(key, step.state);
          if (step.change === 'activate') changes.push(() => raise(point, condition, limit, value, now));
          if (step.change === 'clear') {
            changes.push(() => {
              const row = openByCondition.get(point.key, condition) as AlarmRow | undefined;
              return row ? apply(row, 'clear', now, { value }, null, null) : null;
            });
          }
        }
      }
      if (changes.length === 0) return;
      store.transaction(() => {
        for (const change of changes) {
          const done = change();
          if (done) {
            transitions.push(done.transition);
            entries.push(done.entry);
          }
        }
      });
      publish(transitions, entries);
    },

    deviceStatus(status) {
      const key = `${status.deviceId}.comm`;
      const now = clock.now();
      const done = store.transaction(() => {
        const row = openByCondition.get(key, 'commLoss') as AlarmRow | undefined;
        if (status.online) return row ? apply(row, 'clear', now, {}, null, null) : null;
        if (row) return apply(row, 'activate', now, {}, null, null); // back after a return not yet acknowledged
        const inserted = insertRow.get(key, status.roomId, status.deviceId, 'commLoss', 'high', 'A8', 0, 0, '', now) as unknown as AlarmRow;
        return apply(inserted, 'activate', now, {}, null, null);
      });
      if (done) publish([done.transition], [done.entry]);
    },

    acknowledge(id, user, note) {
      const trimmed = note.trim();
      const result = store.transaction(() => {
        const row = byId.get(id) as AlarmRow | undefined;
        if (!row) throw new DomainError('RW_NOT_FOUND', `no alarm ${id}`, 404);
        if (row.priority === 'critical' && trimmed === '') throw new DomainError('RW_NOTE_REQUIRED', 'a critical alarm is acknowledged with a note', 400);
        const now = clock.now();
        const done = apply(row, 'ack', now, { acked_by: user.username, acked_by_name: user.displayName, acked_at: now, ack_note: trimmed || null }, user.username, user.displayName);
        if (!done) throw new DomainError('RW_ALARM_NOT_ACKABLE', `alarm ${id} is ${row.state}; nothing to acknowledge`, 409);
        return done;
      });
      publish([result.transition], [result.entry]);
      return result.transition.alarm;
    },

    open() {
      return (db.prepare("SELECT * FROM alarms WHERE state <> 'normal' ORDER BY raised_at DESC, id DESC").all() as unknown as AlarmRow[]).map(toView);
    },

    get(id) {
      const row = byId.get(id) as AlarmRow | undefined;
      return row ? toView(row) : null;
    },
  };
}
