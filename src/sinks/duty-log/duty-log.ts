// The duty log (值班日志): append-only entries with time, what happened and who (L1, L2, A5).
// Entries are written inside the caller's transaction when they belong to another change (an alarm
// transition), so the two are durable together or not at all; listeners hear of them after commit.
import type { Store } from '../../store/store.ts';
import type { DutyLogEntryView, DutyLogKind } from '../../contract/api.ts';

export interface NewDutyLogEntry {
  ts: number;
  kind: DutyLogKind;
  roomId?: string | null;
  deviceId?: string | null;
  pointKey?: string | null;
  username?: string | null;
  alarmId?: number | null;
  params?: Record<string, string | number | boolean | null>;
}

interface Row {
  id: number;
  ts: number;
  kind: DutyLogKind;
  room_id: string | null;
  device_id: string | null;
  point_key: string | null;
  username: string | null;
  alarm_id: number | null;
  params: string;
}

export interface DutyLog {
  /** Inserts one entry; call inside store.transaction when it must commit with another change. */
  insert(entry: NewDutyLogEntry): DutyLogEntryView;
  /** Inserts one entry in its own durable transaction. */
  append(entry: NewDutyLogEntry): DutyLogEntryView;
  list(query: { limit?: number; beforeId?: number }): DutyLogEntryView[];
}

export const toView = (r: Row): DutyLogEntryView => ({
  id: r.id,
  ts: r.ts,
  kind: r.kind,
  roomId: r.room_id,
  deviceId: r.device_id,
  pointKey: r.point_key,
  username: r.username,
  alarmId: r.alarm_id,
  params: JSON.parse(r.params) as DutyLogEntryView['params'],
});

export function createDutyLog(store: Store): DutyLog {
  const insertStmt = store.db.prepare(
    `INSERT INTO duty_log (ts, kind, room_id, device_id, point_key, username, alarm_id, params)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING *`,
  );
  const insert = (e: NewDutyLogEntry): DutyLogEntryView =>
    toView(
      insertStmt.get(
        e.ts,
        e.kind,
        e.roomId ?? null,
        e.deviceId ?? null,
        e.pointKey ?? null,
        e.username ?? null,
        e.alarmId ?? null,
        JSON.stringify(e.params ?? {}),
      ) as unknown as Row,
    );
  return {
    insert,
    append: (e) => store.transaction(() => insert(e)),
    list({ limit = 100, beforeId }) {
      const rows = store.db
        .prepare('SELECT * FROM duty_log WHERE id < ? ORDER BY id DESC LIMIT ?')
        .all(beforeId ?? Number.MAX_SAFE_INTEGER, limit) as unknown as Row[];
      return rows.map(toView);
    },
  };
}
