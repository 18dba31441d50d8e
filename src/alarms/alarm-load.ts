// Alarm load (EEMUA 191 / ISA-18.2, reference/alarm-standards.md): a flood is more than 10 alarms in
// 10 minutes for the site; a chattering alarm is raised 3 or more times within one minute. Counted from
// the duty log's `alarm.raised` entries, so re-raises of one occurrence count too, and nothing is dropped.
import type { DatabaseSync } from 'node:sqlite';
import type { AlarmSummary } from '../contract/api.ts';

export const FLOOD_ALARMS_PER_10_MIN = 10;
export const CHATTER_RAISES_PER_MIN = 3;

export function summarize(db: DatabaseSync, now: number): AlarmSummary {
  const rows = db
    .prepare("SELECT ts, room_id, point_key, params FROM duty_log WHERE kind = 'alarm.raised' AND ts > ?")
    .all(now - 600_000) as { ts: number; room_id: string | null; point_key: string | null; params: string }[];
  const byRoom: Record<string, number> = {};
  const byCondition: Record<string, number> = {};
  const lastMinute = new Map<string, number>();
  for (const r of rows) {
    const room = r.room_id ?? '';
    byRoom[room] = (byRoom[room] ?? 0) + 1;
    const condition = String((JSON.parse(r.params) as { condition?: unknown }).condition ?? '');
    byCondition[condition] = (byCondition[condition] ?? 0) + 1;
    if (r.ts > now - 60_000 && r.point_key) {
      const key = `${r.point_key}:${condition}`;
      lastMinute.set(key, (lastMinute.get(key) ?? 0) + 1);
    }
  }
  return {
    flood: rows.length > FLOOD_ALARMS_PER_10_MIN,
    raisedLast10Min: rows.length,
    byRoom,
    byCondition,
    chattering: [...lastMinute].filter(([, n]) => n >= CHATTER_RAISES_PER_MIN).map(([k]) => k).sort(),
  };
}
