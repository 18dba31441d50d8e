// The historian's outbox (store-and-forward, issue 6): every point bound for InfluxDB is appended here first
// and removed only after InfluxDB confirmed it, so an outage or a slow server loses nothing. Two tiers (issue 17):
// while InfluxDB keeps up, points wait in memory, at most `memoryPoints` of them (no disk round-trip per point);
// when the writer falls behind (a write failed, the memory tier is full) and at close, they go to the outbox's
// own SQLite file under the data dir (src/store/store.ts, synchronous=NORMAL in WAL: a committed append survives
// a crash of the process), and new points follow them there until the disk tier has drained. A kill -9 loses
// the memory tier only: at most `memoryPoints`, in practice one flush interval plus the batch in flight
// (docs/influx-schema.md "Outbox modes"). Bounded: at maxPoints / maxBytes the policy decides what goes, and
// every drop is reported (never silent).
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
  /** Points in `line`, one line each, separated by '\n' (line protocol has no other newline), all of this kind
   *  and time: one poll cycle's readings travel as one entry through the memory tier (issue 17: an object and a
   *  string per point held for a flush interval was most of the garbage collector's work). On disk every point
   *  is its own row. Absent: 1. */
  count?: number;
}

const countOf = (p: OutboxPoint): number => p.count ?? 1;

/** An entry's points one by one (the disk tier's rows, a rejected batch searched line by line). */
export function singlePoints(p: OutboxPoint): readonly OutboxPoint[] {
  return countOf(p) === 1 ? [p] : p.line.split('\n').map((line) => ({ kind: p.kind, ts: p.ts, line }));
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
  /** Points kept in memory at most while the writer keeps up; 0 = every point written through to disk. */
  memoryPoints: number;
  /** Wall time, for the drop episodes. */
  now(): number;
  /** Called after every drop at the bound, with how many, why, and the episode it belongs to (already
   *  durable); the first drop of an episode has `episode.count === count`. */
  onDrop(count: number, why: string, episode: DropEpisodeView): void;
}

export interface Outbox {
  append(points: readonly OutboxPoint[]): void;
  /** The oldest `max` points, in order; they are in flight until remove() or release(). From the memory tier
   *  these are the appended entries themselves (no copy per point: issue 17), whole: a batch may pass `max` by
   *  less than one entry's count. */
  peek(max: number): readonly OutboxPoint[];
  /** Removes the points of the last peek (written, or set aside). */
  remove(): void;
  /** The points of the last peek stay (the write failed); the next peek returns them again. */
  release(): void;
  /** Keeps refused points with the reason (table `rejected`). */
  reject(points: readonly { line: string; reason: string }[], at: number): void;
  depth(): number;
  bytes(): number;
  /** Points now held in memory only, the batch in flight included: what a kill -9 would lose. */
  memoryDepth(): number;
  /** From now on points wait on disk, those in memory first (the writer failed); `false`: back to memory once
   *  the disk tier has drained (the writer recovered). */
  holdOnDisk(on: boolean): void;
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
  /** All points waiting, in both tiers, the batch in flight included; and their approximate size. */
  let depth = totals.n;
  let bytes = totals.b + totals.n * ROW_OVERHEAD;
  let diskDepth = totals.n;
  /** Highest id of the last peek from disk: points at or below it are in flight and never dropped at the bound. */
  let inflightMax = 0;
  let inflightBytes = 0;
  let inflightCount = 0;
  /** The memory tier: points from memHead on, oldest first; its batch in flight is taken out of it. */
  let mem: OutboxPoint[] = [];
  let memHead = 0;
  let memBytes = 0;
  /** Points in the memory tier (entries may hold several). */
  let memCount = 0;
  /** A batch in flight taken from memory; `reservedId`: the first of the ids kept free for it on disk when the
   *  memory tier was written out while it was in flight (so a failed batch goes back in front, in order). */
  let memInflight: { points: OutboxPoint[]; count: number; bytes: number; reservedId: number | null } | null = null;
  let hold = o.memoryPoints <= 0;
  const memoryCap = Math.min(o.memoryPoints, o.maxPoints);
  /** As the disk tier will count it: each line without its separator, plus a row's overhead per point. */
  const size = (p: OutboxPoint): number => p.line.length - (countOf(p) - 1) + ROW_OVERHEAD * countOf(p);

  const insertAt = db.prepare('INSERT INTO outbox (id, kind, ts, line) VALUES (?, ?, ?, ?)');
  /** Ids are given here, not by SQLite: ids kept free for a batch in flight must not be taken by later points. */
  let nextId = (db.prepare('SELECT coalesce(max(id), 0) AS id FROM outbox').get() as { id: number }).id + 1;
  const insert = (p: OutboxPoint): void => {
    for (const one of singlePoints(p)) insertAt.run(nextId++, one.kind, Math.round(one.ts), one.line);
  };
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
      diskDepth -= rows.length;
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

  /** Writes the memory tier to disk, oldest first, in the caller's transaction; with a batch from memory in
   *  flight, ids in front are kept free for it (`inflightToo`: it goes to disk now, at close). */
  const spill = (inflightToo: boolean): void => {
    const inflight = memInflight;
    if (inflight && inflight.reservedId === null) {
      inflight.reservedId = nextId;
      nextId += inflight.count;
    }
    for (let k = memHead; k < mem.length; k++) insert(mem[k]!);
    diskDepth += memCount;
    mem = [];
    memHead = 0;
    memBytes = 0;
    memCount = 0;
    if (inflightToo && inflight) putBack(inflight);
  };

