// Shift start and end in the duty log (L1: each shift starts a new page): when a shift's start or end
// passes, one entry names the shift and its rostered people. A mark table makes it once-only across
// restarts; after downtime only the last 12 hours are caught up, and on the first start only the shift on now.
import type { Store } from '../store/store.ts';
import type { Clock } from '../core/clock.ts';
import type { Logger } from '../core/logger.ts';
import type { DutyLog } from '../sinks/duty-log/duty-log.ts';
import type { DutyLogEntryView } from '../contract/api.ts';
import type { ShiftPlan } from '../shifts/shift-plan.ts';
import type { Roster } from '../shifts/roster.ts';
import { firstStartOnRecord } from './gateway-run.ts';

const CATCH_UP_MS = 12 * 3_600_000;

export interface ShiftMarks {
  /** Writes the marks due at the clock's now; returns the entries written. */
  tick(): DutyLogEntryView[];
  start(intervalMs?: number): void;
  stop(): void;
}

export function createShiftMarks(deps: { store: Store; dutyLog: DutyLog; plan: ShiftPlan; roster: Roster; clock: Clock; logger: Logger }): ShiftMarks {
  const { store, dutyLog, plan, roster, clock, logger } = deps;
  const { db } = store;
  let timer: NodeJS.Timeout | undefined;

  const tick = (): DutyLogEntryView[] => {
    const now = clock.now();
    const due: { key: string; event: 'started' | 'ended'; people: string }[] = [];
    // A shift over before the site first started was never watched: no page for it (first run).
    const firstStart = firstStartOnRecord(store) ?? Number.NEGATIVE_INFINITY;
    for (const s of plan.shiftsBetween(now - CATCH_UP_MS, now + 1)) {
      if (s.end <= firstStart) continue;
      const people = roster.staffOf(s).map((u) => u.displayName).join(', ');
      if (s.start <= now) due.push({ key: s.key, event: 'started', people });
      if (s.end <= now) due.push({ key: s.key, event: 'ended', people });
    }
    const written = store.transaction(() =>
      due.flatMap((d) => {
        if (db.prepare('SELECT 1 FROM shift_marks WHERE shift_key = ? AND event = ?').get(d.key, d.event)) return [];
        const entry = dutyLog.insert({ ts: now, kind: d.event === 'started' ? 'shift.started' : 'shift.ended', params: { shift: d.key, people: d.people || '—' } });
        db.prepare('INSERT INTO shift_marks (shift_key, event, entry_id) VALUES (?, ?, ?)').run(d.key, d.event, entry.id);
        return [entry];
      }),
    );
    return written;
  };

  return {
    tick,
    start(intervalMs = 15_000) {
      const run = (): void => {
        try {
          tick();
        } catch (err) {
          logger.error('shift marks failed', { err: String((err as Error)?.stack ?? err) });
        }
      };
      run();
      timer = setInterval(run, intervalMs);
    },
    stop() {
      clearInterval(timer);
      timer = undefined;
    },
  };
}
