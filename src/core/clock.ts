// Time is injected so rules, delays and expiries are tested with a fake clock instead of sleeps (style.md §11).

export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };
