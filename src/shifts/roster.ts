// The monthly duty roster (S1): supervisors compile it (in the console or as CSV), publish it, and from
// then on the month is locked; a swap needs a supervisor's approval before the shift starts. Every change
// is written to the duty log with who and when. `onDuty` answers "who is on duty now" for the alarm
// escalation (A2) from the published roster, swaps applied.
import type { Store } from '../store/store.ts';
import type { Clock } from '../core/clock.ts';
import type { DutyLog, NewDutyLogEntry } from '../sinks/duty-log/duty-log.ts';
import type { Role, UserView } from '../contract/api.ts';
import type { RosterAssignment, RosterView, StaffingGap, SwapRequest, SwapView } from '../contract/shifts.ts';
import { DomainError } from '../core/errors.ts';
import { requiredStaff, type ShiftInstance, type ShiftPlan } from './shift-plan.ts';
import { can } from '../auth/permissions.ts';
import { parseDate } from './zoned-time.ts';
import { parseCsv, toCsv } from './csv.ts';

export interface RosterDeps {
  store: Store;
  plan: ShiftPlan;
  dutyLog: DutyLog;
  clock: Clock;
}

export interface Roster {
  get(month: string): RosterView;
  saveDraft(month: string, assignments: readonly RosterAssignment[], by: UserView): RosterView;
  importCsv(month: string, csv: string, by: UserView): RosterView;
  exportCsv(month: string): string;
  publish(month: string, by: UserView): RosterView;
  /**
   * A month compiled and published by the gateway itself, `by` naming what did it (the demo seed): only when
   * the month has no roster yet, draft or published, so a supervisor's is never overwritten (null then). Held
   * to the same checks as a supervisor's publish (known people and shifts, R2 minimum staffing) and logged the same.
   */
  publishCompiled(month: string, assignments: readonly RosterAssignment[], by: string): RosterView | null;
  swaps(month: string): SwapView[];
  requestSwap(request: SwapRequest, by: UserView): SwapView;
  decideSwap(id: number, approve: boolean, comment: string, by: UserView): SwapView;
  /** The people of `role` rostered on the shifts running at `at` (published months only, swaps applied). */
  onDuty(role: Role, at: number): UserView[];
  /** Everyone rostered on one shift occurrence (published months only), with their shift. */
  staffOf(shift: ShiftInstance): UserView[];
  /** An active user, or null. */
  person(username: string): UserView | null;
  /** Every active user. */
  people(): UserView[];
}

interface MonthRow {
  month: string;
  state: 'draft' | 'published';
  updated_by: string | null;
  updated_at: number | null;
  published_by: string | null;
  published_at: number | null;
}

interface SwapRow {
  id: number;
  month: string;
  date: string;
  shift_id: string;
  from_user: string;
  to_user: string;
  reason: string;
  state: SwapView['state'];
  requested_by: string;
  requested_at: number;
  decided_by: string | null;
  decided_at: number | null;
  comment: string | null;
}

const swapView = (r: SwapRow): SwapView => ({
  id: r.id,
  month: r.month,
  date: r.date,
  shiftId: r.shift_id,
  fromUser: r.from_user,
  toUser: r.to_user,
  reason: r.reason,
  state: r.state,
  requestedBy: r.requested_by,
  requestedAt: r.requested_at,
  decidedBy: r.decided_by,
  decidedAt: r.decided_at,
  comment: r.comment,
});

function requireSupervisor(user: UserView, what: string): void {
  if (!can('roster.manage', user.role)) throw new DomainError('RW_FORBIDDEN', `only a supervisor may ${what}`, 403);
}

