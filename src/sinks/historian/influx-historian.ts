// The InfluxDB 1.x historian sink: readings and alarm transitions as line protocol (schema: docs/influx-schema.md).
// Like Telegraf's running_output (style.md), it owns its buffer: bounded, batched, retried with backoff, and it
// says when it drops. A constructor does nothing; start() and stop() do the work (style.md §6).
import { InfluxDB } from 'influx';
import type { AlarmTransition } from '../../alarms/types.ts';
import type { InfluxConfig } from '../../config/schema.ts';
import type { Clock } from '../../core/clock.ts';
import type { Logger } from '../../core/logger.ts';
import type { Reading } from '../../core/reading.ts';

export interface HistorianStats {
  /** Points held in memory, not yet written (including a batch in flight). */
  buffered: number;
  written: number;
  /** Points lost on purpose: oldest dropped at the buffer bound, or left unwritten at stop(). */
  dropped: number;
  /** Points InfluxDB refused (4xx, e.g. a field type conflict) and that were set aside. */
  rejected: number;
  /** Failed requests (writes and database creation), each retried. */
  writeErrors: number;
  lastError: string | null;
  lastWriteAt: number | null;
  connected: boolean;
}

export interface InfluxHistorian {
  start(): Promise<void>;
  stop(): Promise<void>;
  writeReadings(readings: readonly Reading[]): void;
  writeAlarmTransition(t: AlarmTransition): void;
  stats(): HistorianStats;
}

export interface InfluxHistorianDeps {
  config: InfluxConfig;
  siteId: string;
  logger: Logger;
  clock: Clock;
}

const DEFAULTS = { batchSize: 1000, flushIntervalMs: 1000, maxBufferedPoints: 100_000 };
const RETRY_MIN_MS = 500;
const RETRY_MAX_MS = 15_000;
const REQUEST_TIMEOUT_MS = 10_000;
/** How long start() waits for the first attempt, and stop() for the last flush. */
const DEADLINE_MS = 3000;
const DROP_LOG_EVERY_MS = 10_000;

// --- Line protocol (https://docs.influxdata.com/influxdb/v1.8/write_protocols/line_protocol_reference/) ---

/** Tag keys and values: escape comma, space, equals sign. A newline cannot be escaped, so it becomes a space. */
function tag(s: string): string {
  return s.replace(/[\r\n]/g, ' ').replace(/[,= ]/g, '\\$&');
}

/** String field values: double quotes around, with `"` and `\` escaped. */
function str(s: string): string {
  return `"${s.replace(/[\\"]/g, '\\$&')}"`;
}

/** Float field: no `i` suffix, so it is always a float; NaN and ±Infinity cannot be stored. */
function float(n: number): string | null {
  return Number.isFinite(n) ? String(n) : null;
}

/** Tags in key order (InfluxDB sorts them anyway; sorted input saves it the work). Empty values are left out:
 *  line protocol refuses them, and InfluxQL treats a missing tag as ''. */
function line(measurement: string, tags: Record<string, string>, fields: Record<string, string | null>, ts: number): string {
  let out = measurement;
  for (const key of Object.keys(tags).sort()) {
    const value = tags[key];
    if (value) out += `,${key}=${tag(value)}`;
  }
  let sep = ' ';
  for (const [key, value] of Object.entries(fields)) {
    if (value === null) continue;
    out += `${sep}${key}=${value}`;
    sep = ',';
  }
  return `${out} ${Math.round(ts)}`;
}

/** `reading`: a boolean is stored as 1/0 in the same float field, so the field type never conflicts. */
export function readingLine(siteId: string, r: Reading): string {
  const value = r.value === null ? null : typeof r.value === 'boolean' ? (r.value ? '1' : '0') : float(r.value);
  return line(
    'reading',
    { site: siteId, room: r.roomId, device: r.deviceId, point: r.point },
    { value, quality: str(r.quality) },
    r.ts,
  );
}

