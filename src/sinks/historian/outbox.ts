// The historian's durable outbox (store-and-forward, issue 6): every point bound for InfluxDB is appended
// here first and removed only after InfluxDB confirmed it, so an outage, a slow server or a kill -9 of the
// gateway loses nothing. Its own SQLite file under the data dir (src/store/store.ts, synchronous=NORMAL in
// WAL: a committed append survives a crash of the process; the data is a copy on its way to InfluxDB).
// Bounded: at maxPoints / maxBytes the policy decides what goes, and every drop is reported (never silent).
import type { Logger } from '../../core/logger.ts';
import { openStore, type Store } from '../../store/store.ts';
import { outboxMigrations } from './outbox-migrations.ts';

export const OUTBOX_FILE = 'historian-outbox.db';

/** 0 = raw reading, 1 = kept at the bound (rollups, alarm transitions). */
export type OutboxKind = 0 | 1;
export const RAW: OutboxKind = 0;
export const KEPT: OutboxKind = 1;

export interface OutboxPoint {
  kind: OutboxKind;
  ts: number;
  line: string;
}

export interface OutboxEntry extends OutboxPoint {
  id: number;
}

/** What to drop at the bound. dropOldestRaw (default): the oldest raw readings go first, rollups and alarm
 *  transitions are kept (and go only when nothing else is left). dropNewest: new points are refused. */
export type OutboxPolicy = 'dropOldestRaw' | 'dropNewest';

export interface OutboxOptions {
  dataDir: string;
  logger: Logger;
  maxPoints: number;
  maxBytes: number;
  policy: OutboxPolicy;
  /** Called for every drop at the bound, with how many and why (the historian counts and logs). */
  onDrop(count: number, why: string): void;
}

export interface Outbox {
  append(points: readonly OutboxPoint[]): void;
  /** The oldest `max` points, in order; they are in flight until remove() or release(). */
  peek(max: number): OutboxEntry[];
  /** Removes the points of the last peek (written, or set aside). */
  remove(): void;
  /** The points of the last peek stay (the write failed); the next peek returns them again. */
  release(): void;
  /** Keeps refused points with the reason (table `rejected`). */
  reject(points: readonly { line: string; reason: string }[], at: number): void;
  depth(): number;
  bytes(): number;
  /** Acquisition time of the oldest point waiting, or null when empty. */
  oldestTs(): number | null;
  rejectedCount(): number;
  close(): void;
}

/** Refused points kept for inspection; older ones are deleted (they were logged when refused). */
export const MAX_REJECTED = 10_000;

/** Per-row overhead estimate (rowid, kind, ts, index entry) added to the line's length for the byte bound. */
const ROW_OVERHEAD = 24;

