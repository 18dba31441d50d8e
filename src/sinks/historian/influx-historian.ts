// The InfluxDB 1.x historian sink with store-and-forward (issue 6): every point goes to the durable outbox
// first (outbox.ts) and is removed only once InfluxDB confirmed it, so an outage, a slow server or a kill -9
// loses nothing; the pump writes the outbox oldest first in batches, replaying a backlog at full speed.
// Like Telegraf's running_output (style.md) it owns buffering, batching, retries with backoff, and it says
// when it drops. A constructor does nothing; start() and stop() do the work (style.md §6).
// Schema, retention policies and outage behaviour: docs/influx-schema.md.
import { InfluxDB } from 'influx';
import type { AlarmTransition } from '../../alarms/types.ts';
import type { InfluxConfig } from '../../config/schema.ts';
import type { Clock } from '../../core/clock.ts';
import type { Logger } from '../../core/logger.ts';
import type { Reading } from '../../core/reading.ts';
import type { DropEpisodeView, HistorianStatusView } from '../../contract/history.ts';
import { lineWriter } from './line-protocol.ts';
import { KEPT, RAW, openOutbox, singlePoints, type Outbox, type OutboxPoint } from './outbox.ts';
import type { Rollup } from './rollup.ts';
import { ensureRetention, RP_LONGTERM, RP_RAW, type Retention } from './influx-retention.ts';
import { createRateMeter } from './rate-meter.ts';

export interface InfluxHistorian {
  start(): Promise<void>;
  stop(): Promise<void>;
  writeReadings(readings: readonly Reading[]): void;
  writeRollups(rollups: readonly Rollup[]): void;
  writeAlarmTransition(t: AlarmTransition): void;
  status(): HistorianStatusView;
  /** The client (for trend queries), once started. */
  client(): InfluxDB | null;
}

/** An episode of drops at the outbox bound began (first point lost) or ended (the outbox drained again). */
export interface HistorianLoss {
  phase: 'started' | 'ended';
  episode: DropEpisodeView;
}

export interface InfluxHistorianDeps {
  config: InfluxConfig;
  retention: Retention;
  siteId: string;
  dataDir: string;
  logger: Logger;
  clock: Clock;
  /** Told when a drop episode starts and ends (the gateway raises and clears the historian alarm, and writes
   *  the duty log). Called outside the write path (a microtask later), so it may write to the historian. */
  onLoss?: (loss: HistorianLoss) => void;
}

export const INFLUX_DEFAULTS = {
  batchSize: 5000,
  flushIntervalMs: 1000,
  outboxMaxPoints: 10_000_000,
  outboxMaxMiB: 1024,
  outboxPolicy: 'dropOldestRaw',
  /** Two flush intervals at 40,000 points/s, plus room: beyond it the writer is behind and points go to disk. */
  outboxMemoryPoints: 100_000,
} as const;
const RETRY_MIN_MS = 500;
const RETRY_MAX_MS = 15_000;
const REQUEST_TIMEOUT_MS = 10_000;
/** How long start() waits for the first attempt, and stop() for the batch in flight. */
const DEADLINE_MS = 3000;
const DROP_LOG_EVERY_MS = 10_000;

/** The slice of the `influx` package's request pool we use to POST our own line protocol. */
interface RawPool {
  discard(options: {
    method: 'POST';
    path: '/write';
    body: string;
    query: Record<string, string>;
    auth?: string;
    signal?: AbortSignal;
  }): Promise<void>;
}

function rawPool(influx: InfluxDB): RawPool {
  // The package has no public "write this line protocol" call (writePoints re-serializes IPoint objects, about
  // 0.6 of the raw ceiling, issue 6), so we use its private pool: auth, timeouts and error classes stay the
  // package's. A package upgrade that changes this fails here at start(), and the integration test covers it.
  const pool = (influx as unknown as { _pool?: Partial<RawPool> })._pool;
  if (typeof pool?.discard !== 'function') throw new Error('influx package: request pool not found (API changed?)');
  return pool as RawPool;
}

/** HTTP status of a failed request, if InfluxDB answered at all (the package's RequestError carries `res`). */
function statusOf(err: unknown): number | null {
  const res = (err as { res?: { statusCode?: unknown } } | null)?.res;
  return typeof res?.statusCode === 'number' ? res.statusCode : null;
}

/** Bad points: set aside. Other 4xx (auth, missing database, throttling) are retried. */
function isRejection(status: number | null): boolean {
  return status !== null && status >= 400 && status < 500 && ![401, 403, 404, 408, 429].includes(status);
}

const errorText = (err: unknown): string => (err instanceof Error ? err.message : String(err)).slice(0, 500);

class Rejected extends Error {}

export function createInfluxHistorian(deps: InfluxHistorianDeps): InfluxHistorian {
  const { config, clock } = deps;
  const log = deps.logger.child({ sink: 'influx', url: config.url, database: config.database });
  const batchSize = config.batchSize ?? INFLUX_DEFAULTS.batchSize;
  const flushIntervalMs = config.flushIntervalMs ?? INFLUX_DEFAULTS.flushIntervalMs;
  const auth = config.username !== undefined ? `${config.username}:${config.password ?? ''}` : undefined;
  const lines = lineWriter(deps.siteId);
  const rate = createRateMeter(clock);

  /** `dropped`: only points lost while no outbox was open; those at the bound are counted in the outbox file. */
  const s = { written: 0, dropped: 0, rejected: 0, writeErrors: 0, lastError: null as string | null, lastWriteAt: null as number | null, connected: false };
  let outbox: Outbox | null = null;
  let influx: InfluxDB | null = null;
  let pool: RawPool | null = null;
  let databaseReady = false;
  let running = false;
  let pumping: Promise<void> | null = null;
  let timer: NodeJS.Timeout | null = null;
  let timerAt = Infinity;
  let retryDelay = 0;
  let abort = new AbortController();
  let dropsUnlogged = 0;
  let lastDropLogAt = -Infinity;

  let dropWhy = '';
  const droppedTotal = (): number => s.dropped + (outbox?.droppedTotal() ?? 0);

  /** Logs the drops not logged yet; `force` at the end of an episode and at stop, so the last ones are not lost. */
  const logDrops = (force: boolean): void => {
    // Rate-limited, never silent: an outage at 1000 points/s must not become 1000 log lines/s.
    if (dropsUnlogged > 0 && (force || clock.now() - lastDropLogAt >= DROP_LOG_EVERY_MS)) {
      log.warn('historian dropped points', { dropped: dropsUnlogged, droppedTotal: droppedTotal(), why: dropWhy });
      dropsUnlogged = 0;
      lastDropLogAt = clock.now();
    }
  };

  const noteDrops = (n: number, why: string): void => {
    dropsUnlogged += n;
    dropWhy = why;
    logDrops(false);
  };

  const tell = (loss: HistorianLoss): void => {
    const onLoss = deps.onLoss;
    if (onLoss) queueMicrotask(() => {
      try {
        onLoss(loss);
      } catch (err) {
        log.error('historian loss report failed', { err: String((err as Error)?.stack ?? err) });
      }
    });
  };

  const onDrop = (n: number, why: string, episode: DropEpisodeView): void => {
    if (episode.count === n) {
      log.error('historian outbox full: points are being dropped', { why, since: episode.startedAt, lostFrom: episode.lostFrom });
      tell({ phase: 'started', episode });
    }
    noteDrops(n, why);
  };

  /** The outbox has drained: an open drop episode ends, with its last drops logged. */
  const endDropping = (box: Outbox): void => {
    const ended = box.endDropping(clock.now());
    if (!ended) return;
    logDrops(true);
    log.warn('historian drop episode ended: the outbox has drained', { lost: ended.count, lostFrom: ended.lostFrom, lostTo: ended.lostTo, since: ended.startedAt });
    tell({ phase: 'ended', episode: ended });
  };

  const enqueue = (points: OutboxPoint[]): void => {
    if (!outbox) {
      let n = 0;
      for (const p of points) n += p.count ?? 1;
      s.dropped += n;
      noteDrops(n, 'historian not running');
      return;
    }
    outbox.append(points);
    // While backing off, the retry timer is already set: new points must not bring it forward.
    if (retryDelay === 0) schedule(outbox.depth() >= batchSize ? 0 : flushIntervalMs);
  };

  /** Runs the pump after `ms`, unless it is already due sooner. */
  const schedule = (ms: number): void => {
    if (!running) return;
    const at = Date.now() + ms;
    if (timer && timerAt <= at) return;
    if (timer) clearTimeout(timer);
    timerAt = at;
    timer = setTimeout(() => {
      timer = null;
      timerAt = Infinity;
      void pump();
    }, ms);
  };

  const failed = (err: unknown, what: string): void => {
    s.writeErrors++;
    s.lastError = `${what}: ${errorText(err)}`;
    const status = statusOf(err);
    s.connected = status !== null && status < 500; // any answer means InfluxDB is there
    if (status === 404) databaseReady = false; // the database went missing: create it again before writing
    outbox?.holdOnDisk(true); // behind: what waits must survive a crash
    // Log the first failure of a streak, then only once the backoff is at its maximum: not every retry.
    if (retryDelay === 0 || retryDelay === RETRY_MAX_MS) log.warn('InfluxDB request failed, will retry', { what, status, error: s.lastError, outbox: outbox?.depth() });
    retryDelay = Math.min(RETRY_MAX_MS, Math.max(RETRY_MIN_MS, retryDelay * 2));
  };

  const post = (p: RawPool, rp: string, body: string): Promise<void> =>
    p.discard({ method: 'POST', path: '/write', body, auth, signal: abort.signal, query: { db: config.database, rp, precision: 'ms' } });

  /** A refused point goes to the outbox's `rejected` table with the reason, counted and logged (every one: a
   *  rejection is a schema problem someone must fix, and there are few). */
  const setAside = (line: string, reason: string): void => {
    s.rejected++;
    s.lastError = `write rejected (${reason})`;
    outbox?.reject([{ line, reason }], clock.now());
    log.error('InfluxDB rejected a point; set aside', { reason, line: line.slice(0, 300), rejectedTotal: s.rejected });
  };

  /** Writes lines; on a rejection (4xx: unparsable line, field type conflict) halves the set until each bad
   *  line is found and set aside with its reason. Good lines are re-sent, which is harmless: same series and
   *  timestamp overwrite the same point (idempotent, docs/influx-schema.md). */
  const writeOrSplit = async (p: RawPool, rp: string, entries: readonly OutboxPoint[]): Promise<void> => {
    try {
      await post(p, rp, entries.length === 1 ? entries[0]!.line : entries.map((e) => e.line).join('\n'));
    } catch (err) {
      const status = statusOf(err);
      if (!isRejection(status)) throw err;
      s.connected = true;
      // An entry of several points (a poll cycle's) is searched line by line like a batch.
      const batch = entries.length === 1 ? singlePoints(entries[0]!) : entries;
      if (batch.length === 1) throw new Rejected(`${status}: ${errorText(err)}`);
      const half = Math.ceil(batch.length / 2);
      for (const part of [batch.slice(0, half), batch.slice(half)]) {
        try {
          await writeOrSplit(p, rp, part);
        } catch (e) {
          if (!(e instanceof Rejected)) throw e;
          setAside(part[0]!.line, e.message);
        }
      }
    }
  };

  const writeBatch = async (p: RawPool, box: Outbox): Promise<void> => {
    const batch = box.peek(batchSize);
    try {
      // Raw readings into the raw retention policy; rollups and alarm transitions into the long-term one. Most
      // batches are raw readings only: then the batch is sent as it is, without sorting it into copies.
      let keptCount = 0;
      let points = 0;
      for (let i = 0; i < batch.length; i++) {
        if (batch[i]!.kind === KEPT) keptCount++;
        points += batch[i]!.count ?? 1;
      }
      const raw = keptCount === 0 ? batch : keptCount === batch.length ? [] : batch.filter((e) => e.kind === RAW);
      const kept = keptCount === 0 ? [] : keptCount === batch.length ? batch : batch.filter((e) => e.kind === KEPT);
      for (const [rp, part] of [[RP_RAW, raw], [RP_LONGTERM, kept]] as const) {
        if (part.length === 0) continue;
        try {
          await writeOrSplit(p, rp, part);
        } catch (e) {
          if (!(e instanceof Rejected)) throw e;
          setAside(part[0]!.line, e.message);
        }
      }
      box.remove();
      s.written += points;
      rate.add(points);
      s.lastWriteAt = clock.now();
      s.connected = true;
    } catch (err) {
      box.release();
      throw err;
    }
  };

  /** Creates the database and retention policies if needed, then writes the outbox, batch by batch. */
  const drain = async (db: InfluxDB, p: RawPool, box: Outbox): Promise<void> => {
    try {
      if (!databaseReady) {
        await ensureRetention(db, config.database, deps.retention);
        databaseReady = true;
        s.connected = true;
        log.info('InfluxDB database and retention policies ready', { ...deps.retention });
      }
      while (box.depth() > 0 && !abort.signal.aborted) await writeBatch(p, box);
      if (box.depth() === 0) endDropping(box);
      box.holdOnDisk(false); // caught up: new points may wait in memory again once the disk tier is empty
      if (retryDelay > 0) {
        log.info('InfluxDB writes recovered', { written: s.written, lastError: s.lastError });
        s.lastError = null; // logged above; the status must not show an old error with state ok
      }
      retryDelay = 0;
    } catch (err) {
      if (abort.signal.aborted) return;
      failed(err, databaseReady ? 'write' : 'create database');
      // ±20% jitter, so several gateways do not hammer a recovering InfluxDB in step.
      schedule(Math.round(retryDelay * (0.8 + Math.random() * 0.4)));
    }
  };

  /** One drain at a time; callers share the one running. */
  const pump = (): Promise<void> => {
    if (!pumping && influx && pool && outbox) pumping = drain(influx, pool, outbox).finally(() => (pumping = null));
    return pumping ?? Promise.resolve();
  };

  const within = (p: Promise<unknown> | null, ms: number): Promise<unknown> =>
    Promise.race([p, new Promise<void>((r) => setTimeout(r, ms).unref())]);

  return {
    async start() {
      if (running) return;
      outbox = openOutbox({
        dataDir: deps.dataDir,
        logger: log,
        maxPoints: config.outboxMaxPoints ?? INFLUX_DEFAULTS.outboxMaxPoints,
        maxBytes: (config.outboxMaxMiB ?? INFLUX_DEFAULTS.outboxMaxMiB) * 2 ** 20,
        policy: config.outboxPolicy ?? INFLUX_DEFAULTS.outboxPolicy,
        memoryPoints: config.outboxMemoryPoints ?? INFLUX_DEFAULTS.outboxMemoryPoints,
        now: () => clock.now(),
        onDrop,
      });
      const dropping = outbox.dropping();
      if (dropping) log.warn('historian restarted in a drop episode; still counting it', { lost: dropping.count, since: dropping.startedAt });
      if (outbox.depth() > 0) log.info('historian outbox holds points from before the restart; replaying', { points: outbox.depth() });
      const url = new URL(config.url);
      influx = new InfluxDB({
        protocol: url.protocol === 'https:' ? 'https' : 'http',
        host: url.hostname,
        port: url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 8086,
        path: url.pathname.replace(/\/$/, ''),
        database: config.database,
        ...(config.username !== undefined ? { username: config.username, password: config.password ?? '' } : {}),
        // We retry and back off ourselves; the pool must neither retry nor take the only host out of rotation.
        pool: {
          maxRetries: 0,
          requestTimeout: REQUEST_TIMEOUT_MS,
          backoff: { getDelay: () => 0, next() { return this; }, reset() { return this; } },
        },
      });
      pool = rawPool(influx);
      abort = new AbortController();
      retryDelay = 0;
      running = true;
      // InfluxDB being down is a device error, not a config error: start anyway and keep retrying (style.md §8).
      // Wait for the first attempt only briefly: an unreachable host must not hold up the gateway's start.
      await within(pump(), DEADLINE_MS);
      if (!databaseReady) log.warn('InfluxDB not reachable at start; points wait in the outbox', { error: s.lastError });
    },

    async stop() {
      if (!running) return;
      running = false;
      if (timer) clearTimeout(timer);
      timer = null;
      timerAt = Infinity;
      // Let the batch in flight finish briefly, then abandon it: whatever is unwritten stays in the outbox
      // and is replayed at the next start (nothing is dropped at stop).
      await within(pumping, DEADLINE_MS);
      abort.abort();
      await within(pumping, 500); // an aborted write settles at once; createDatabase takes no signal
      logDrops(true);
      if (outbox && outbox.depth() > 0) log.info('historian stopped with points in the outbox; replayed at next start', { points: outbox.depth() });
      outbox?.close();
      outbox = null;
    },

    writeReadings(readings) {
      if (readings.length === 0) return;
      // Readings of one time (a poll cycle's block) become one outbox entry: one flat string, joined here while
      // its pieces are young, instead of an object and a string per point kept for a flush interval (issue 17).
      const points: OutboxPoint[] = [];
      for (let i = 0; i < readings.length;) {
        const ts = readings[i]!.ts;
        let j = i + 1;
        while (j < readings.length && readings[j]!.ts === ts) j++;
        if (j - i === 1) points.push({ kind: RAW, ts, line: lines.reading(readings[i]!) });
        else {
          const text = new Array<string>(j - i);
          for (let k = i; k < j; k++) text[k - i] = lines.reading(readings[k]!);
          points.push({ kind: RAW, ts, line: text.join('\n'), count: j - i });
        }
        i = j;
      }
      enqueue(points);
    },

    writeRollups(rollups) {
      if (rollups.length > 0) enqueue(rollups.map((r) => ({ kind: KEPT, ts: r.start, line: lines.rollup(r) })));
    },

    writeAlarmTransition(t) {
      enqueue([{ kind: KEPT, ts: t.ts, line: lines.alarm(t) }]);
    },

    status() {
      const depth = outbox?.depth() ?? 0;
      const oldest = outbox?.oldestTs() ?? null;
      const state = !s.connected && (s.writeErrors > 0 || !databaseReady) ? 'down' : depth > batchSize || retryDelay > 0 ? 'backlog' : 'ok';
      return {
        backend: 'influx',
        state,
        outboxPoints: depth,
        outboxInMemory: outbox?.memoryDepth() ?? 0,
        outboxBytes: outbox?.bytes() ?? 0,
        oldestAgeMs: oldest === null ? null : Math.max(0, clock.now() - oldest),
        written: s.written,
        writeRate: rate.perSecond(),
        writeErrors: s.writeErrors,
        rejected: s.rejected,
        dropped: droppedTotal(),
        dropping: outbox?.dropping() ?? null,
        lastError: s.lastError,
        lastWriteAt: s.lastWriteAt,
      };
    },

    client: () => influx,
  };
}
