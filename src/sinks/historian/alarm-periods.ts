// Alarm periods for shading trend charts (issue 6): from the alarms table of the main store (raised_at →
// cleared_at, one row per occurrence; still open = null). Read-only.
import type { AlarmPeriod } from '../../contract/history.ts';
import type { Store } from '../../store/store.ts';

export function alarmPeriodsFrom(store: Store): (pointKeys: readonly string[], from: number, to: number) => AlarmPeriod[] {
  const q = store.db.prepare(
    `SELECT point_key AS pointKey, condition, priority, raised_at AS "from", cleared_at AS "to"
       FROM alarms WHERE point_key = ? AND raised_at < ? AND (cleared_at IS NULL OR cleared_at >= ?) ORDER BY raised_at`,
  );
  return (pointKeys, from, to) => pointKeys.flatMap((k) => q.all(k, to, from) as unknown as AlarmPeriod[]);
}
