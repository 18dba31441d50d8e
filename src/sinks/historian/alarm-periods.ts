// Alarm periods for shading trend charts (issue 6): from the alarms table of the main store, one row per
// occurrence. A period ends when the value returned to normal (issue 15), not when someone acknowledged it
// afterwards: the first "returned", "latched" or "cleared" entry of the alarm in the duty log (looked up within
// the alarm's own time span, on the duty log's time index), else its cleared_at; still active = null. Read-only.
import type { AlarmPeriod } from '../../contract/history.ts';
import type { Store } from '../../store/store.ts';

export function alarmPeriodsFrom(store: Store): (pointKeys: readonly string[], from: number, to: number) => AlarmPeriod[] {
  const q = store.db.prepare(
    `SELECT * FROM (
       SELECT a.point_key AS pointKey, a.condition, a.priority, a.raised_at AS "from",
              COALESCE((SELECT MIN(d.ts) FROM duty_log d
                         WHERE d.ts >= a.raised_at AND d.ts <= COALESCE(a.cleared_at, ?) AND d.alarm_id = a.id
                           AND d.kind IN ('alarm.returned', 'alarm.latched', 'alarm.cleared')), a.cleared_at) AS "to"
         FROM alarms a WHERE a.point_key = ? AND a.raised_at < ?)
      WHERE "to" IS NULL OR "to" >= ? ORDER BY "from"`,
  );
  return (pointKeys, from, to) => pointKeys.flatMap((k) => q.all(to, k, to, from) as unknown as AlarmPeriod[]);
}
