// The embedded history store (issue 6: "embedded default"): with no InfluxDB configured, raw readings and the
// rollups go to a local SQLite file with the same retention rules (raw 90 days by default, rollups ≥ 2 years,
// L5), and trends are answered from it. Purged by age every few minutes.
import type { Logger } from '../../core/logger.ts';
import type { Reading } from '../../core/reading.ts';
import type { TrendResolution, TrendSeries } from '../../contract/history.ts';
import { openStore } from '../../store/store.ts';
import { localHistoryMigrations } from './local-migrations.ts';
import type { Retention } from './influx-retention.ts';
import type { Rollup } from './rollup.ts';
import type { StoredMinutes } from './window-stats.ts';
import type { AboveQuery, HourTotal, MinuteAbove } from './period-totals.ts';

export const LOCAL_HISTORY_FILE = 'history.db';
const DAY_MS = 86_400_000;

export interface LocalHistory {
  writeReadings(readings: readonly Reading[]): void;
  writeRollups(rollups: readonly Rollup[]): void;
  /** The series of the points in [from, to), at most `limit` points each (the oldest). */
  trend(pointKeys: readonly string[], from: number, to: number, resolution: TrendResolution, limit: number): TrendSeries[];
  /** The stored 1-minute rollups of [from, to) summed up per point (window-stats.ts); points without any left out. */
  minuteTotals(pointKeys: readonly string[], from: number, to: number): StoredMinutes[];
  /** The stored 1-hour rollups of [from, to), per point in the order asked (period-totals.ts). */
  hourTotals(pointKeys: readonly string[], from: number, to: number): HourTotal[];
  /** The stored 1-minute rollups of [from, to) whose max is above each point's value. */
  minutesAbove(queries: readonly AboveQuery[], from: number, to: number): MinuteAbove[];
  /** Deletes what is older than the retention; returns rows deleted. */
  purge(now: number): number;
  close(): void;
}

export function openLocalHistory(dataDir: string, logger: Logger, retention: Retention): LocalHistory {
  // NORMAL in WAL: a crash of the process loses nothing committed; a power cut may lose the last moments of
  // trend data, which is not a record of truth (alarms and the duty log are in the main store, FULL).
  const store = openStore(dataDir, logger, { file: LOCAL_HISTORY_FILE, migrations: localHistoryMigrations, synchronous: 'NORMAL' });
  const { db } = store;
  const putRaw = db.prepare('INSERT OR REPLACE INTO raw (point_key, ts, value, quality) VALUES (?, ?, ?, ?)');
  const putRollup = {
    '1m': db.prepare('INSERT OR REPLACE INTO rollup_1m (point_key, ts, min, max, mean, last, count) VALUES (?, ?, ?, ?, ?, ?, ?)'),
    '1h': db.prepare('INSERT OR REPLACE INTO rollup_1h (point_key, ts, min, max, mean, last, count) VALUES (?, ?, ?, ?, ?, ?, ?)'),
  };
  const getRaw = db.prepare('SELECT ts, value FROM raw WHERE point_key = ? AND ts >= ? AND ts < ? ORDER BY ts LIMIT ?');
  const getRollup = {
    '1m': db.prepare('SELECT ts, mean AS value, min, max FROM rollup_1m WHERE point_key = ? AND ts >= ? AND ts < ? ORDER BY ts LIMIT ?'),
    '1h': db.prepare('SELECT ts, mean AS value, min, max FROM rollup_1h WHERE point_key = ? AND ts >= ? AND ts < ? ORDER BY ts LIMIT ?'),
  };
  // One range scan of the primary key (point_key, ts) per point: only the window's rows are read, however
  // long the history is.
  const getTotals = db.prepare('SELECT min(min) AS min, max(max) AS max, sum(mean * count) AS sum, sum(count) AS count, min(ts) AS first, max(ts) AS last FROM rollup_1m WHERE point_key = ? AND ts >= ? AND ts < ?');
  const getHours = db.prepare('SELECT ts AS start, min, max, mean * count AS sum, count FROM rollup_1h WHERE point_key = ? AND ts >= ? AND ts < ? ORDER BY ts');
  const getAbove = db.prepare('SELECT ts AS start, max FROM rollup_1m WHERE point_key = ? AND ts >= ? AND ts < ? AND max > ? ORDER BY ts');
  const purgeRaw = db.prepare('DELETE FROM raw WHERE ts < ?');
  const purge1m = db.prepare('DELETE FROM rollup_1m WHERE ts < ?');
  const purge1h = db.prepare('DELETE FROM rollup_1h WHERE ts < ?');

  return {
    writeReadings(readings) {
      if (readings.length === 0) return;
      store.transaction(() => {
        for (const r of readings) {
          const v = r.value === null ? null : typeof r.value === 'boolean' ? (r.value ? 1 : 0) : Number.isFinite(r.value) ? r.value : null;
          putRaw.run(r.pointKey, Math.round(r.ts), v, r.quality);
        }
      });
    },
    writeRollups(rollups) {
      if (rollups.length === 0) return;
      store.transaction(() => {
        for (const r of rollups) putRollup[r.resolution].run(r.pointKey, r.start, r.min, r.max, r.mean, r.last, r.count);
      });
    },
    trend(pointKeys, from, to, resolution, limit) {
      return pointKeys.map((pointKey) => {
        if (resolution === 'raw') {
          const rows = getRaw.all(pointKey, from, to, limit) as { ts: number; value: number | null }[];
          return { pointKey, t: rows.map((r) => r.ts), value: rows.map((r) => r.value) };
        }
        const rows = getRollup[resolution].all(pointKey, from, to, limit) as { ts: number; value: number; min: number; max: number }[];
        return { pointKey, t: rows.map((r) => r.ts), value: rows.map((r) => r.value), min: rows.map((r) => r.min), max: rows.map((r) => r.max) };
      });
    },
    minuteTotals(pointKeys, from, to) {
      return pointKeys.flatMap((pointKey) => {
        // An aggregate over no rows is one row of NULLs.
        const { min, max, sum, count, first, last } = getTotals.get(pointKey, from, to) as Record<keyof Omit<StoredMinutes, 'pointKey'>, number | null>;
        return count === null ? [] : [{ pointKey, min: min!, max: max!, sum: sum!, count, first: first!, last: last! }];
      });
    },
    hourTotals(pointKeys, from, to) {
      return pointKeys.flatMap((pointKey) => (getHours.all(pointKey, from, to) as unknown as Omit<HourTotal, 'pointKey'>[]).map((r) => ({ pointKey, ...r })));
    },
    minutesAbove(queries, from, to) {
      return queries.flatMap(({ pointKey, above }) => (getAbove.all(pointKey, from, to, above) as unknown as Omit<MinuteAbove, 'pointKey'>[]).map((r) => ({ pointKey, ...r })));
    },
    purge(now) {
      const raw = Number(purgeRaw.run(now - retention.rawDays * DAY_MS).changes);
      const cut = now - retention.rollupDays * DAY_MS;
      return raw + Number(purge1m.run(cut).changes) + Number(purge1h.run(cut).changes);
    },
    close: () => store.close(),
  };
}
