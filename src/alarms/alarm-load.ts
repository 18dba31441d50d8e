// Alarm load (EEMUA 191 / ISA-18.2, reference/alarm-standards.md): a flood is more than 10 alarms in
// 10 minutes for the site; a chattering alarm is raised 3 or more times within one minute. Counted from
// the duty log's `alarm.raised` entries, so re-raises of one occurrence count too, and nothing is dropped.
import type { DatabaseSync } from 'node:sqlite';
import type { AlarmSummary } from '../contract/api.ts';

export const FLOOD_ALARMS_PER_10_MIN = 10;
export const CHATTER_RAISES_PER_MIN = 3;

export function summarize(db: DatabaseSync, now: number): AlarmSummary {
  // Counted by SQLite, not row by row in JS: this runs every second, and in a flood (1,000 alarms/s) the last 10
  // minutes hold hundreds of thousands of entries whose params would each be parsed (issue 17, bench/alarms.ts).
  const raised = "FROM duty_log WHERE kind = 'alarm.raised' AND ts > ?";
  const condition = "coalesce(json_extract(params, '$.condition'), '')";
  const since = now - 600_000;
  const byRoom: Record<string, number> = {};
  const byCondition: Record<string, number> = {};
  let total = 0;
  for (const r of db.prepare(`SELECT coalesce(room_id, '') AS k, count(*) AS n ${raised} GROUP BY k`).all(since) as { k: string; n: number }[]) {
    byRoom[r.k] = r.n;
    total += r.n;
  }
  for (const r of db.prepare(`SELECT ${condition} AS k, count(*) AS n ${raised} GROUP BY k`).all(since) as { k: string | number; n: number }[]) {
    byCondition[String(r.k)] = r.n;
  }
  const chattering = db
    .prepare(`SELECT point_key || ':' || ${condition} AS k ${raised} AND ts > ? AND point_key IS NOT NULL AND point_key <> '' GROUP BY point_key, ${condition} HAVING count(*) >= ?`)
    .all(since, now - 60_000, CHATTER_RAISES_PER_MIN) as { k: string }[];
  return {
    flood: total > FLOOD_ALARMS_PER_10_MIN,
    raisedLast10Min: total,
    byRoom,
    byCondition,
    chattering: chattering.map((r) => r.k).sort(),
  };
}
