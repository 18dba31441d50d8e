// Emergency playbooks (E1–E4): opened by hand or from an alarm, each step ticked with its time into the
// duty log, closed only with the written incident report (L7) once every step is done (a step that does
// not apply is done with a note saying so). An open playbook is an incident being handled: the handover
// waits for it (S5).
import type { Store } from '../store/store.ts';
import type { Clock } from '../core/clock.ts';
import type { DutyLog, NewDutyLogEntry } from '../sinks/duty-log/duty-log.ts';
import type { UserView } from '../contract/api.ts';
import type { PlaybookOpenRequest, PlaybookReport, PlaybookView } from '../contract/playbooks.ts';
import { DomainError } from '../core/errors.ts';
import { playbookRules, playbookSteps } from './definitions.ts';

export interface Playbooks {
  open(request: PlaybookOpenRequest, by: UserView): PlaybookView;
  step(id: number, stepId: string, note: string, by: UserView): PlaybookView;
  close(id: number, report: PlaybookReport, by: UserView): PlaybookView;
  list(openOnly: boolean): PlaybookView[];
}

interface Row {
  id: number;
  type: PlaybookView['type'];
  situation: string;
  alarm_id: number | null;
  room_id: string | null;
  opened_by: string;
  opened_at: number;
  state: 'open' | 'closed';
  closed_by: string | null;
  closed_at: number | null;
  report: string | null;
}

export function createPlaybooks(deps: { store: Store; dutyLog: DutyLog; clock: Clock; roomIds: ReadonlySet<string> }): Playbooks {
  const { store, dutyLog, clock, roomIds } = deps;
  const { db } = store;
  const view = (r: Row): PlaybookView => {
    const done = new Map((db.prepare('SELECT * FROM playbook_steps WHERE playbook_id = ?').all(r.id) as { step_id: string; done_by: string; done_at: number; note: string }[]).map((s) => [s.step_id, s]));
    return {
      id: r.id,
      type: r.type,
      rule: playbookRules[r.type],
      situation: r.situation,
      alarmId: r.alarm_id,
      roomId: r.room_id,
      openedBy: r.opened_by,
      openedAt: r.opened_at,
      steps: playbookSteps[r.type].map((id) => ({ id, doneBy: done.get(id)?.done_by ?? null, doneAt: done.get(id)?.done_at ?? null, note: done.get(id)?.note ?? null })),
      state: r.state,
      closedBy: r.closed_by,
      closedAt: r.closed_at,
      report: r.report ? (JSON.parse(r.report) as PlaybookReport) : null,
    };
  };
  const openRow = (id: number): Row => {
    const r = db.prepare('SELECT * FROM playbooks WHERE id = ?').get(id) as Row | undefined;
    if (!r) throw new DomainError('RW_NOT_FOUND', `no playbook ${id}`, 404);
    if (r.state !== 'open') throw new DomainError('RW_INVALID_REQUEST', `playbook ${id} is closed`, 409);
    return r;
  };
  /** Runs a change and its duty-log entry in one transaction, then tells the consoles. */
  const logged = <T>(work: (now: number) => { result: T; entry: Omit<NewDutyLogEntry, 'ts'> }): T => {
    const now = clock.now();
    return store.transaction(() => {
      const { result, entry } = work(now);
      dutyLog.insert({ ts: now, ...entry });
      return result;
    });
  };

  return {
    open(req, by) {
      if (req.roomId !== undefined && !roomIds.has(req.roomId)) throw new DomainError('RW_INVALID_REQUEST', `unknown room "${req.roomId}"`, 400);
      // References are checked (issue 13): a playbook names an alarm that exists.
      if (req.alarmId !== undefined && !db.prepare('SELECT 1 FROM alarms WHERE id = ?').get(req.alarmId)) throw new DomainError('RW_NOT_FOUND', `no alarm ${req.alarmId}`, 404);
      return logged((now) => {
        const r = db
          .prepare(`INSERT INTO playbooks (type, situation, alarm_id, room_id, opened_by, opened_at, state) VALUES (?, ?, ?, ?, ?, ?, 'open') RETURNING *`)
          .get(req.type, req.situation, req.alarmId ?? null, req.roomId ?? null, by.username, now) as unknown as Row;
        return { result: view(r), entry: { kind: 'playbook.opened', username: by.username, roomId: req.roomId ?? null, params: { playbook: r.id, type: req.type, rule: playbookRules[req.type], situation: req.situation, alarm: req.alarmId ?? null, user: by.displayName } } };
      });
    },

    step(id, stepId, note, by) {
      return logged((now) => {
        const r = openRow(id);
        if (!playbookSteps[r.type].includes(stepId)) throw new DomainError('RW_INVALID_REQUEST', `playbook ${r.type} has no step "${stepId}" (steps: ${playbookSteps[r.type].join(', ')})`, 400);
        if (db.prepare('SELECT 1 FROM playbook_steps WHERE playbook_id = ? AND step_id = ?').get(id, stepId)) throw new DomainError('RW_INVALID_REQUEST', `step "${stepId}" is already done`, 409);
        db.prepare('INSERT INTO playbook_steps (playbook_id, step_id, done_by, done_at, note) VALUES (?, ?, ?, ?, ?)').run(id, stepId, by.username, now, note);
        return { result: view(r), entry: { kind: 'playbook.step', username: by.username, roomId: r.room_id, params: { playbook: id, type: r.type, step: stepId, note, user: by.displayName } } };
      });
    },

    close(id, report, by) {
      return logged((now) => {
        const r = openRow(id);
        const missing = view(r).steps.filter((s) => s.doneAt === null).map((s) => s.id);
        if (missing.length > 0) throw new DomainError('RW_INVALID_REQUEST', `steps not done yet: ${missing.join(', ')} (a step that does not apply is done with a note saying so)`, 409);
        const closed = db.prepare(`UPDATE playbooks SET state = 'closed', closed_by = ?, closed_at = ?, report = ? WHERE id = ? RETURNING *`).get(by.username, now, JSON.stringify(report), id) as unknown as Row;
        return { result: view(closed), entry: { kind: 'playbook.closed', username: by.username, roomId: r.room_id, params: { playbook: id, type: r.type, cause: report.cause, course: report.course, result: report.result, followUp: report.followUp, user: by.displayName } } };
      });
    },

    list(openOnly) {
      return (db.prepare(`SELECT * FROM playbooks ${openOnly ? "WHERE state = 'open'" : ''} ORDER BY id DESC LIMIT 100`).all() as unknown as Row[]).map(view);
    },
  };
}
