// Reading the duty log by time and kind for pages, corrections and sign-offs. Reads only: every entry is
// written through the DutyLog service (insert/append), so it joins the journal's hash chain.
import type { DatabaseSync } from 'node:sqlite';
import type { DutyLogEntryView } from '../contract/api.ts';

const columns = 'id, ts, kind, room_id, device_id, point_key, username, alarm_id, params';

type Row = Record<'id' | 'ts', number> & Record<'kind' | 'params', string> & Record<'room_id' | 'device_id' | 'point_key' | 'username', string | null> & { alarm_id: number | null };

function view(r: Row): DutyLogEntryView {
  return {
    id: r.id,
    ts: r.ts,
    kind: r.kind as DutyLogEntryView['kind'],
    roomId: r.room_id,
    deviceId: r.device_id,
    pointKey: r.point_key,
    username: r.username,
    alarmId: r.alarm_id,
    params: JSON.parse(r.params) as DutyLogEntryView['params'],
  };
}

export function entriesBetween(db: DatabaseSync, from: number, to: number): DutyLogEntryView[] {
  return (db.prepare(`SELECT ${columns} FROM duty_log WHERE ts >= ? AND ts < ? ORDER BY id`).all(from, to) as unknown as Row[]).map(view);
}

export function entryById(db: DatabaseSync, id: number): DutyLogEntryView | null {
  const row = db.prepare(`SELECT ${columns} FROM duty_log WHERE id = ?`).get(id) as Row | undefined;
  return row ? view(row) : null;
}

/** The correction that replaces an entry, if any (a correction is itself an entry, L1 append-only). */
export function correctionOf(db: DatabaseSync, id: number): number | null {
  const row = db.prepare(`SELECT id FROM duty_log WHERE kind = 'note.corrected' AND json_extract(params, '$.corrects') = ? ORDER BY id LIMIT 1`).get(id) as { id: number } | undefined;
  return row?.id ?? null;
}

export function countBetween(db: DatabaseSync, from: number, to: number): number {
  return (db.prepare('SELECT count(*) AS n FROM duty_log WHERE ts >= ? AND ts < ?').get(from, to) as { n: number }).n;
}