/** `alarm`: one point per transition, at the transition's time. */
export function alarmLine(siteId: string, t: AlarmTransition): string {
  const a = t.alarm;
  // AlarmView carries the point key `<deviceId>.<point>`; the tag is the point name alone, as in `reading`.
  const point = a.pointKey.startsWith(`${a.deviceId}.`) ? a.pointKey.slice(a.deviceId.length + 1) : a.pointKey;
  return line(
    'alarm',
    { site: siteId, room: a.roomId, device: a.deviceId, point, condition: a.condition, priority: a.priority },
    {
      event: str(t.kind),
      state: str(t.to),
      value: float(a.value),
      limit: float(a.limit),
      alarm_id: `${Math.trunc(a.id)}i`,
      user: str(t.username ?? ''),
    },
    t.ts,
  );
}

// --- Transport ---

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
  // The package has no public "write this line protocol" call (writePoints re-serializes IPoint objects), so we
  // use its private pool: auth, timeouts and error classes stay the package's. A package upgrade that changes
  // this fails here at start(), and the integration test covers it.
  const pool = (influx as unknown as { _pool?: Partial<RawPool> })._pool;
  if (typeof pool?.discard !== 'function') throw new Error('influx package: request pool not found (API changed?)');
  return pool as RawPool;
}

/** HTTP status of a failed request, if InfluxDB answered at all (the package's RequestError carries `res`). */
function statusOf(err: unknown): number | null {
  const res = (err as { res?: { statusCode?: unknown } } | null)?.res;
  return typeof res?.statusCode === 'number' ? res.statusCode : null;
}

/** Bad points: the batch is set aside. Other 4xx (auth, missing database, throttling) are retried. */
function isRejection(status: number | null): boolean {
  return status !== null && status >= 400 && status < 500 && ![401, 403, 404, 408, 429].includes(status);
}

/** How many points a 400 refused: `dropped=N` for type conflicts, one per `unable to parse` line. */
function refusedCount(message: string, batch: number): number {
  const dropped = Number(/dropped=(\d+)/.exec(message)?.[1] ?? 0);
  const unparsable = message.match(/unable to parse/g)?.length ?? 0;
  return Math.min(batch, dropped + unparsable) || batch;
}

const errorText = (err: unknown): string => (err instanceof Error ? err.message : String(err)).slice(0, 500);

