// Rate-limited logging: one line per key per interval, saying how many were held back (issue 3: malformed
// payloads logged with a rate limit, never a log flood).
import { describe, expect, it } from 'vitest';
import { createLogLimiter } from '../../src/core/log-limiter.ts';
import { fakeClock } from '../helpers/fake-clock.ts';

describe('log limiter', () => {
  it('logs the first, holds back the rest of the interval, then logs with the count held back', () => {
    const clock = fakeClock();
    const limiter = createLogLimiter(clock, 60_000);
    const lines: string[] = [];
    for (let i = 0; i < 1000; i++) limiter.maybe('dev-1', (held) => lines.push(`dev-1 ${held}`));
    limiter.maybe('dev-2', (held) => lines.push(`dev-2 ${held}`));
    clock.advance(59_999);
    limiter.maybe('dev-1', (held) => lines.push(`dev-1 ${held}`));
    clock.advance(1);
    limiter.maybe('dev-1', (held) => lines.push(`dev-1 ${held}`));
    expect(lines).toEqual(['dev-1 0', 'dev-2 0', 'dev-1 1000']);
  });

  it('keeps at most maxKeys keys, so random client ids cannot grow it without end', () => {
    const limiter = createLogLimiter(fakeClock(), 60_000, 10);
    let logged = 0;
    for (let i = 0; i < 100; i++) limiter.maybe(`k${i}`, () => logged++);
    limiter.maybe('k0', () => logged++); // k0 was evicted, so it logs again
    expect(logged).toBe(101);
  });
});
