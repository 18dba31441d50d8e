// Alarm KPIs of a period (M1; EEMUA 191 / ISA-18.2 §16, reference numbers in docs/month-report.md), from the
// store's records: the duty log's alarm entries (every raise, re-raises included, A5: nothing dropped to make a
// figure) and the alarm occurrences (acknowledged and cleared times). Pure reads.
import type { DatabaseSync } from 'node:sqlite';
import type { AlarmKpisView, DurationStats } from '../contract/period-report.ts';
import type { Priority } from '../contract/api.ts';
import { CHATTER_RAISES_PER_MIN, FLOOD_ALARMS_PER_10_MIN } from '../alarms/alarm-load.ts';

const TEN_MIN = 600_000;
const DAY = 86_400_000;
/** Fleeting: back to normal within 10 s of the raise (reference/alarm-standards.md, SignalForge). */
export const FLEETING_MS = 10_000;
/** Standing (stale): continuously active for more than 24 h. */
export const STANDING_MS = DAY;
const PRIORITIES: readonly Priority[] = ['critical', 'high', 'medium', 'low'];

/** Nearest-rank percentile (the p-th value of the sorted list, no interpolation), in seconds. */
export function percentile(sortedMs: readonly number[], p: number): number | null {
  if (sortedMs.length === 0) return null;
  return sortedMs[Math.max(0, Math.ceil((p / 100) * sortedMs.length) - 1)]! / 1000;
}

const durations = (ms: number[]): DurationStats => {
  ms.sort((a, b) => a - b);
  return { count: ms.length, median: percentile(ms, 50), p90: percentile(ms, 90) };
};

/** Minutes of the intervals inside [from, to). */
const minutesWithin = (intervals: readonly [number, number][], from: number, to: number): number =>
  intervals.reduce((sum, [a, b]) => sum + Math.max(0, Math.min(b, to) - Math.max(a, from)), 0) / 60_000;

interface EntryRow {
  ts: number;
  kind: string;
  point_key: string | null;
  room_id: string | null;
  device_id: string | null;
  alarm_id: number | null;
  params: string;
}

interface OccurrenceRow {
  id: number;
  point_key: string;
  room_id: string;
  condition: string;
  priority: Priority;
  raised_at: number;
  acked_at: number | null;
  cleared_at: number | null;
}

/**
 * KPIs over [from, to) where `to` is at most now; `roomId` null for the whole site. One operator position per site
 * (the duty console): the per-operator rates are the site's rates.
 */