  /** A batch from memory that was not written goes back where its tier now is: in front of the memory tier, or
   *  at the ids kept free for it on disk. */
  const putBack = (inflight: NonNullable<typeof memInflight>): void => {
    memInflight = null;
    if (inflight.reservedId === null) {
      mem = inflight.points.concat(mem.slice(memHead));
      memHead = 0;
      memBytes += inflight.bytes;
      memCount += inflight.count;
      return;
    }
    let id = inflight.reservedId;
    for (const p of inflight.points) for (const one of singlePoints(p)) insertAt.run(id++, one.kind, Math.round(one.ts), one.line);
    diskDepth += inflight.count;
  };

  const onDisk = (): boolean => hold || diskDepth > 0 || memInflight?.reservedId != null;

  return {
    append(points) {
      if (points.length === 0) return;
      let take = points;
      const losses: Loss[] = [];
      if (o.policy === 'dropNewest') {
        // Refuse what does not fit, point by point; alarm transitions and rollups are still taken first.
        const room = Math.max(0, o.maxPoints - depth);
        let roomBytes = o.maxBytes - bytes;
        const kept: OutboxPoint[] = [];
        const refused: Loss = { what: 'newest', count: 0, from: Infinity, to: -Infinity };
        for (const p of points.flatMap(singlePoints).sort((a, b) => b.kind - a.kind)) {
          if (kept.length < room && size(p) <= roomBytes) {
            kept.push(p);
            roomBytes -= size(p);
          } else {
            refused.count++;
            refused.from = Math.min(refused.from, Math.round(p.ts));
            refused.to = Math.max(refused.to, Math.round(p.ts));
          }
        }
        if (refused.count > 0) losses.push(refused);
        take = kept.sort((a, b) => a.ts - b.ts);
        if (take.length === 0) {
          const episodes = store.transaction(() => losses.map(record));
          losses.forEach((l, i) => o.onDrop(l.count, WHY[l.what], episodes[i]!));
          return;
        }
      }
      let added = 0;
      let count = 0;
      for (const p of take) {
        added += size(p);
        count += countOf(p);
      }
      depth += count;
      bytes += added;
      if (!onDisk() && depth - diskDepth <= memoryCap && memBytes + added <= o.maxBytes) {
        // The writer keeps up: memory only (the memory tier is never larger than the bounds, so nothing drops).
        for (const p of take) mem.push(p);
        memBytes += added;
        memCount += count;
        return;
      }
      // The points, the drops they force and the episode's count commit together: a crash cannot lose a
      // point without counting it.
      const episodes = store.transaction(() => {
        spill(false); // the memory tier first (falling behind, or just filled up): order is kept
        for (const p of take) insert(p);
        diskDepth += count;
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
      if (diskDepth === 0 && !memInflight) {
        // Memory tier (disk tier empty): the batch is taken out of it, whole entries, at least one.
        let end = memHead;
        let count = 0;
        let taken = 0;
        while (end < mem.length && (end === memHead || count + countOf(mem[end]!) <= max)) {
          count += countOf(mem[end]!);
          taken += size(mem[end]!);
          end++;
        }
        const points = mem.slice(memHead, end);
        memHead = end;
        memBytes -= taken;
        memCount -= count;
        if (memHead > 4096 && memHead * 2 > mem.length) {
          mem = mem.slice(memHead);
          memHead = 0;
        }
        memInflight = points.length > 0 ? { points, count, bytes: taken, reservedId: null } : null;
        return points;
      }
      const rows = select.all(max) as unknown as (OutboxPoint & { id: number })[];
      inflightMax = rows.at(-1)?.id ?? 0;
      inflightCount = rows.length;
      inflightBytes = 0;
      for (const r of rows) inflightBytes += r.line.length + ROW_OVERHEAD;
      return rows;
    },

    remove() {
      if (memInflight) {
        depth -= memInflight.count;
        bytes -= memInflight.bytes;
        memInflight = null;
        return;
      }
      if (inflightMax === 0) return;
      deleteUpTo.run(inflightMax);
      depth -= inflightCount;
      diskDepth -= inflightCount;
      bytes -= inflightBytes;
      inflightMax = inflightCount = inflightBytes = 0;
    },

    release() {
      if (memInflight) {
        const inflight = memInflight;
        if (inflight.reservedId === null) putBack(inflight);
        else store.transaction(() => putBack(inflight));
        return;
      }
      inflightMax = inflightCount = inflightBytes = 0;
    },

    holdOnDisk(on) {
      hold = on || o.memoryPoints <= 0;
      if (hold && memHead < mem.length) store.transaction(() => spill(false));
    },

    reject(points, at) {
      store.transaction(() => {
        for (const p of points) insertRejected.run(at, p.reason.slice(0, 1000), p.line);
        trimRejected.run(MAX_REJECTED);
      });
    },

    depth: () => depth,
    bytes: () => bytes,
    memoryDepth: () => memCount + (memInflight?.count ?? 0),
    oldestTs() {
      // Oldest first: a batch in flight from memory, then the disk tier, then the memory tier.
      const first = memInflight?.points[0]?.ts ?? (diskDepth > 0 ? (oldest.get() as { ts: number } | undefined)?.ts : undefined) ?? mem[memHead]?.ts;
      return first === undefined ? null : Math.round(first);
    },
    rejectedCount: () => (countRejected.get() as { n: number }).n,
    droppedTotal: () => droppedTotal,
    dropping: () => (episode ? episodeView(episode) : null),
    endDropping(at) {
      if (!episode) return null;
      const ended = episodeView(endEpisode.get(at, episode.id) as unknown as EpisodeRow);
      episode = null;
      return ended;
    },
    close() {
      // Nothing is dropped at close: the memory tier and a batch from it still in flight go to disk.
      if (memInflight || memHead < mem.length) store.transaction(() => spill(true));
      store.close();
    },
  };
}
