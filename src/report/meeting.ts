// The meeting record of a period report (M1: the meeting reviews the figures and plans the next period): the
// supervisor's notes and plan, signed with who and when. Kept as a duty-log entry, so it is audited like every
// record (A5: hash-chained, never edited, kept 2 years, L5); signing again writes a new entry that supersedes.
import type { DatabaseSync } from 'node:sqlite';
import type { MeetingRecordRequest, MeetingRecordView, UserView } from '../contract/api.ts';
import type { DutyLog } from '../sinks/duty-log/duty-log.ts';

interface Row {
  id: number;
  ts: number;
  username: string;
  room_id: string | null;
  params: string;
}

const view = (r: Row): MeetingRecordView => {
  const p = JSON.parse(r.params) as { period: string; notes: string; plan: string; user: string };
  return { periodKey: p.period, roomId: r.room_id, notes: p.notes, plan: p.plan, signedBy: r.username, signedByName: p.user, signedAt: r.ts, entryId: r.id };
};

/** The latest record of a period and scope (site: roomId null), or null. */
export function meetingOf(db: DatabaseSync, periodKey: string, roomId: string | null): MeetingRecordView | null {
  const row = db
    .prepare("SELECT id, ts, username, room_id, params FROM duty_log WHERE kind = 'report.meetingSigned' AND json_extract(params, '$.period') = ? AND room_id IS ? ORDER BY id DESC LIMIT 1")
    .get(periodKey, roomId) as Row | undefined;
  return row ? view(row) : null;
}

export function signMeeting(dutyLog: DutyLog, periodKey: string, roomId: string | null, record: MeetingRecordRequest, by: UserView, now: number): MeetingRecordView {
  const entry = dutyLog.append({ ts: now, kind: 'report.meetingSigned', roomId, username: by.username, params: { period: periodKey, notes: record.notes.trim(), plan: record.plan.trim(), user: by.displayName } });
  return view({ id: entry.id, ts: entry.ts, username: by.username, room_id: roomId, params: JSON.stringify(entry.params) });
}