export function createRoster(deps: RosterDeps): Roster {
  const { store, plan, dutyLog, clock } = deps;
  const { db } = store;

  const people = (): UserView[] =>
    (db.prepare('SELECT username, display_name, role FROM users WHERE active = 1 ORDER BY role, username').all() as unknown as { username: string; display_name: string; role: Role }[]).map(
      (r) => ({ username: r.username, displayName: r.display_name, role: r.role }),
    );
  const monthRow = (month: string): MonthRow | undefined => db.prepare('SELECT * FROM roster_months WHERE month = ?').get(month) as MonthRow | undefined;
  const assignmentsOf = (month: string): RosterAssignment[] =>
    (db.prepare('SELECT date, shift_id, username FROM roster_assignments WHERE month = ? ORDER BY date, shift_id, username').all(month) as unknown as { date: string; shift_id: string; username: string }[]).map(
      (r) => ({ date: r.date, shiftId: r.shift_id, username: r.username }),
    );

  /** R2: shifts with fewer people of a role than their minimum. */
  const gapsOf = (month: string, assignments: readonly RosterAssignment[]): StaffingGap[] => {
    const roles = new Map(people().map((p) => [p.username, p.role]));
    const count = new Map<string, number>();
    for (const a of assignments) {
      const k = `${a.date}/${a.shiftId}/${roles.get(a.username)}`;
      count.set(k, (count.get(k) ?? 0) + 1);
    }
    const gaps: StaffingGap[] = [];
    for (const s of plan.monthShifts(month)) {
      for (const [role, need] of requiredStaff(s)) {
        const have = count.get(`${s.date}/${s.shiftId}/${role}`) ?? 0;
        if (have < need) gaps.push({ date: s.date, shiftId: s.shiftId, role, need, have });
      }
    }
    return gaps;
  };

  const get = (month: string): RosterView => {
    const row = monthRow(month);
    const assignments = assignmentsOf(month);
    return {
      month,
      state: row?.state ?? 'draft',
      updatedBy: row?.updated_by ?? null,
      updatedAt: row?.updated_at ?? null,
      publishedBy: row?.published_by ?? null,
      publishedAt: row?.published_at ?? null,
      assignments,
      gaps: gapsOf(month, assignments),
      people: people(),
    };
  };

  /** Problems of a proposed month, each naming where (an index or a CSV line). */
  const check = (month: string, items: readonly { where: string; a: RosterAssignment }[]): string[] => {
    const known = new Set(people().map((p) => p.username));
    const problems: string[] = [];
    for (const { where, a } of items) {
      if (!a.date.startsWith(`${month}-`) || parseDate(a.date) === null) problems.push(`${where}: date ${a.date} is not a day of ${month}`);
      else if (!plan.definitions.some((d) => d.id === a.shiftId)) problems.push(`${where}: unknown shift "${a.shiftId}" (shifts: ${plan.definitions.map((d) => d.id).join(', ')})`);
      if (!known.has(a.username)) problems.push(`${where}: unknown or inactive user "${a.username}"`);
    }
    return problems;
  };

  const log = (entry: Omit<NewDutyLogEntry, 'ts'>): void => {
    dutyLog.append({ ts: clock.now(), ...entry });
  };

  const distinct = (assignments: readonly RosterAssignment[]): RosterAssignment[] => [...new Map(assignments.map((a) => [`${a.date}/${a.shiftId}/${a.username}`, a])).values()];

  /** The month's draft replaced by these assignments; must run inside a transaction. */
  const writeDraft = (month: string, unique: readonly RosterAssignment[], by: string): void => {
    db.prepare(
      `INSERT INTO roster_months (month, state, updated_by, updated_at) VALUES (?, 'draft', ?, ?)
       ON CONFLICT(month) DO UPDATE SET updated_by = excluded.updated_by, updated_at = excluded.updated_at`,
    ).run(month, by, clock.now());
    db.prepare('DELETE FROM roster_assignments WHERE month = ?').run(month);
    const insert = db.prepare('INSERT INTO roster_assignments (month, date, shift_id, username) VALUES (?, ?, ?, ?)');
    for (const a of unique) insert.run(month, a.date, a.shiftId, a.username);
  };

  /** The month published and locked, once every shift is staffed to its minimum (R2); must run inside a transaction. */
  const lock = (month: string, by: string): void => {
    const gaps = gapsOf(month, assignmentsOf(month));
    if (gaps.length > 0) {
      const first = gaps.slice(0, 5).map((g) => `${g.date}/${g.shiftId} ${g.role} ${g.have}/${g.need}`).join(', ');
      throw new DomainError('RW_ROSTER_UNDERSTAFFED', `${gaps.length} shift(s) below minimum staffing: ${first}`, 409);
    }
    db.prepare(
      `INSERT INTO roster_months (month, state, published_by, published_at) VALUES (?, 'published', ?, ?)
       ON CONFLICT(month) DO UPDATE SET state = 'published', published_by = excluded.published_by, published_at = excluded.published_at`,
    ).run(month, by, clock.now());
  };

  const replaceDraft = (month: string, assignments: readonly RosterAssignment[], by: UserView, kind: 'roster.saved' | 'roster.imported'): RosterView => {
    requireSupervisor(by, 'edit the roster');
    const unique = distinct(assignments);
    store.transaction(() => {
      // Checked inside the transaction so a concurrent publish cannot slip between check and write.
      if (monthRow(month)?.state === 'published') throw new DomainError('RW_ROSTER_LOCKED', `the roster of ${month} is published and locked; ask for a swap instead`, 409);
      writeDraft(month, unique, by.username);
    });
    log({ kind, username: by.username, params: { month, assignments: unique.length, user: by.displayName } });
    return get(month);
  };

  const refuse = (problems: string[]): never => {
    const shown = problems.slice(0, 10).join('; ');
    throw new DomainError('RW_INVALID_REQUEST', problems.length > 10 ? `${shown}; and ${problems.length - 10} more` : shown, 400);
  };

  const swapRow = (id: number): SwapRow | undefined => db.prepare('SELECT * FROM roster_swaps WHERE id = ?').get(id) as SwapRow | undefined;
  const isRostered = (date: string, shiftId: string, username: string): boolean =>
    db.prepare('SELECT 1 FROM roster_assignments WHERE date = ? AND shift_id = ? AND username = ?').get(date, shiftId, username) !== undefined;

  const staffOf = (shift: ShiftInstance): UserView[] => {
    if (monthRow(shift.date.slice(0, 7))?.state !== 'published') return [];
    const rows = db
      .prepare(
        `SELECT u.username, u.display_name, u.role FROM roster_assignments a JOIN users u ON u.username = a.username
         WHERE a.date = ? AND a.shift_id = ? AND u.active = 1 ORDER BY u.username`,
      )
      .all(shift.date, shift.shiftId) as unknown as { username: string; display_name: string; role: Role }[];
    return rows.map((r) => ({ username: r.username, displayName: r.display_name, role: r.role }));
  };

  return {
    get,

    saveDraft(month, assignments, by) {
      const problems = check(month, assignments.map((a, i) => ({ where: `assignment ${i + 1}`, a })));
      if (problems.length > 0) refuse(problems);
      return replaceDraft(month, assignments, by, 'roster.saved');
    },

    importCsv(month, csv, by) {
      requireSupervisor(by, 'import the roster');
      let rows;
      try {
        rows = parseCsv(csv);
      } catch (err) {
        return refuse([(err as Error).message]);
      }
      const header = rows.shift();
      const col = (name: string): number => header?.fields.findIndex((f) => f.toLowerCase() === name) ?? -1;
      const [date, shift, user] = [col('date'), col('shift'), col('username')];
      if (date < 0 || shift < 0 || user < 0) refuse(['line 1: the header must name the columns date, shift and username']);
      const items = rows.map((r) => ({ where: `line ${r.line}`, a: { date: r.fields[date] ?? '', shiftId: r.fields[shift] ?? '', username: r.fields[user] ?? '' } }));
      const problems = check(month, items);
      if (problems.length > 0) refuse(problems);
      return replaceDraft(month, items.map((i) => i.a), by, 'roster.imported');
    },

    exportCsv(month) {
      const names = new Map(people().map((p) => [p.username, p.displayName]));
      return toCsv([['date', 'shift', 'username', 'name'], ...assignmentsOf(month).map((a) => [a.date, a.shiftId, a.username, names.get(a.username) ?? ''])]);
    },

    publish(month, by) {
      requireSupervisor(by, 'publish the roster');
      store.transaction(() => {
        const row = monthRow(month);
        if (row?.state === 'published') throw new DomainError('RW_ROSTER_LOCKED', `the roster of ${month} is already published`, 409);
        lock(month, by.username); // R2: every shift staffed to its minimum before the roster is in force
      });
      log({ kind: 'roster.published', username: by.username, params: { month, user: by.displayName } });
      return get(month);
    },

    publishCompiled(month, assignments, by) {
      const problems = check(month, assignments.map((a, i) => ({ where: `assignment ${i + 1}`, a })));
      if (problems.length > 0) refuse(problems);
      const unique = distinct(assignments);
      const done = store.transaction(() => {
        if (monthRow(month)) return false; // a supervisor's draft or roster: theirs, never overwritten
        writeDraft(month, unique, by);
        lock(month, by); // an understaffed month rolls back: nothing is left behind
        return true;
      });
      if (!done) return null;
      // Written by the gateway (no user), naming what compiled it.
      log({ kind: 'roster.published', username: null, params: { month, assignments: unique.length, user: by } });
      return get(month);
    },

    swaps(month) {
      return (db.prepare('SELECT * FROM roster_swaps WHERE month = ? ORDER BY id').all(month) as unknown as SwapRow[]).map(swapView);
    },

    requestSwap(req, by) {
      const shift = plan.instance(req.date, req.shiftId);
      if (!shift) throw new DomainError('RW_SWAP_INVALID', `no shift "${req.shiftId}" on ${req.date}`, 409);
      const month = req.date.slice(0, 7);
      // A duty member asks for their own swap; a supervisor may ask on anyone's behalf.
      if (by.username !== req.fromUser && !can('roster.manage', by.role)) throw new DomainError('RW_FORBIDDEN', 'you can only ask to swap your own shift', 403);
      if (monthRow(month)?.state !== 'published') throw new DomainError('RW_SWAP_INVALID', `the roster of ${month} is not published; a supervisor edits the draft directly`, 409);
      // S1: swaps are approved in advance.
      if (clock.now() >= shift.start) throw new DomainError('RW_SWAP_TOO_LATE', `${shift.key} has already started; swaps are agreed in advance`, 409);
      if (!isRostered(req.date, req.shiftId, req.fromUser)) throw new DomainError('RW_SWAP_INVALID', `${req.fromUser} is not rostered on ${shift.key}`, 409);
      if (isRostered(req.date, req.shiftId, req.toUser)) throw new DomainError('RW_SWAP_INVALID', `${req.toUser} is already rostered on ${shift.key}`, 409);
      if (!people().some((p) => p.username === req.toUser)) throw new DomainError('RW_SWAP_INVALID', `unknown or inactive user "${req.toUser}"`, 409);
      const row = store.transaction(() => {
        const r = db
          .prepare(
            `INSERT INTO roster_swaps (month, date, shift_id, from_user, to_user, reason, state, requested_by, requested_at)
             VALUES (?, ?, ?, ?, ?, ?, 'pending', ?, ?) RETURNING *`,
          )
          .get(month, req.date, req.shiftId, req.fromUser, req.toUser, req.reason, by.username, clock.now()) as unknown as SwapRow;
        return r;
      });
      log({ kind: 'roster.swapRequested', username: by.username, params: { swap: row.id, shift: shift.key, from: req.fromUser, to: req.toUser, reason: req.reason, user: by.displayName } });
      return swapView(row);
    },

    decideSwap(id, approve, comment, by) {
      requireSupervisor(by, 'decide on a swap');
      const row = store.transaction(() => {
        const swap = swapRow(id);
        if (!swap) throw new DomainError('RW_NOT_FOUND', `no swap ${id}`, 404);
        if (swap.state !== 'pending') throw new DomainError('RW_SWAP_INVALID', `swap ${id} is already ${swap.state}`, 409);
        if (swap.requested_by === by.username) throw new DomainError('RW_FORBIDDEN', 'a swap is approved by another supervisor than the one who asked', 403);
        const shift = plan.instance(swap.date, swap.shift_id)!;
        if (approve) {
          if (clock.now() >= shift.start) throw new DomainError('RW_SWAP_TOO_LATE', `${shift.key} has already started; swaps are agreed in advance`, 409);
          if (!isRostered(swap.date, swap.shift_id, swap.from_user) || isRostered(swap.date, swap.shift_id, swap.to_user)) {
            throw new DomainError('RW_SWAP_INVALID', `the roster of ${shift.key} changed since swap ${id} was asked for`, 409);
          }
          db.prepare('UPDATE roster_assignments SET username = ? WHERE date = ? AND shift_id = ? AND username = ?').run(swap.to_user, swap.date, swap.shift_id, swap.from_user);
          // R2: a swap between roles must not leave the shift below its minimum (rolls the transaction back).
          const gap = gapsOf(swap.month, assignmentsOf(swap.month)).find((g) => g.date === swap.date && g.shiftId === swap.shift_id);
          if (gap) throw new DomainError('RW_ROSTER_UNDERSTAFFED', `swap ${id} would leave ${shift.key} with ${gap.have}/${gap.need} ${gap.role}`, 409);
        }
        return db
          .prepare('UPDATE roster_swaps SET state = ?, decided_by = ?, decided_at = ?, comment = ? WHERE id = ? RETURNING *')
          .get(approve ? 'approved' : 'rejected', by.username, clock.now(), comment, id) as unknown as SwapRow;
      });
      log({
        kind: approve ? 'roster.swapApproved' : 'roster.swapRejected',
        username: by.username,
        params: { swap: id, shift: `${row.date}/${row.shift_id}`, from: row.from_user, to: row.to_user, comment, user: by.displayName },
      });
      return swapView(row);
    },

    onDuty(role, at) {
      const seen = new Map<string, UserView>();
      for (const s of plan.currentShifts(at)) for (const u of staffOf(s)) if (u.role === role) seen.set(u.username, u);
      return [...seen.values()];
    },

    staffOf,
    person: (username) => people().find((p) => p.username === username) ?? null,
    people,
  };
}
