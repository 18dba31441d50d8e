// A crash leaves a trace (L1, L6; issue 14). The gateway keeps one durable row: when this run started, its last
// heartbeat, and whether it stopped cleanly. Found unclean on the next start (kill -9, crash, power cut), the
// duty log says so, with the blind period from the last heartbeat to the new start: nothing was watched then.
import type { Store } from '../store/store.ts';
import type { Clock } from '../core/clock.ts';
import type { DutyLog } from '../sinks/duty-log/duty-log.ts';
import { formatSiteMinute } from '../shifts/zoned-time.ts';

/** How often the heartbeat is made durable: the blind period is known to within this (one fsync each). */
export const HEARTBEAT_MS = 10_000;

export interface GatewayRun {
  /**
   * Logs an unclean previous stop, marks this run as started at `now` (the time of its start-up entry); returns the
   * site's first start (for first-run checks).
   */
  open(now: number): { firstStart: number };
  beat(): void;
  /** A clean stop: the next start finds nothing to report. */
  close(): void;
}

interface RunRow {
  started_at: number;
  heartbeat_at: number;
  stopped_clean: number;
}

/** The site's first start: the earliest start-up entry the log still holds (L5 keeps two years); null before any. */
export function firstStartOnRecord(store: Store): number | null {
  return (store.sql("SELECT MIN(ts) AS ts FROM duty_log WHERE kind = 'gateway.started'").get() as { ts: number | null }).ts;
}

export function createGatewayRun(deps: { store: Store; dutyLog: DutyLog; clock: Clock; timeZone: string }): GatewayRun {
  const { store, dutyLog, clock } = deps;
  return {
    open(now) {
      return store.transaction(() => {
        const last = store.sql('SELECT * FROM gateway_run WHERE id = 1').get() as RunRow | undefined;
        if (last && last.stopped_clean === 0) {
          dutyLog.insert({
            ts: now,
            kind: 'gateway.uncleanStop',
            params: { lastSeen: formatSiteMinute(last.heartbeat_at, deps.timeZone), lastSeenAt: last.heartbeat_at, minutes: Math.max(0, Math.round((now - last.heartbeat_at) / 60_000)), rule: 'L1' },
          });
        }
        store.sql('INSERT OR REPLACE INTO gateway_run (id, started_at, heartbeat_at, stopped_clean) VALUES (1, ?, ?, 0)').run(now, now);
        return { firstStart: firstStartOnRecord(store) ?? now };
      });
    },
    beat() {
      store.sql('UPDATE gateway_run SET heartbeat_at = ? WHERE id = 1').run(clock.now());
    },
    close() {
      store.sql('UPDATE gateway_run SET heartbeat_at = ?, stopped_clean = 1 WHERE id = 1').run(clock.now());
    },
  };
}