export function createInfluxHistorian(deps: InfluxHistorianDeps): InfluxHistorian {
  const { config, siteId, clock } = deps;
  const log = deps.logger.child({ sink: 'influx', url: config.url, database: config.database });
  const maxBuffered = config.maxBufferedPoints ?? DEFAULTS.maxBufferedPoints;
  // At most half the bound per batch, so there are always older points not in flight to drop at the bound.
  const batchSize = Math.max(1, Math.min(config.batchSize ?? DEFAULTS.batchSize, Math.floor(maxBuffered / 2)));
  const flushIntervalMs = config.flushIntervalMs ?? DEFAULTS.flushIntervalMs;
  const auth = config.username !== undefined ? `${config.username}:${config.password ?? ''}` : undefined;

  const s: HistorianStats = {
    buffered: 0, written: 0, dropped: 0, rejected: 0, writeErrors: 0, lastError: null, lastWriteAt: null, connected: false,
  };
  /** Oldest first. The first `inflight` lines are in the request being sent. */
  let queue: string[] = [];
  let inflight = 0;
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

  const noteDrops = (n: number, why: string, force = false): void => {
    s.dropped += n;
    dropsUnlogged += n;
    // Rate-limited, never silent: an outage at 1000 points/s must not become 1000 log lines/s.
    if (dropsUnlogged > 0 && (force || clock.now() - lastDropLogAt >= DROP_LOG_EVERY_MS)) {
      log.warn('historian dropped points', { dropped: dropsUnlogged, droppedTotal: s.dropped, why, maxBufferedPoints: maxBuffered });
      dropsUnlogged = 0;
      lastDropLogAt = clock.now();
    }
  };

  const enqueue = (lines: string[]): void => {
    if (!running && influx !== null) {
      noteDrops(lines.length, 'historian stopped');
      return;
    }
    for (const l of lines) queue.push(l);
    const over = queue.length - maxBuffered;
    if (over > 0) {
      // Drop the oldest points not in flight: the batch in flight may still succeed.
      queue.splice(inflight, over);
      noteDrops(over, 'buffer full (InfluxDB unreachable or too slow)');
    }
    // While backing off, the retry timer is already set: new points must not bring it forward.
    if (retryDelay === 0) schedule(queue.length >= batchSize ? 0 : flushIntervalMs);
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
    // Log the first failure of a streak, then only once the backoff is at its maximum: not every retry.
    if (retryDelay === 0 || retryDelay === RETRY_MAX_MS) log.warn('InfluxDB request failed, will retry', { what, status, error: s.lastError, buffered: queue.length });
    retryDelay = Math.min(RETRY_MAX_MS, Math.max(RETRY_MIN_MS, retryDelay * 2));
  };

  const writeBatch = async (p: RawPool): Promise<void> => {
    inflight = Math.min(batchSize, queue.length);
    const body = queue.slice(0, inflight).join('\n');
    try {
      await p.discard({ method: 'POST', path: '/write', body, auth, signal: abort.signal, query: { db: config.database, precision: 'ms' } });
      s.written += inflight;
      s.lastWriteAt = clock.now();
      s.connected = true;
      queue.splice(0, inflight);
    } catch (err) {
      const status = statusOf(err);
      if (!isRejection(status)) throw err;
      // Bad points would block the queue forever: set them aside. Good points of the batch were written
      // already (InfluxDB 1.x answers "partial write"), and a re-send would only overwrite them.
      const refused = refusedCount(errorText(err), inflight);
      s.rejected += refused;
      s.connected = true;
      s.lastError = `write rejected (${status}): ${errorText(err)}`;
      log.error('InfluxDB rejected points; batch set aside', { status, refused, batch: inflight, error: s.lastError, firstLine: queue[0] });
      queue.splice(0, inflight);
    } finally {
      inflight = 0;
    }
  };

  /** Creates the database if needed, then writes everything buffered, batch by batch. */
  const drain = async (db: InfluxDB, p: RawPool): Promise<void> => {
    try {
      if (!databaseReady) {
        await db.createDatabase(config.database); // idempotent in InfluxDB 1.x
        databaseReady = true;
        s.connected = true;
        log.info('InfluxDB database ready');
      }
      while (queue.length > 0 && !abort.signal.aborted) await writeBatch(p);
      if (retryDelay > 0) log.info('InfluxDB writes recovered', { written: s.written });
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
    if (!pumping && influx && pool) pumping = drain(influx, pool).finally(() => (pumping = null));
    return pumping ?? Promise.resolve();
  };

  const within = (p: Promise<unknown> | null, ms: number): Promise<unknown> =>
    Promise.race([p, new Promise<void>((r) => setTimeout(r, ms).unref())]);

  return {
    async start() {
      if (running) return;
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
      if (!databaseReady) log.warn('InfluxDB not reachable at start; buffering and retrying', { error: s.lastError });
    },

    async stop() {
      if (!running) return;
      running = false;
      if (timer) clearTimeout(timer);
      timer = null;
      timerAt = Infinity;
      // Flush what we can within a short deadline, then abandon the request in flight.
      const flush = (async () => {
        await pumping;
        if (queue.length > 0) await pump();
      })();
      await within(flush, DEADLINE_MS);
      abort.abort();
      await within(pumping, 500); // an aborted write settles at once; createDatabase takes no signal
      // Always say at shutdown what is lost: no durable outbox yet (docs/influx-schema.md).
      noteDrops(queue.length, 'unwritten at stop', true);
      queue = [];
    },

    writeReadings(readings) {
      if (readings.length > 0) enqueue(readings.map((r) => readingLine(siteId, r)));
    },

    writeAlarmTransition(t) {
      enqueue([alarmLine(siteId, t)]);
    },

    stats() {
      return { ...s, buffered: queue.length };
    },
  };
}
