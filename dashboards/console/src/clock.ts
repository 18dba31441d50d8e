// The gateway's clock in the console (L6: one standard clock). Control-room PCs on an air-gapped LAN run without
// NTP and are often minutes or hours off; every "now" in the console (ages, countdowns, today's page, this month,
// trend ranges) is now(), the browser's clock corrected by the offset measured against the gateway.

/** A sample this far from the estimate means a clock was set (here or on the gateway): it is taken as is. */
const STEP_MS = 2_000;
/** Answers slower than this say little about the time (the error is up to half the round trip); skipped once synced. */
const MAX_ROUND_TRIP_MS = 5_000;
/** Small differences are smoothed: each sample moves the estimate a quarter of the way. */
const SMOOTHING = 0.25;
/** From this offset on, the header says the PC's clock is off. */
export const NOTICE_MS = 60_000;

/** Gateway time minus browser time, ms; null until the first answer. */
let offset: number | null = null;

/** The gateway's time now (epoch ms); the browser's own until the first sample. */
export function now(): number {
  // Whole milliseconds: the smoothed offset is fractional, and the API takes times as integers (no coercion).
  return Math.round(Date.now() + (offset ?? 0));
}

/** How far the gateway's clock is ahead of this PC's (negative: behind), ms; null before the first sample. */
export function clockOffset(): number | null {
  return offset;
}

/**
 * One measurement: the gateway said `serverTime` to a request sent at `sentAt` and answered at `receivedAt`
 * (both browser clock). The gateway read its clock about half the round trip before the answer arrived.
 */
export function addSample(sentAt: number, serverTime: number, receivedAt: number): void {
  const roundTrip = receivedAt - sentAt;
  // A negative round trip is this PC's clock set back mid-request; the next sample will do.
  if (roundTrip < 0 || (offset !== null && roundTrip > MAX_ROUND_TRIP_MS)) return;
  const sample = serverTime + roundTrip / 2 - receivedAt;
  offset = offset === null || Math.abs(sample - offset) > STEP_MS ? sample : offset + (sample - offset) * SMOOTHING;
}

/** Ask the gateway something that carries its time, and take the time as a sample on the way. */
export async function timed<T>(ask: () => Promise<T>, serverTimeOf: (answer: T) => number | undefined): Promise<T> {
  const sentAt = Date.now();
  const answer = await ask();
  const serverTime = serverTimeOf(answer);
  if (serverTime !== undefined) addSample(sentAt, serverTime, Date.now());
  return answer;
}
