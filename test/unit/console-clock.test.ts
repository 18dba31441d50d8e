// The console's clock (dashboards/console/src/clock.ts): "now" is the gateway's (L6), from samples of its time
// corrected for half the round trip; small jitter is smoothed, a clock that was set is followed at once, and
// slow answers are not trusted once there is a better one. This machine's clock is faked, so the figures are exact.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

type ClockModule = typeof import('../../dashboards/console/src/clock.ts');

const PC = Date.UTC(2026, 10, 23, 6, 0, 0);
const HOUR = 3_600_000;

describe("console clock: the gateway's time (L6)", () => {
  let clock: ClockModule;

  beforeEach(async () => {
    vi.useFakeTimers({ now: PC, toFake: ['Date'] });
    vi.resetModules(); // each test starts with no sample
    clock = await import('../../dashboards/console/src/clock.ts');
  });
  afterEach(() => void vi.useRealTimers());

  it('before any answer, the PC clock and no offset', () => {
    expect(clock.clockOffset()).toBeNull();
    expect(clock.now()).toBe(PC);
  });

  it('one answer: the gateway read its clock half the round trip before the answer arrived', () => {
    // Sent at PC, answered 200 ms later; the gateway (3 h behind this PC) said PC − 3 h + 100 ms.
    clock.addSample(PC, PC - 3 * HOUR + 100, PC + 200);
    expect(clock.clockOffset()).toBe(-3 * HOUR);
    vi.setSystemTime(PC + 10_000);
    expect(clock.now()).toBe(PC + 10_000 - 3 * HOUR);
  });

  it('small differences are smoothed, a step (a clock was set) is taken at once', () => {
    clock.addSample(PC, PC + 60_000, PC); // the gateway 60 s ahead
    clock.addSample(PC, PC + 60_400, PC); // 400 ms of jitter: a quarter of it
    expect(clock.clockOffset()).toBe(60_100);
    clock.addSample(PC, PC - 5 * 60_000, PC); // someone set a clock: 5 min the other way
    expect(clock.clockOffset()).toBe(-5 * 60_000);
  });

  it('a slow answer is used only while there is nothing better; a negative round trip never', () => {
    clock.addSample(PC, PC + 90_000, PC + 8_000); // 8 s round trip, the first sample: taken
    expect(clock.clockOffset()).toBe(90_000 + 4_000 - 8_000);
    clock.addSample(PC, PC + HOUR, PC + 8_000); // a later slow one: ignored
    expect(clock.clockOffset()).toBe(86_000);
    clock.addSample(PC, PC + HOUR, PC - 1); // this PC's clock set back mid-request
    expect(clock.clockOffset()).toBe(86_000);
  });

  it('timed() measures the round trip around a request and keeps its answer', async () => {
    const answer = await clock.timed(
      async () => {
        vi.setSystemTime(PC + 300); // the request takes 300 ms
        return { ok: true as const, serverTime: PC + 20 * 60_000 };
      },
      (a) => a.serverTime,
    );
    expect(answer.serverTime).toBe(PC + 20 * 60_000);
    expect(clock.clockOffset()).toBe(20 * 60_000 + 150 - 300);
    // An answer without a time (an error) is no sample.
    await clock.timed(async () => ({ ok: false as const }), () => undefined);
    expect(clock.clockOffset()).toBe(20 * 60_000 - 150);
  });
});
