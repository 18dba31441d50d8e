// What people do to an alarm: acknowledge, reset a latched one, shelve and unshelve, dispatch someone to look (A4,
// A7), classify a fire (A4; a confirmed one opens the fire playbook, E4), say where a CCTV recording is kept (A7),
// escalate in an emergency (A2), report a fault upwards (A8). Each is checked, written with who and when in one
// transaction, and announced once durable.
import type { Clock } from '../core/clock.ts';
import type { AlarmView, FireClassification, Role, UserView } from '../contract/api.ts';
import type { DutyLog, NewDutyLogEntry } from '../sinks/duty-log/duty-log.ts';
import type { Site } from '../config/load.ts';
import { DomainError } from '../core/errors.ts';
import { can, permissionTable, type Action } from '../auth/permissions.ts';
import { isUnacknowledged } from './lifecycle.ts';
import { escalationDelays, escalationRoles, nextEscalationAt, reportUpRoles } from './escalation.ts';
import { shelveLimits } from './shelve-limits.ts';
import type { AlarmRecords, AlarmRow } from './alarm-records.ts';
import { alarmEntry, rosterChain, type AlarmTransitions } from './alarm-transitions.ts';
import type { AlarmTransition } from './types.ts';
import type { Playbooks } from '../playbooks/playbooks.ts';

export interface OperatorActionsDeps {
  site: Site;
  clock: Clock;
  dutyLog: DutyLog;
  records: AlarmRecords;
  transitions: AlarmTransitions;
  onDuty: (role: Role, at: number) => UserView[];
  /** E4: a confirmed fire opens the fire playbook (inside the classification's transaction). */
  playbooks: Pick<Playbooks, 'open'>;
}

export function requireRole(user: UserView, action: Action, what: string): void {
  if (!can(action, user.role)) throw new DomainError('RW_FORBIDDEN', `${what} needs one of the roles ${permissionTable[action].join(', ')}`, 403);
}

const isFire = (row: AlarmRow): boolean => row.rule === 'A4';