export function alarmKpis(db: DatabaseSync, from: number, to: number, roomId: string | null): AlarmKpisView {
  const room = roomId === null ? '' : ' AND room_id = ?';
  const args = (...a: (number | string)[]): (number | string)[] => (roomId === null ? a : [...a, roomId]);
  const entries = (kinds: readonly string[], a: number, b: number): EntryRow[] =>
    db
      .prepare(`SELECT ts, kind, point_key, room_id, device_id, alarm_id, params FROM duty_log WHERE kind IN (${kinds.map(() => '?').join(', ')}) AND ts >= ? AND ts < ?${room} ORDER BY ts, id`)
      .all(...kinds, ...args(a, b)) as unknown as EntryRow[];
  const condition = (e: EntryRow): string => String((JSON.parse(e.params) as { condition?: unknown }).condition ?? '');

  // Rates: every raise in 10-minute periods from the start of the report.
  const raised = entries(['alarm.raised'], from, to);
  const periods = Math.max(1, Math.ceil((to - from) / TEN_MIN));
  const perPeriod = new Array<number>(periods).fill(0);
  for (const e of raised) perPeriod[Math.floor((e.ts - from) / TEN_MIN)]!++;
  const peak = perPeriod.reduce((a, b) => Math.max(a, b), 0);
  const floodPeriods = perPeriod.filter((n) => n > FLOOD_ALARMS_PER_10_MIN).length;

  // Bad actors and chattering, per point and condition.
  const times = new Map<string, { pointKey: string; condition: string; roomId: string; ts: number[] }>();
  for (const e of raised) {
    const key = `${e.point_key}\u0000${condition(e)}`;
    const t = times.get(key) ?? { pointKey: e.point_key ?? '', condition: condition(e), roomId: e.room_id ?? '', ts: [] };
    t.ts.push(e.ts);
    times.set(key, t);
  }
  const badActors = [...times.values()]
    .map((t) => ({ pointKey: t.pointKey, condition: t.condition, roomId: t.roomId, count: t.ts.length, share: t.ts.length / raised.length }))
    .sort((a, b) => b.count - a.count || a.pointKey.localeCompare(b.pointKey) || a.condition.localeCompare(b.condition))
    .slice(0, 10);
  // An episode: 3 raises within one minute; the next episode starts after its third raise.
  const chattering = [...times.values()]
    .map((t) => {
      let episodes = 0;
      for (let i = 0; i + CHATTER_RAISES_PER_MIN - 1 < t.ts.length; ) {
        if (t.ts[i + CHATTER_RAISES_PER_MIN - 1]! - t.ts[i]! <= 60_000) {
          episodes++;
          i += CHATTER_RAISES_PER_MIN;
        } else i++;
      }
      return { pointKey: t.pointKey, condition: t.condition, episodes };
    })
    .filter((c) => c.episodes > 0)
    .sort((a, b) => b.episodes - a.episodes || a.pointKey.localeCompare(b.pointKey));

  // Occurrences active in the period: response times of those raised in it, fleeting and standing ones.
  const occurrences = db
    .prepare(`SELECT id, point_key, room_id, condition, priority, raised_at, acked_at, cleared_at FROM alarms WHERE raised_at < ? AND (cleared_at IS NULL OR cleared_at >= ?)${room} ORDER BY id`)
    .all(...args(to, from)) as unknown as OccurrenceRow[];
  const returned = new Map<number, number>();
  for (const e of db
    .prepare(`SELECT alarm_id, min(ts) AS ts FROM duty_log WHERE kind = 'alarm.returned' AND ts >= ? AND ts < ?${room} GROUP BY alarm_id`)
    .all(...args(from - 30 * DAY, to)) as { alarm_id: number; ts: number }[]) {
    returned.set(e.alarm_id, e.ts);
  }
  /** When the process went back to normal: the first return, or the clear, or still active at `to`. */
  const activeUntil = (o: OccurrenceRow): number => Math.min(returned.get(o.id) ?? Infinity, o.cleared_at ?? Infinity, to);
  const inPeriod = occurrences.filter((o) => o.raised_at >= from);
  const fleeting = inPeriod.filter((o) => activeUntil(o) - o.raised_at < FLEETING_MS).length;
  const standing = occurrences
    .filter((o) => activeUntil(o) - o.raised_at > STANDING_MS)
    .map((o) => ({ alarmId: o.id, pointKey: o.point_key, condition: o.condition, raisedAt: o.raised_at, hours: (activeUntil(o) - o.raised_at) / 3_600_000 }));
  const byPriority = PRIORITIES.map((priority) => {
    const mine = inPeriod.filter((o) => o.priority === priority);
    return {
      priority,
      count: mine.length,
      ack: durations(mine.flatMap((o) => (o.acked_at === null ? [] : [o.acked_at - o.raised_at]))),
      clear: durations(mine.flatMap((o) => (o.cleared_at === null ? [] : [o.cleared_at - o.raised_at]))),
    };
  });

  // Shelved (ISA-18.2 G) and out-of-service (I) time, from their duty-log entries; intervals open at `to` end there.
  const shelveIntervals: [number, number][] = [];
  const openShelf = new Map<number, { at: number; until: number }>();
  for (const e of entries(['alarm.shelved', 'alarm.unshelved'], from - 7 * DAY, to)) {
    if (e.alarm_id === null) continue;
    if (e.kind === 'alarm.shelved') {
      const until = Date.parse(String((JSON.parse(e.params) as { until?: unknown }).until ?? ''));
      openShelf.set(e.alarm_id, { at: e.ts, until: Number.isFinite(until) ? until : to });
    } else {
      const s = openShelf.get(e.alarm_id);
      if (s) shelveIntervals.push([s.at, Math.min(e.ts, s.until)]);
      openShelf.delete(e.alarm_id);
    }
  }
  for (const s of openShelf.values()) shelveIntervals.push([s.at, Math.min(s.until, to)]);
  const oosIntervals: [number, number][] = [];
  const openTag = new Map<string, number>();
  for (const e of entries(['device.tagged', 'device.tagApproved', 'device.untagged'], from - 366 * DAY, to)) {
    if (e.device_id === null) continue;
    if (e.kind === 'device.untagged') {
      const at = openTag.get(e.device_id);
      if (at !== undefined) oosIntervals.push([at, e.ts]);
      openTag.delete(e.device_id);
    } else if (!openTag.has(e.device_id)) openTag.set(e.device_id, e.ts);
  }
  for (const at of openTag.values()) oosIntervals.push([at, to]);
  const overlapping = (list: [number, number][]): [number, number][] => list.filter(([a, b]) => a < to && b > from);

  const levels = new Map<number, number>();
  for (const e of entries(['alarm.escalated'], from, to)) {
    const level = Number((JSON.parse(e.params) as { level?: unknown }).level);
    if (Number.isInteger(level)) levels.set(level, (levels.get(level) ?? 0) + 1);
  }

  return {
    raised: raised.length,
    periods10Min: periods,
    operatorPositions: 1,
    avgPer10Min: raised.length / periods,
    peakPer10Min: peak,
    peakAt: peak > 0 ? from + perPeriod.indexOf(peak) * TEN_MIN : null,
    floodPeriods,
    floodShare: floodPeriods / periods,
    badActors,
    chattering,
    fleeting,
    standing,
    shelvedMinutes: minutesWithin(shelveIntervals, from, to),
    shelves: overlapping(shelveIntervals).length,
    outOfServiceMinutes: minutesWithin(oosIntervals, from, to),
    outOfService: overlapping(oosIntervals).length,
    byPriority,
    escalations: [...levels].sort(([a], [b]) => a - b).map(([level, count]) => ({ level, count })),
  };
}
