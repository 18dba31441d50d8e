// The history of readings (issue 6), as one part of the gateway: it computes the rollups (rollup.ts) and sends
// raw readings, rollups and alarm transitions to InfluxDB through the outbox when `historian.influx` is
// configured, or to the embedded local store otherwise; and it answers trend queries and window statistics (the
// shift report's min/max/mean) from the same backend.
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { rename, writeFile } from 'node:fs/promises';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { join } from 'node:path';
import type { AlarmTransition } from '../../alarms/types.ts';
import type { SiteConfig } from '../../config/schema.ts';
import type { Clock } from '../../core/clock.ts';
import type { Logger } from '../../core/logger.ts';
import type { Reading } from '../../core/reading.ts';
import {
  autoResolution, cappedResolution, TREND_MAX_POINTS, type AlarmPeriod, type HistorianStatusView, type TrendResolution, type TrendSeries, type TrendView,
} from '../../contract/history.ts';
import { DomainError } from '../../core/errors.ts';
import { createInfluxHistorian, type HistorianLoss, type InfluxHistorian } from './influx-historian.ts';
import { RETENTION_DEFAULTS, type Retention } from './influx-retention.ts';
import { influxMinuteTotals, influxTrend, type InfluxTarget } from './influx-trends.ts';
import { openLocalHistory, type LocalHistory } from './local-history.ts';
import { createRollups } from './rollup.ts';
import { withOpenMinutes, type WindowStats } from './window-stats.ts';
import { influxHourTotals, influxMinutesAbove, withOpenHours, withOpenMinutesAbove, type AboveQuery, type HourTotal, type MinuteAbove } from './period-totals.ts';

export interface History {
  start(): Promise<void>;
  stop(): Promise<void>;
  writeReadings(readings: readonly Reading[]): void;
  writeAlarmTransition(t: AlarmTransition): void;
  status(): HistorianStatusView;
  trend(pointKeys: readonly string[], from: number, to: number, resolution: TrendResolution | 'auto'): Promise<TrendView>;
  /** Min, max, count-weighted mean and count per point over [from, to) from the 1-minute rollups, the minute in
   *  progress included (from memory); points without data in the window are left out. */
  windowStats(pointKeys: readonly string[], from: number, to: number): Promise<WindowStats[]>;
  /** The 1-hour rollups of [from, to) per point (the period reports' daily figures, M1): the stored ones and the
   *  hour in progress as it stands (from memory). */
  hourTotals(pointKeys: readonly string[], from: number, to: number): Promise<HourTotal[]>;
  /** The 1-minute rollups of [from, to) whose max is above each point's value (exceedances, M1), the minute in
   *  progress included (from memory). */
  minutesAbove(queries: readonly AboveQuery[], from: number, to: number): Promise<MinuteAbove[]>;
}

export interface HistoryDeps {
  config: SiteConfig;
  dataDir: string;
  logger: Logger;
  clock: Clock;
  /** Alarm occurrences for shading (from the main store's alarms table). */
  alarmPeriods?: (pointKeys: readonly string[], from: number, to: number) => AlarmPeriod[];
  /** Drop episodes at the outbox bound (loss-report.ts). */
  onLoss?: (loss: HistorianLoss) => void;
}

const ROLLUP_FLUSH_MS = 5_000;
/** The open minute and hour buckets, saved every flush and at stop, so a restart continues them instead of
 *  writing an hour rolled up from its later part only (a kill -9 loses at most the last ROLLUP_FLUSH_MS). */
export const OPEN_BUCKETS_FILE = 'rollups-open.json';
const PURGE_EVERY_MS = 10 * 60_000;
/** Buckets serialized per event-loop turn by the periodic save (about a millisecond each): 80,000 open buckets (40,000
 *  points) in one go blocked the loop for tens of ms every flush and made poll cycles late (issue 17). */
const SAVE_STEP = 2_000;

export function retentionOf(config: SiteConfig): Retention {
  return {
    rawDays: config.historian?.rawRetentionDays ?? RETENTION_DEFAULTS.rawDays,
    rollupDays: config.historian?.rollupRetentionDays ?? RETENTION_DEFAULTS.rollupDays,
  };
}

