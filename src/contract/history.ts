// Contract of the historian area (issue 6): the historian's status and trend queries. DTOs as TypeBox schemas.
import { Type, type Static } from '@sinclair/typebox';
import { EpochMs } from './common.ts';

export const HistorianState = Type.Union([
  /** Writing as it comes. */
  Type.Literal('ok'),
  /** InfluxDB answers but points are waiting (slow, or replaying after an outage). */
  Type.Literal('backlog'),
  /** InfluxDB is not reachable: points wait in the outbox. */
  Type.Literal('down'),
]);
export type HistorianState = Static<typeof HistorianState>;

/** What the drops of an episode take: the oldest raw readings (policy dropOldestRaw), new points refused
 *  (dropNewest), or rollups and alarm records (nothing raw left to drop). */
export const DropWhat = Type.Union([Type.Literal('oldestRaw'), Type.Literal('newest'), Type.Literal('kept')]);
export type DropWhat = Static<typeof DropWhat>;

/** An episode of drops at the outbox bound (issue 17): from the first drop until the outbox has drained again.
 *  Kept in the outbox file, so the count survives a restart. */
export const DropEpisodeView = Type.Object({
  id: Type.Integer(),
  /** When the first point was dropped, ms. */
  startedAt: Type.Number(),
  /** When the outbox had drained again; null while points are still being dropped or could be. */
  endedAt: Type.Union([Type.Number(), Type.Null()]),
  /** Points lost in this episode. */
  count: Type.Integer(),
  /** Acquisition times of the oldest and newest point lost: the hole in the history. */
  lostFrom: Type.Number(),
  lostTo: Type.Number(),
  what: DropWhat,
});
export type DropEpisodeView = Static<typeof DropEpisodeView>;

export const HistorianStatusView = Type.Object({
  /** `influx` with store-and-forward, or `local` (the embedded SQLite store, no InfluxDB configured). */
  backend: Type.Union([Type.Literal('influx'), Type.Literal('local')]),
  state: HistorianState,
  /** Points waiting in the outbox (memory and disk tiers), and their approximate size. */
  outboxPoints: Type.Integer(),
  /** Of those, held in memory only (the writer keeps up): what a kill -9 of the gateway would lose. */
  outboxInMemory: Type.Integer(),
  outboxBytes: Type.Integer(),
  /** Age of the oldest waiting point (by acquisition time), ms; null when the outbox is empty. */
  oldestAgeMs: Type.Union([Type.Number(), Type.Null()]),
  written: Type.Integer(),
  /** Points written per second over the last 10 s: the replay rate while a backlog drains. */
  writeRate: Type.Number(),
  writeErrors: Type.Integer(),
  /** Points InfluxDB refused, kept aside with the reason. */
  rejected: Type.Integer(),
  /** Points dropped at the outbox bound (policy), counted and logged: all episodes, durable across restarts. */
  dropped: Type.Integer(),
  /** The episode of drops under way (the outbox is at its bound and losing points), or null. */
  dropping: Type.Union([DropEpisodeView, Type.Null()]),
  lastError: Type.Union([Type.String(), Type.Null()]),
  lastWriteAt: Type.Union([Type.Number(), Type.Null()]),
});
export type HistorianStatusView = Static<typeof HistorianStatusView>;

export const TrendResolution = Type.Union([Type.Literal('raw'), Type.Literal('1m'), Type.Literal('1h')]);
export type TrendResolution = Static<typeof TrendResolution>;

export const TrendQuery = Type.Object(
  {
    /** Comma-separated point keys (`<deviceId>.<point>`), at most 20. */
    points: Type.String({ minLength: 1, maxLength: 2000 }),
    /** ms since epoch; defaults: the last hour up to now. */
    from: Type.Optional(EpochMs),
    to: Type.Optional(EpochMs),
    resolution: Type.Optional(Type.Union([TrendResolution, Type.Literal('auto')])),
  },
  { additionalProperties: false },
);
export type TrendQuery = Static<typeof TrendQuery>;

/** One point's series: `value` is the reading (raw) or the bucket's mean (rollups); min/max only for rollups. */
export const TrendSeries = Type.Object({
  pointKey: Type.String(),
  t: Type.Array(Type.Number()),
  value: Type.Array(Type.Union([Type.Number(), Type.Null()])),
  min: Type.Optional(Type.Array(Type.Union([Type.Number(), Type.Null()]))),
  max: Type.Optional(Type.Array(Type.Union([Type.Number(), Type.Null()]))),
});
export type TrendSeries = Static<typeof TrendSeries>;

/** An alarm occurrence on one of the points, for shading: raised → cleared (null while still open). */
export const AlarmPeriod = Type.Object({
  pointKey: Type.String(),
  condition: Type.String(),
  priority: Type.String(),
  from: Type.Number(),
  to: Type.Union([Type.Number(), Type.Null()]),
});
export type AlarmPeriod = Static<typeof AlarmPeriod>;

export const TrendView = Type.Object({
  from: Type.Number(),
  to: Type.Number(),
  resolution: TrendResolution,
  series: Type.Array(TrendSeries),
  alarms: Type.Array(AlarmPeriod),
});
export type TrendView = Static<typeof TrendView>;

/** Resolution from the range (issue 6): raw up to 2 h, 1-minute rollups up to 3 days, hourly beyond. */
export function autoResolution(rangeMs: number): TrendResolution {
  if (rangeMs <= 2 * 3_600_000) return 'raw';
  if (rangeMs <= 3 * 86_400_000) return '1m';
  return '1h';
}

/** At most this many points per series in one trend answer (issue 17): 20 series × 10,000 points is the most a
 *  query returns. A range that would give more is answered at the next coarser resolution; beyond 10,000 hours
 *  (about 416 days) even hourly rollups would, and the query is refused (400). */
export const TREND_MAX_POINTS = 10_000;
const ROLLUP_STEP_MS = { '1m': 60_000, '1h': 3_600_000 } as const;

/** The resolution that answers the range within TREND_MAX_POINTS per series: the requested one, or coarser
 *  (raw is capped at query time: its spacing is the device's); null when even hourly rollups are too many. */
export function cappedResolution(requested: TrendResolution, rangeMs: number): TrendResolution | null {
  if (requested === 'raw') return 'raw';
  if (requested === '1m' && rangeMs / ROLLUP_STEP_MS['1m'] <= TREND_MAX_POINTS) return '1m';
  return rangeMs / ROLLUP_STEP_MS['1h'] <= TREND_MAX_POINTS ? '1h' : null;
}
