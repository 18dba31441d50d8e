// The duty log (值班日志): append-only entries with time, what happened and who (L1, L2, A5).
// Entries are written inside the caller's transaction when they belong to another change (an alarm
// transition), so the two are durable together or not at all. The log announces every entry itself on the
// bus once it has committed: no writer has to remember to (issue 14, failure 7).
import type { Store } from '../../store/store.ts';
import type { Bus } from '../../core/bus.ts';
import { GENESIS_HASH } from '../../store/migrations.ts';
import { entryHash, type ChainedFields } from '../../store/journal-hash.ts';
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

interface Row extends ChainedFields {
  kind: DutyLogKind;
  prev_hash: string;
  hash: string;
}

/** The first entry whose chain link does not hold, or null when the whole log verifies. */
export interface ChainBreak {
  id: number;
  reason: string;
}

export interface DutyLog {
  /** Inserts one entry; call inside store.transaction when it must commit with another change. */
  insert(entry: NewDutyLogEntry): DutyLogEntryView;
  /** Inserts one entry in its own durable transaction. */
  append(entry: NewDutyLogEntry): DutyLogEntryView;
  list(query: { limit?: number; beforeId?: number }): DutyLogEntryView[];
  /** Walks the whole chain (A5) and names the first broken entry. */
  verify(): { entries: number; firstBreak: ChainBreak | null };
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

/** `bus`: where committed entries are announced (the consoles listen); tools without listeners pass none. */
export function createDutyLog(store: Store, bus?: Bus): DutyLog {
  const insertStmt = store.db.prepare(
    `INSERT INTO duty_log (id, ts, kind, room_id, device_id, point_key, username, alarm_id, params, prev_hash, hash)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING *`,
  );
  const lastLink = store.db.prepare('SELECT id, hash FROM duty_log ORDER BY id DESC LIMIT 1');
  // Must run inside a transaction (append() opens one; alarm transitions insert inside theirs), so the
  // link read here is still the last one when the entry is written.
  const insert = (e: NewDutyLogEntry): DutyLogEntryView => {
    const last = lastLink.get() as { id: number; hash: string } | undefined;
    const fields: ChainedFields = {
      id: (last?.id ?? 0) + 1,
      ts: e.ts,
      kind: e.kind,
      room_id: e.roomId ?? null,
      device_id: e.deviceId ?? null,
      point_key: e.pointKey ?? null,
      username: e.username ?? null,
      alarm_id: e.alarmId ?? null,
      params: JSON.stringify(e.params ?? {}),
    };
    const prev = last?.hash ?? GENESIS_HASH;
    const f = fields;
    const row = insertStmt.get(f.id, f.ts, f.kind, f.room_id, f.device_id, f.point_key, f.username, f.alarm_id, f.params, prev, entryHash(prev, f));
    const view = toView(row as unknown as Row);
    if (bus) store.afterCommit(() => bus.emit('dutyLog', view));
    return view;
  };
  return {
    insert,
    append: (e) => store.transaction(() => insert(e)),
    list({ limit = 100, beforeId }) {
      const rows = store.db
        .prepare('SELECT * FROM duty_log WHERE id < ? ORDER BY id DESC LIMIT ?')
        .all(beforeId ?? Number.MAX_SAFE_INTEGER, limit) as unknown as Row[];
      return rows.map(toView);
    },
    verify() {
      let prev = GENESIS_HASH;
      let expectedId = 1;
      let entries = 0;
      // L5 retention removes the oldest entries and records, in a chained entry, where the chain now starts.
      const first = store.db.prepare('SELECT id, prev_hash FROM duty_log ORDER BY id LIMIT 1').get() as { id: number; prev_hash: string } | undefined;
      const cuts = (store.db.prepare("SELECT params FROM duty_log WHERE kind = 'retention.purged'").all() as { params: string }[]).map(
        (r) => JSON.parse(r.params) as { firstKeptId?: unknown; anchorHash?: unknown },
      );
      if (first && first.id > 1 && cuts.some((c) => c.firstKeptId === first.id && c.anchorHash === first.prev_hash)) {
        prev = first.prev_hash;
        expectedId = first.id;
      }
      for (const row of store.db.prepare('SELECT * FROM duty_log ORDER BY id').iterate() as Iterable<Row>) {
        entries++;
        const at = (reason: string) => ({ entries, firstBreak: { id: row.id, reason } });
        if (row.id !== expectedId) return at(`entry ${expectedId}${row.id > expectedId + 1 ? `–${row.id - 1}` : ''} missing (deleted?)`);
        if (row.prev_hash !== prev) return at('does not link to the entry before it (edited or reordered)');
        if (entryHash(prev, row) !== row.hash) return at('content does not match its hash (edited)');
        prev = row.hash;
        expectedId++;
      }
      return { entries, firstBreak: null };
    },
  };
}
