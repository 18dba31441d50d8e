// The historian's durable outbox (store-and-forward, issue 6): every point bound for InfluxDB is appended
// here first and removed only after InfluxDB confirmed it, so an outage, a slow server or a kill -9 of the
// gateway loses nothing. Its own SQLite file under the data dir (src/store/store.ts, synchronous=NORMAL in
// WAL: a committed append survives a crash of the process; the data is a copy on its way to InfluxDB).
// Bounded: at maxPoints / maxBytes the policy decides what goes, and every drop is reported (never silent).
import type { DropEpisodeView, DropWhat } from '../../contract/history.ts';
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
  /** Wall time, for the drop episodes. */
  now(): number;
  /** Called after every drop at the bound, with how many, why, and the episode it belongs to (already
   *  durable); the first drop of an episode has `episode.count === count`. */
  onDrop(count: number, why: string, episode: DropEpisodeView): void;
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
  /** Points lost at the bound over all episodes (durable). */
  droppedTotal(): number;
  /** The open drop episode, or null. */
  dropping(): DropEpisodeView | null;
  /** Ends the open drop episode (the outbox has drained): returns it, or null when none was open. */
  endDropping(at: number): DropEpisodeView | null;
  close(): void;
}

/** Refused points kept for inspection; older ones are deleted (they were logged when refused). */
export const MAX_REJECTED = 10_000;

/** Per-row overhead estimate (rowid, kind, ts, index entry) added to the line's length for the byte bound. */
const ROW_OVERHEAD = 24;

const WHY: Record<DropWhat, string> = {
  oldestRaw: 'outbox full: oldest raw readings dropped, rollups and alarms kept',
  newest: 'outbox full: newest points refused (policy dropNewest)',
  kept: 'outbox full of rollups and alarms: oldest of them dropped',
};

interface EpisodeRow {
  id: number;
  started_at: number;
  ended_at: number | null;
  count: number;
  lost_from: number;
  lost_to: number;
  what: DropWhat;
}

const episodeView = (r: EpisodeRow): DropEpisodeView => ({
  id: r.id, startedAt: r.started_at, endedAt: r.ended_at, count: r.count, lostFrom: r.lost_from, lostTo: r.lost_to, what: r.what,
});

