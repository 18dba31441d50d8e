// Points per second over the last few seconds (the outbox's replay rate in the status API).
import type { Clock } from '../../core/clock.ts';

const WINDOW_MS = 10_000;
const SLOT_MS = 1000;

export function createRateMeter(clock: Clock): { add(n: number): void; perSecond(): number } {
  // One counter per second-slot of the window; old slots are forgotten lazily.
  const slots = new Map<number, number>();
  const prune = (now: number): void => {
    for (const k of slots.keys()) if (k <= Math.floor((now - WINDOW_MS) / SLOT_MS)) slots.delete(k);
  };
  return {
    add(n) {
      const now = clock.now();
      const slot = Math.floor(now / SLOT_MS);
      slots.set(slot, (slots.get(slot) ?? 0) + n);
      prune(now);
    },
    perSecond() {
      prune(clock.now());
      let sum = 0;
      for (const v of slots.values()) sum += v;
      return sum / (WINDOW_MS / 1000);
    },
  };
}
