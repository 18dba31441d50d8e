// A clock the test moves by hand, so delays and expiries are tested without sleeping.
import type { Clock } from '../../src/core/clock.ts';

export interface FakeClock extends Clock {
  advance(ms: number): void;
  set(ms: number): void;
}

export function fakeClock(start = Date.UTC(2026, 10, 23, 2, 0, 0)): FakeClock {
  let now = start;
  return {
    now: () => now,
    advance: (ms) => void (now += ms),
    set: (ms) => void (now = ms),
  };
}

/**
 * A clock that runs at real speed from `start` and that the test moves on by hand: on-delays, escalation
 * countdowns and "seconds ago" behave as on a real site between the jumps across a day.
 */
export function runningClock(start: number): FakeClock {
  let offset = start - Date.now();
  return {
    now: () => Date.now() + offset,
    advance: (ms) => void (offset += ms),
    set: (ms) => void (offset = ms - Date.now()),
  };
}