/** Points lost by one append: how many of each kind of drop, and the acquisition times they spanned. */
interface Loss {
  what: DropWhat;
  count: number;
  from: number;
  to: number;
}

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
    'DELETE FROM outbox WHERE id IN (SELECT id FROM outbox WHERE kind = ? AND id > ? ORDER BY id LIMIT ?) RETURNING length(line) AS len, ts',
  );
  const insertRejected = db.prepare('INSERT INTO rejected (at, reason, line) VALUES (?, ?, ?)');
  // The rejected table is bounded too: the newest MAX_REJECTED are kept (every rejection is also logged).
  const trimRejected = db.prepare('DELETE FROM rejected WHERE id <= (SELECT max(id) FROM rejected) - ?');
  const countRejected = db.prepare('SELECT count(*) AS n FROM rejected');
  const oldest = db.prepare('SELECT ts FROM outbox ORDER BY id LIMIT 1');
  const openEpisode = db.prepare('SELECT * FROM drop_episodes WHERE ended_at IS NULL ORDER BY id DESC LIMIT 1');
  const startEpisode = db.prepare('INSERT INTO drop_episodes (started_at, count, lost_from, lost_to, what) VALUES (?, ?, ?, ?, ?) RETURNING *');
  const growEpisode = db.prepare(
    'UPDATE drop_episodes SET count = count + ?, lost_from = min(lost_from, ?), lost_to = max(lost_to, ?), what = ? WHERE id = ? RETURNING *',
  );
  const endEpisode = db.prepare('UPDATE drop_episodes SET ended_at = ? WHERE id = ? RETURNING *');
  let droppedTotal = (db.prepare('SELECT coalesce(sum(count), 0) AS n FROM drop_episodes').get() as { n: number }).n;
  let episode = (openEpisode.get() as EpisodeRow | undefined) ?? null;

  const over = (): boolean => depth > o.maxPoints || bytes > o.maxBytes;

  /** Drops the oldest points of `kind` (not in flight) until under the bound; what went, or null. */
  const dropKind = (kind: OutboxKind): Loss | null => {
    const loss: Loss = { what: kind === RAW ? 'oldestRaw' : 'kept', count: 0, from: Infinity, to: -Infinity };
    while (over()) {
      // A little more than the overflow, so a full outbox does not run a DELETE on every append.
      const avg = depth > 0 ? bytes / depth : ROW_OVERHEAD;
      const need = Math.max(depth - o.maxPoints, Math.ceil((bytes - o.maxBytes) / avg), 1);
      const n = Math.max(need, Math.ceil(o.maxPoints / 1000));
      const rows = dropOldest.all(kind, inflightMax, n) as { len: number; ts: number }[];
      if (rows.length === 0) break;
      for (const r of rows) {
        bytes -= r.len + ROW_OVERHEAD;
        if (r.ts < loss.from) loss.from = r.ts;
        if (r.ts > loss.to) loss.to = r.ts;
      }
      depth -= rows.length;
      loss.count += rows.length;
    }
    return loss.count > 0 ? loss : null;
  };

  /** Adds a loss to the open episode (opening one if needed), in the append's transaction. */
  const record = (loss: Loss): DropEpisodeView => {
    const at = o.now();
    episode = episode
      ? (growEpisode.get(loss.count, loss.from, loss.to, loss.what, episode.id) as unknown as EpisodeRow)
      : (startEpisode.get(at, loss.count, loss.from, loss.to, loss.what) as unknown as EpisodeRow);
    droppedTotal += loss.count;
    return episodeView(episode);
  };

  return {
    append(points) {
      if (points.length === 0) return;
      let take = points;
      const losses: Loss[] = [];
      if (o.policy === 'dropNewest') {
        // Refuse what does not fit; alarm transitions and rollups are still taken first.
        const room = Math.max(0, o.maxPoints - depth);
        let roomBytes = o.maxBytes - bytes;
        const kept: OutboxPoint[] = [];
        const refused: Loss = { what: 'newest', count: 0, from: Infinity, to: -Infinity };
        for (const p of [...points].sort((a, b) => b.kind - a.kind)) {
          const size = p.line.length + ROW_OVERHEAD;
          if (kept.length < room && size <= roomBytes) {
            kept.push(p);
            roomBytes -= size;
          } else {
            refused.count++;
            refused.from = Math.min(refused.from, Math.round(p.ts));
            refused.to = Math.max(refused.to, Math.round(p.ts));
          }
        }
        if (refused.count > 0) losses.push(refused);
        take = kept.sort((a, b) => a.ts - b.ts);
      }
      // The points, the drops they force and the episode's count commit together: a crash cannot lose a
      // point without counting it.
      const episodes = store.transaction(() => {
        for (const p of take) insert.run(p.kind, Math.round(p.ts), p.line);
        depth += take.length;
        for (const p of take) bytes += p.line.length + ROW_OVERHEAD;
        if (over()) {
          const raw = dropKind(RAW);
          if (raw) losses.push(raw);
          const kept = dropKind(KEPT);
          if (kept) losses.push(kept);
        }
        return losses.map(record);
      });
      losses.forEach((l, i) => o.onDrop(l.count, WHY[l.what], episodes[i]!));
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
    droppedTotal: () => droppedTotal,
    dropping: () => (episode ? episodeView(episode) : null),
    endDropping(at) {
      if (!episode) return null;
      const ended = episodeView(endEpisode.get(at, episode.id) as unknown as EpisodeRow);
      episode = null;
      return ended;
    },
    close: () => store.close(),
  };
}
