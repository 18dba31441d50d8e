// Rate-limited logging for things a misbehaving device can repeat thousands of times a second (malformed
// payloads, refused publishes): at most one line per key per interval, with how many were held back.
// Counting happens elsewhere and is exact; only the log is thinned (issue 3: counted, logged with a rate limit).
import type { Clock } from './clock.ts';

export interface LogLimiter {
  /** Calls `log(suppressed)` if this key has not logged within the interval; `suppressed` = lines held back since. */
  maybe(key: string, log: (suppressed: number) => void): void;
}

export function createLogLimiter(clock: Clock, intervalMs = 60_000, maxKeys = 10_000): LogLimiter {
  const last = new Map<string, { at: number; held: number }>();
  return {
    maybe(key, log) {
      const now = clock.now();
      const seen = last.get(key);
      if (seen && now - seen.at < intervalMs) {
        seen.held++;
        return;
      }
      // Bounded: a flood of new keys (random client ids) cannot grow the map without end.
      if (!seen && last.size >= maxKeys) last.delete(last.keys().next().value!);
      last.set(key, { at: now, held: 0 });
      log(seen?.held ?? 0);
    },
  };
}