/** A query InfluxDB did not answer (connection refused, timeout: no HTTP status) is a 503 the console explains,
 *  not an internal error; an answer with an error stays what it is. */
async function unavailableIfDown<T>(query: Promise<T>): Promise<T> {
  try {
    return await query;
  } catch (err) {
    if ((err as { res?: unknown }).res === undefined && !(err instanceof Error && err.message.startsWith('InfluxDB query failed'))) {
      throw new DomainError('RW_HISTORY_UNAVAILABLE', `history database not reachable: ${String((err as Error)?.message ?? err)}`, 503);
    }
    throw err;
  }
}

export function createHistory(deps: HistoryDeps): History {
  const { config, clock } = deps;
  const log = deps.logger;
  const retention = retentionOf(config);
  const influxConfig = config.historian?.influx;
  const rollups = createRollups();
  let influx: InfluxHistorian | null = null;
  let local: LocalHistory | null = null;
  let timers: NodeJS.Timeout[] = [];
  let localWritten = 0;

  const sendRollups = (rs: ReturnType<typeof rollups.flush>): void => {
    if (rs.length === 0) return;
    influx?.writeRollups(rs);
    local?.writeRollups(rs);
  };

  const bucketsFile = join(deps.dataDir, OPEN_BUCKETS_FILE);
  const saveBuckets = (): void => {
    try {
      writeFileSync(`${bucketsFile}.tmp`, JSON.stringify(rollups.snapshot()), { mode: 0o600 });
      renameSync(`${bucketsFile}.tmp`, bucketsFile); // atomic: a crash leaves the old file or the new one
    } catch (err) {
      log.warn('could not save the open rollup buckets', { file: bucketsFile, err: String(err) });
    }
  };
  /** The periodic save: serialized in steps, written off the event loop; stop() waits for it, then saves at once. */
  let saving: Promise<void> | null = null;
  const saveBucketsInSteps = (): void => {
    saving ??= (async () => {
      try {
        const text: string[] = [];
        for (const part of rollups.snapshotParts(SAVE_STEP)) {
          text.push(part);
          await nextTurn();
        }
        await writeFile(`${bucketsFile}.saving`, text.join(''), { mode: 0o600 });
        await rename(`${bucketsFile}.saving`, bucketsFile);
      } catch (err) {
        log.warn('could not save the open rollup buckets', { file: bucketsFile, err: String(err) });
      } finally {
        saving = null;
      }
    })();
  };
  const loadBuckets = (): void => {
    let text: string;
    try {
      text = readFileSync(bucketsFile, 'utf8');
    } catch {
      return; // first start
    }
    try {
      const n = rollups.restore(JSON.parse(text));
      log.info('open rollup buckets restored', { buckets: n });
    } catch (err) {
      log.warn('open rollup buckets unreadable; starting them afresh', { file: bucketsFile, err: String(err) });
    }
  };

  const influxTarget = (): InfluxTarget | null => {
    const db = influx?.client();
    return db && influxConfig ? { db, database: influxConfig.database, siteId: config.site.id } : null;
  };

  const purge = (): void => {
    try {
      const n = local?.purge(clock.now()) ?? 0;
      if (n > 0) log.info('local history purged by retention', { rows: n, ...retention });
    } catch (err) {
      log.error('local history purge failed', { err: String(err) });
    }
  };

  return {
    async start() {
      if (influxConfig) {
        influx = createInfluxHistorian({
          config: influxConfig, retention, siteId: config.site.id, dataDir: deps.dataDir, logger: log, clock,
          ...(deps.onLoss ? { onLoss: deps.onLoss } : {}),
        });
        await influx.start();
      } else {
        local = openLocalHistory(deps.dataDir, log, retention);
        purge();
        timers.push(setInterval(purge, PURGE_EVERY_MS));
      }
      loadBuckets();
      // Buckets that ended while the gateway was down are closed at once, from what they had.
      sendRollups(rollups.flush(clock.now()));
      timers.push(setInterval(() => {
        sendRollups(rollups.flush(clock.now()));
        saveBucketsInSteps();
      }, ROLLUP_FLUSH_MS));
      for (const t of timers) t.unref();
    },

    async stop() {
      for (const t of timers) clearInterval(t);
      timers = [];
      // The minute and hour in progress are saved, not written: a partial bucket would overwrite the complete
      // one the next start produces. A periodic save under way finishes first, so it cannot replace this one.
      await saving;
      saveBuckets();
      await influx?.stop();
      local?.close();
      influx = null;
      local = null;
    },

    writeReadings(readings) {
      influx?.writeReadings(readings);
      if (local) {
        local.writeReadings(readings);
        localWritten += readings.length;
      }
      sendRollups(rollups.add(readings));
    },

    writeAlarmTransition(t) {
      // The local store has the alarms table for shading; only InfluxDB gets them as a measurement.
      influx?.writeAlarmTransition(t);
    },

    status() {
      if (influx) return influx.status();
      return {
        backend: 'local', state: 'ok', outboxPoints: 0, outboxInMemory: 0, outboxBytes: 0, oldestAgeMs: null, written: localWritten,
        writeRate: 0, writeErrors: 0, rejected: 0, dropped: 0, dropping: null, lastError: null, lastWriteAt: null,
      };
    },

    async trend(pointKeys, from, to, requested) {
      const query = async (resolution: TrendResolution): Promise<TrendSeries[]> => {
        const target = influxTarget();
        // One more than the cap, to tell a series that reached it from one that has exactly the cap.
        const stored = target
          ? await unavailableIfDown(influxTrend(target, pointKeys, from, to, resolution, TREND_MAX_POINTS + 1))
          : (local?.trend(pointKeys, from, to, resolution, TREND_MAX_POINTS + 1) ?? []);
        if (resolution === 'raw') return stored;
        // The minute or hour in progress ends the series (the trend reaches now); cappedResolution keeps the
        // window within the cap, so the one more bucket still fits.
        const open = resolution === '1m' ? rollups.openMinutes() : rollups.openHours();
        return stored.map((s) => {
          const last = s.t.at(-1) ?? -Infinity;
          const more = open.filter((b) => b.pointKey === s.pointKey && b.start >= from && b.start < to && b.start > last).sort((a, b) => a.start - b.start);
          return more.length === 0 ? s : {
            ...s, t: [...s.t, ...more.map((b) => b.start)], value: [...s.value, ...more.map((b) => b.mean)],
            min: [...(s.min ?? []), ...more.map((b) => b.min)], max: [...(s.max ?? []), ...more.map((b) => b.max)],
          };
        });
      };
      let resolution = cappedResolution(requested === 'auto' ? autoResolution(to - from) : requested, to - from);
      if (!resolution) throw new DomainError('RW_INVALID_REQUEST', `a trend covers at most ${TREND_MAX_POINTS} hours (hourly rollups, ${TREND_MAX_POINTS} points per series)`, 400);
      let series = await query(resolution);
      // Raw readings have the device's spacing: when one series has more than the cap, the minute (or hour)
      // rollups answer instead, and the answer's `resolution` says so.
      if (resolution === 'raw' && series.some((s) => s.t.length > TREND_MAX_POINTS)) {
        resolution = cappedResolution('1m', to - from)!;
        series = await query(resolution);
      }
      return { from, to, resolution, series, alarms: deps.alarmPeriods?.(pointKeys, from, to) ?? [] };
    },

    async windowStats(pointKeys, from, to) {
      if (pointKeys.length === 0 || from >= to) return [];
      const target = influxTarget();
      const stored = target
        ? await influxMinuteTotals(target, pointKeys, from, to)
        : (local?.minuteTotals(pointKeys, from, to) ?? []);
      return withOpenMinutes(pointKeys, stored, rollups.openMinutes(), from, to);
    },

    async hourTotals(pointKeys, from, to) {
      if (pointKeys.length === 0 || from >= to) return [];
      const target = influxTarget();
      const stored = target ? await influxHourTotals(target, pointKeys, from, to) : (local?.hourTotals(pointKeys, from, to) ?? []);
      return withOpenHours(pointKeys, stored, rollups.openHours(), from, to);
    },

    async minutesAbove(queries, from, to) {
      if (queries.length === 0 || from >= to) return [];
      const target = influxTarget();
      const stored = target ? await influxMinutesAbove(target, queries, from, to) : (local?.minutesAbove(queries, from, to) ?? []);
      return withOpenMinutesAbove(queries, stored, rollups.openMinutes(), from, to);
    },
  };
}

