// A last reading that is too old is `stale`: shown without its value, never as if it were fresh (issue 3:
// "never show a dead device's last value as if it were fresh"). Sources re-send every cycle (Modbus emits
// comm_lost while a device is silent), so staleness only shows when a source itself stops emitting.
import type { Reading } from './reading.ts';

/** Three poll intervals, at least 5 s: one late cycle is not yet stale. */
export function staleAfterMs(pollIntervalMs: number): number {
  return Math.max(5000, 3 * pollIntervalMs);
}

export function freshOrStale(r: Reading, now: number, maxAgeMs: number): Reading {
  if (now - r.ts <= maxAgeMs || r.quality === 'stale') return r;
  return { ...r, value: null, quality: 'stale', detail: `no reading for ${Math.round((now - r.ts) / 1000)} s` };
}
