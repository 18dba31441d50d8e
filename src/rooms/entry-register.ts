// The machine-room entry register (R3: only authorised people enter; outsiders with approval, escorted,
// written into the register with in and out times). Each entry and exit is also a duty-log entry.
import type { Store } from '../store/store.ts';
import type { Clock } from '../core/clock.ts';
import type { DutyLog } from '../sinks/duty-log/duty-log.ts';
import type { UserView } from '../contract/api.ts';
import type { RoomEntryRequest, RoomEntryView } from '../contract/room-entries.ts';
import type { Roster } from '../shifts/roster.ts';
import type { Users } from '../auth/users.ts';
import { can } from '../auth/permissions.ts';
import { DomainError } from '../core/errors.ts';

export interface EntryRegister {
  /** R3: refused unless the approver is a supervisor who confirms with their own password. */
  enter(request: RoomEntryRequest, by: UserView): Promise<RoomEntryView>;
  exit(id: number, by: UserView): RoomEntryView;
  /** Visitors still inside, then the latest entries, newest first. */
  list(limit: number): RoomEntryView[];
}

interface Row {
  id: number;
  room_id: string;
  visitor: string;
  organisation: string;
  purpose: string;
  approved_by: string;
  escort: string;
  in_at: number;
  out_at: number | null;
  recorded_by: string;
}

const view = (r: Row): RoomEntryView => ({
  id: r.id,
  roomId: r.room_id,
  visitor: r.visitor,
  organisation: r.organisation,
  purpose: r.purpose,
  approvedBy: r.approved_by,
  escort: r.escort,
  inAt: r.in_at,
  outAt: r.out_at,
  recordedBy: r.recorded_by,
});

const bad = (message: string): DomainError => new DomainError('RW_INVALID_REQUEST', message, 400);

export function createEntryRegister(deps: { store: Store; dutyLog: DutyLog; roster: Roster; users: Pick<Users, 'verify'>; clock: Clock; roomIds: ReadonlySet<string> }): EntryRegister {
  const { store, dutyLog, roster, users, clock, roomIds } = deps;
  const { db } = store;
  return {
    async enter(req, by) {
      if (!roomIds.has(req.roomId)) throw bad(`unknown room "${req.roomId}"`);
      const approver = roster.person(req.approvedBy);
      if (!approver || !can('roomEntry.approve', approver.role)) throw bad(`the approver "${req.approvedBy}" must be an active supervisor (R3)`);
      const escort = roster.person(req.escort);
      if (!escort) throw bad(`the escort "${req.escort}" must be an active staff member (R3)`);
      if (!(await users.verify(approver.username, req.approverPassword))) throw new DomainError('RW_BAD_CREDENTIALS', `${approver.username} did not confirm the entry: wrong password (R3)`, 403);
      const now = clock.now();
      const row = store.transaction(() => {
        const r = db
          .prepare('INSERT INTO room_entries (room_id, visitor, organisation, purpose, approved_by, escort, in_at, recorded_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING *')
          .get(req.roomId, req.visitor, req.organisation, req.purpose, approver.username, escort.username, now, by.username) as unknown as Row;
        dutyLog.insert({ ts: now, kind: 'room.entered', roomId: req.roomId, username: by.username, params: { entry: r.id, visitor: req.visitor, organisation: req.organisation, purpose: req.purpose, approver: approver.displayName, confirmed: true, escort: escort.displayName, user: by.displayName } });
        return r;
      });
      return view(row);
    },

    exit(id, by) {
      const now = clock.now();
      const row = store.transaction(() => {
        const r = db.prepare('UPDATE room_entries SET out_at = ? WHERE id = ? AND out_at IS NULL RETURNING *').get(now, id) as Row | undefined;
        if (!r) {
          const exists = db.prepare('SELECT 1 FROM room_entries WHERE id = ?').get(id);
          throw exists ? new DomainError('RW_INVALID_REQUEST', `visitor ${id} has already left`, 409) : new DomainError('RW_NOT_FOUND', `no register entry ${id}`, 404);
        }
        dutyLog.insert({ ts: now, kind: 'room.exited', roomId: r.room_id, username: by.username, params: { entry: r.id, visitor: r.visitor, minutes: Math.round((now - r.in_at) / 60_000), user: by.displayName } });
        return r;
      });
      return view(row);
    },

    list(limit) {
      return (db.prepare('SELECT * FROM room_entries ORDER BY out_at IS NOT NULL, id DESC LIMIT ?').all(limit) as unknown as Row[]).map(view);
    },
  };
}