export function createOperatorActions(deps: OperatorActionsDeps) {
  const { site, clock, dutyLog, records, transitions } = deps;
  const { record, apply } = transitions;
  const cfg = site.config.alarms ?? {};
  const shelveMax = shelveLimits(cfg.maxShelveMinutes);

  const mustFind = (id: number): AlarmRow => {
    const row = records.byId(id);
    if (!row) throw new DomainError('RW_NOT_FOUND', `no alarm ${id}`, 404);
    return row;
  };
  /** Escalation goes on from a level reached out of turn (A2 emergency, A4 confirmed fire), on the alarm's own schedule, while it is unacknowledged. */
  const escalationAfter = (row: AlarmRow, reached: number, now: number): number | null =>
    isUnacknowledged(row.state) && row.state !== 'rtn_unack' ? nextEscalationAt(escalationDelays(cfg, row.priority), row.raised_at, reached, (role) => deps.onDuty(role, now).length > 0) : null;
  /** One operator action on one alarm, durable, then broadcast; the alarm as it is afterwards. */
  const act = (work: (now: number) => AlarmTransition): AlarmView => transitions.commit(() => [work(clock.now())])[0]!.alarm;

  return {
    acknowledge(id: number, user: UserView, note: string): AlarmView {
      const trimmed = note.trim();
      return act((now) => {
        const row = mustFind(id);
        if (row.priority === 'critical' && trimmed === '') throw new DomainError('RW_NOTE_REQUIRED', 'a critical alarm is acknowledged with a note', 400);
        const d = apply({ row, input: 'ack', now, patch: { acked_by: user.username, acked_by_name: user.displayName, acked_at: now, ack_note: trimmed || null }, user, params: { note: trimmed || null } });
        if (!d) throw new DomainError('RW_ALARM_NOT_ACKABLE', `alarm ${id} is ${row.state}; nothing to acknowledge`, 409);
        return d;
      });
    },

    reset(id: number, user: UserView, note: string): AlarmView {
      requireRole(user, 'alarm.reset', 'resetting a latched alarm');
      return act((now) => {
        const row = mustFind(id);
        if (row.latched === 1 && isFire(row) && row.state === 'latched_ack') {
          if (!records.view(row, now).onSite?.classification) throw new DomainError('RW_INVALID_REQUEST', 'classify the fire alarm (confirmed, false alarm, device fault, routine test) before resetting it (A4)', 409);
        }
        const d = apply({ row, input: 'reset', now, user, params: { note: note.trim() || null } });
        if (!d) throw new DomainError('RW_NOT_LATCHED', `alarm ${id} is ${row.state}; only an acknowledged latched alarm whose condition has gone is reset`, 409);
        return d;
      });
    },

    shelve(id: number, user: UserView, minutes: number, reason: string): AlarmView {
      return act((now) => {
        const row = mustFind(id);
        // A6: fire alarms are never silenced by one person; isolation needs a supervisor's approval instead.
        if (row.latched === 1 || isFire(row)) throw new DomainError('RW_FORBIDDEN', 'fire alarms cannot be shelved; isolate the device with a supervisor’s approval (A6)', 403);
        const max = shelveMax[row.priority];
        if (minutes > max) throw new DomainError('RW_INVALID_REQUEST', `a ${row.priority} alarm may be shelved for at most ${max} minutes at this site`, 400);
        if (row.state === 'normal') throw new DomainError('RW_ALARM_NOT_ACKABLE', `alarm ${id} is over`, 409);
        const until = now + minutes * 60_000;
        records.shelve({ point_key: row.point_key, condition: row.condition, shelved_by: user.username, reason: reason.trim(), shelved_at: now, until });
        return record({ row, from: row.state, event: 'shelved', now, user, params: { reason: reason.trim(), until: new Date(until).toISOString() } });
      });
    },

    unshelve(id: number, user: UserView): AlarmView {
      return act((now) => {
        const row = mustFind(id);
        if (!records.unshelve(row.point_key, row.condition)) throw new DomainError('RW_INVALID_REQUEST', `alarm ${id} is not shelved`, 409);
        // A manual unshelve means the operator has seen it: an active unacknowledged alarm counts as acknowledged.
        const ack = row.state === 'unack_active' ? { state: 'ack_active' as const, acked_by: user.username, acked_by_name: user.displayName, acked_at: now, ack_note: null, next_escalation_at: null } : {};
        return record({ row: { ...row, ...ack }, from: row.state, event: 'unshelved', now, user, params: { how: 'manual' } });
      });
    },

    dispatch(id: number, user: UserView, to: string): AlarmView {
      return act((now) => {
        const row = mustFind(id);
        // A4: someone goes to confirm a fire on site; A7: guards are sent to what a camera saw.
        if (!isFire(row) && row.rule !== 'A7') throw new DomainError('RW_NOT_FIRE_ALARM', `alarm ${id} is neither a fire nor a CCTV alarm; nobody is dispatched to it`, 409);
        records.dispatch({ alarmId: id, to: to.trim(), by: user.username, at: now });
        // A7: the log's record of the response names the recording the guards go to.
        const params: NewDutyLogEntry['params'] = row.rule === 'A7' ? { to: to.trim(), evidence: row.evidence ?? '—' } : { to: to.trim() };
        return record({ row, from: row.state, event: 'dispatched', now, user, params });
      });
    },

    /** A7: the recording is saved off the camera's own retention; where it is kept follows the camera's reference. */
    keepEvidence(id: number, user: UserView, reference: string): AlarmView {
      const kept = reference.trim();
      if (kept === '') throw new DomainError('RW_NOTE_REQUIRED', 'say where the recording is kept (A7)', 400);
      return act((now) => {
        const row = mustFind(id);
        if (row.rule !== 'A7') throw new DomainError('RW_INVALID_REQUEST', `alarm ${id} is not a CCTV alarm; it has no recording to keep`, 409);
        // The camera's reference (a Frigate event id) stays first; each place the recording is kept follows it.
        const evidence = row.evidence === null ? kept : `${row.evidence} · ${kept}`;
        return record({ row: { ...row, evidence }, from: row.state, event: 'evidenceKept', now, user, params: { evidence: kept } });
      });
    },

    classify(id: number, user: UserView, classification: FireClassification, note: string): AlarmView {
      return act((now) => {
        const row = mustFind(id);
        if (!isFire(row)) throw new DomainError('RW_NOT_FIRE_ALARM', `alarm ${id} is not a fire alarm`, 409);
        const wasConfirmed = records.view(row, now).onSite?.classification === 'confirmed';
        records.classify({ alarmId: id, classification, by: user.username, at: now, note: note.trim() });
        const params = { classification, note: note.trim() };
        // A correction of the note (or a second "confirmed") tells nobody again and opens no second plan.
        if (classification !== 'confirmed' || wasConfirmed) return record({ row, from: row.state, event: 'classified', now, user, params });
        // A4: a confirmed fire goes up the whole roster chain at once, not level by level; the log names who, and
        // every console shows the level reached (the highest role with someone on duty).
        const { chain, named } = rosterChain(escalationRoles, deps.onDuty, now);
        const reached = Math.max(row.escalation_level, ...chain.filter((c) => c.targets.length > 0).map((c) => c.level));
        const d = record({ row: { ...row, escalation_level: reached, next_escalation_at: escalationAfter(row, reached, now) }, from: row.state, event: 'classified', now, user, params });
        dutyLog.insert(alarmEntry(row, { kind: 'fire.notified', now, username: user.username, params: { user: user.displayName, targets: named, rule: 'A4' } }));
        for (const c of chain) transitions.notify({ reason: 'fireConfirmed', alarm: d.alarm, level: c.level, role: c.role, targets: c.targets, at: now });
        // E4: the fire plan opens as a playbook on this alarm, its steps ticked in the console; the handover waits for it (S5).
        deps.playbooks.open({ type: 'fire', situation: note.trim(), alarmId: id, roomId: row.room_id }, user);
        return d;
      });
    },

    escalateNow(id: number, user: UserView, role: 'supervisor' | 'manager', reason: string): AlarmView {
      const why = reason.trim();
      if (why === '') throw new DomainError('RW_NOTE_REQUIRED', 'say why the escalation cannot wait (A2)', 400);
      const level = escalationRoles.indexOf(role) + 1;
      // Skipping is for those below the level they call: duty staff and shift leads.
      requireRole(user, 'alarm.escalate', 'emergency escalation skipping levels (A2)');
      return act((now) => {
        const row = mustFind(id);
        if (row.state === 'normal') throw new DomainError('RW_INVALID_REQUEST', `alarm ${id} is over; nothing to escalate`, 409);
        const targets = deps.onDuty(role, now);
        const reached = Math.max(row.escalation_level, level);
        const next = escalationAfter(row, reached, now);
        const named = targets.map((u) => u.displayName).join(', ') || '—';
        const d = record({ row: { ...row, escalation_level: reached, next_escalation_at: next }, from: row.state, event: 'emergencyEscalated', now, user, params: { role, reason: why, situation: why, targets: named, rule: 'A2' } });
        transitions.notify({ reason: 'emergency', alarm: d.alarm, level, role, targets, at: now });
        return d;
      });
    },

    reportUp(id: number, user: UserView, note: string): AlarmView {
      const text = note.trim();
      if (text === '') throw new DomainError('RW_NOTE_REQUIRED', 'say what was tried and what is needed (A8)', 400);
      return act((now) => {
        const row = mustFind(id);
        if (row.state !== 'ack_active' && row.state !== 'latched_ack') throw new DomainError('RW_INVALID_REQUEST', `alarm ${id} is ${row.state}; a fault is reported upwards once acknowledged and while it lasts (A8)`, 409);
        if (records.reportOf(id)) throw new DomainError('RW_INVALID_REQUEST', `alarm ${id} was already reported upwards`, 409);
        const { chain, named } = rosterChain(reportUpRoles(user.role), deps.onDuty, now);
        records.insertReport({ alarmId: id, by: user.username, byName: user.displayName, at: now, note: text, targets: named });
        const d = record({ row, from: row.state, event: 'reportedUp', now, user, params: { note: text, targets: named, rule: 'A8' } });
        for (const c of chain) transitions.notify({ reason: 'reportedUp', alarm: d.alarm, level: c.level, role: c.role, targets: c.targets, at: now });
        return d;
      });
    },
  };
}

export type OperatorActions = ReturnType<typeof createOperatorActions>;