export function openOutbox(o: OutboxOptions): Outbox {
  const store: Store = openStore(o.dataDir, o.logger, { file: OUTBOX_FILE, migrations: outboxMigrations, synchronous: 'NORMAL' });
  const { db } = store;
  const totals = db.prepare('SELECT count(*) AS n, coalesce(sum(length(line)), 0) AS b FROM outbox').get() as { n: number; b: number };
  let depth = totals.n;
  let bytes = totals.b + totals.n * ROW_OVERHEAD;
  /** Highest id of the last peek: points at or below it are in flight and never dropped at the bound. */
  let inflightMax = 0;
  let inflightBytes = 0;
  let inflightCount = 0;

  const insert = db.prepare('INSERT INTO outbox (kind, ts, line) VALUES (?, ?, ?)');
  const select = db.prepare('SELECT id, kind, ts, line FROM outbox ORDER BY id LIMIT ?');
  const deleteUpTo = db.prepare('DELETE FROM outbox WHERE id <= ?');
  const dropOldest = db.prepare(
    'DELETE FROM outbox WHERE id IN (SELECT id FROM outbox WHERE kind = ? AND id > ? ORDER BY id LIMIT ?) RETURNING length(line) AS len',
  );
  const insertRejected = db.prepare('INSERT INTO rejected (at, reason, line) VALUES (?, ?, ?)');
  // The rejected table is bounded too: the newest MAX_REJECTED are kept (every rejection is also logged).
  const trimRejected = db.prepare('DELETE FROM rejected WHERE id <= (SELECT max(id) FROM rejected) - ?');
  const countRejected = db.prepare('SELECT count(*) AS n FROM rejected');
  const oldest = db.prepare('SELECT ts FROM outbox ORDER BY id LIMIT 1');

  const over = (): boolean => depth > o.maxPoints || bytes > o.maxBytes;

  /** Drops the oldest points of `kind` (not in flight) until under the bound; returns how many went. */
  const dropKind = (kind: OutboxKind): number => {
    let dropped = 0;
    while (over()) {
      // A little more than the overflow, so a full outbox does not run a DELETE on every append.
      const avg = depth > 0 ? bytes / depth : ROW_OVERHEAD;
      const need = Math.max(depth - o.maxPoints, Math.ceil((bytes - o.maxBytes) / avg), 1);
      const n = Math.max(need, Math.ceil(o.maxPoints / 1000));
      const rows = dropOldest.all(kind, inflightMax, n) as { len: number }[];
      if (rows.length === 0) break;
      for (const r of rows) bytes -= r.len + ROW_OVERHEAD;
      depth -= rows.length;
      dropped += rows.length;
    }
    return dropped;
  };

  return {
    append(points) {
      if (points.length === 0) return;
      let take = points;
      if (o.policy === 'dropNewest') {
        // Refuse what does not fit; alarm transitions and rollups are still taken first.
        const room = Math.max(0, o.maxPoints - depth);
        let roomBytes = o.maxBytes - bytes;
        const kept: OutboxPoint[] = [];
        for (const p of [...points].sort((a, b) => b.kind - a.kind)) {
          const size = p.line.length + ROW_OVERHEAD;
          if (kept.length < room && size <= roomBytes) {
            kept.push(p);
            roomBytes -= size;
          }
        }
        if (kept.length < points.length) o.onDrop(points.length - kept.length, 'outbox full: newest points refused (policy dropNewest)');
        take = kept.sort((a, b) => a.ts - b.ts);
      }
      store.transaction(() => {
        for (const p of take) insert.run(p.kind, Math.round(p.ts), p.line);
      });
      depth += take.length;
      for (const p of take) bytes += p.line.length + ROW_OVERHEAD;
      if (!over()) return;
      const raw = dropKind(RAW);
      if (raw > 0) o.onDrop(raw, 'outbox full: oldest raw readings dropped, rollups and alarms kept');
      const kept = dropKind(KEPT);
      if (kept > 0) o.onDrop(kept, 'outbox full of rollups and alarms: oldest of them dropped');
    },

    peek(max) {
      const rows = select.all(max) as unknown as OutboxEntry[];
      inflightMax = rows.at(-1)?.id ?? 0;
      inflightCount = rows.length;
      inflightBytes = 0;
      for (const r of rows) inflightBytes += r.line.length + ROW_OVERHEAD;
      return rows;
    },

    remove() {
      if (inflightMax === 0) return;
      deleteUpTo.run(inflightMax);
      depth -= inflightCount;
      bytes -= inflightBytes;
      inflightMax = inflightCount = inflightBytes = 0;
    },

    release() {
      inflightMax = inflightCount = inflightBytes = 0;
    },

    reject(points, at) {
      store.transaction(() => {
        for (const p of points) insertRejected.run(at, p.reason.slice(0, 1000), p.line);
        trimRejected.run(MAX_REJECTED);
      });
    },

    depth: () => depth,
    bytes: () => bytes,
    oldestTs: () => (oldest.get() as { ts: number } | undefined)?.ts ?? null,
    rejectedCount: () => (countRejected.get() as { n: number }).n,
    close: () => store.close(),
  };
}
