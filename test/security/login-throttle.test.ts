// Password guessing (issue 13 medium 3): throttled per source, per account from a source and per account,
// with a growing wait, logged once per burst, and capped for the account so that an attacker cannot lock the
// duty officer out of the console during an incident (docs/security.md "Login throttling").
import { describe, expect, it } from 'vitest';
import { createLoginThrottle, throttlePolicy } from '../../src/auth/login-throttle.ts';
import { createLogger } from '../../src/core/logger.ts';
import { fakeClock } from '../helpers/fake-clock.ts';

function setup() {
  const clock = fakeClock();
  const lines: { msg: string; scope?: string; key?: string }[] = [];
  const throttle = createLoginThrottle(clock, createLogger('info', {}, (l) => lines.push(JSON.parse(l) as { msg: string })));
  /** One attempt as the login route makes it: refused while waiting, else checked (and here always wrong). */
  const attempt = (username: string, source: string): 'refused' | 'checked' => {
    if (throttle.attempt(username, source) > 0) return 'refused';
    throttle.failed(username, source);
    return 'checked';
  };
  return { clock, lines, throttle, attempt };
}

describe('login throttle', () => {
  it('lets 5 wrong passwords through for an account from one address, then waits 1 s, 2 s, 4 s … up to 15 min', () => {
    const { clock, throttle, attempt } = setup();
    for (let i = 0; i < 5; i++) expect(attempt('duty', '10.0.0.66')).toBe('checked');
    expect(throttle.waitMs('duty', '10.0.0.66')).toBe(0);
    expect(attempt('duty', '10.0.0.66')).toBe('checked'); // the 6th: now the account from this address waits
    const waits: number[] = [];
    for (let i = 0; i < 14; i++) {
      const wait = throttle.waitMs('duty', '10.0.0.66');
      waits.push(wait);
      clock.advance(wait);
      expect(attempt('duty', '10.0.0.66')).toBe('checked');
    }
    expect(waits.slice(0, 5)).toEqual([1_000, 2_000, 4_000, 8_000, 16_000]);
    expect(Math.max(...waits)).toBe(throttlePolicy.accountSource.maxWaitMs);
  });

  it('does not extend the wait for attempts refused while waiting, but counts them for the admin', () => {
    const { throttle, attempt } = setup();
    for (let i = 0; i < 6; i++) attempt('lead', '10.0.0.66');
    const wait = throttle.waitMs('lead', '10.0.0.66');
    for (let i = 0; i < 50; i++) expect(attempt('lead', '10.0.0.66')).toBe('refused');
    expect(throttle.waitMs('lead', '10.0.0.66')).toBe(wait);
    expect(throttle.list().find((e) => e.scope === 'accountSource')).toMatchObject({ key: 'lead@10.0.0.66', failures: 6, refused: 50 });
  });

  it('never keeps the duty officer out for more than 30 s while another machine guesses their password', () => {
    const { clock, throttle, attempt } = setup();
    // 200 guesses from 20 addresses (10 each, within every address's free allowance), waiting out each refusal.
    for (let i = 0; i < 200; i++) {
      const source = `10.0.1.${i % 20}`;
      clock.advance(throttle.waitMs('duty', source));
      attempt('duty', source);
    }
    // The real duty officer at the duty-room PC: the account-wide wait is capped.
    const wait = throttle.waitMs('duty', '10.0.0.5');
    expect(wait).toBeGreaterThan(0);
    expect(wait).toBeLessThanOrEqual(throttlePolicy.account.maxWaitMs);
    clock.advance(wait);
    expect(throttle.waitMs('duty', '10.0.0.5')).toBe(0);
  });

  it('slows a guessing address across accounts: 10 free failures, then it waits', () => {
    const { throttle, attempt } = setup();
    for (let i = 0; i < 10; i++) expect(attempt(`user${i}`, '10.0.0.66')).toBe('checked');
    expect(attempt('user10', '10.0.0.66')).toBe('checked');
    expect(throttle.waitMs('someone-else', '10.0.0.66')).toBeGreaterThan(0);
    expect(throttle.waitMs('someone-else', '10.0.0.7')).toBe(0);
  });

  it('logs one line when a key starts throttling and one when its burst ends, not one per failure', () => {
    const { clock, lines, throttle, attempt } = setup();
    for (let i = 0; i < 200; i++) {
      clock.advance(throttle.waitMs('lead', '10.0.0.66'));
      attempt('lead', '10.0.0.66');
    }
    // One guessing address: its own keys throttle (one line each); the account-wide count of one address
    // guessing every 15 minutes stays under its allowance, so that key never throttles (it is for many addresses).
    const started = lines.filter((l) => l.msg === 'login throttled');
    expect(started.map((l) => `${l.scope}:${l.key}`).sort()).toEqual(['accountSource:lead@10.0.0.66', 'source:10.0.0.66']);
    clock.advance(throttlePolicy.source.maxWaitMs + 15 * 60_000);
    expect(throttle.list()).toEqual([]);
    expect(lines.filter((l) => l.msg === 'login throttle ended').map((l) => l.scope).sort()).toEqual(['accountSource', 'source']);
  });

  it('lets an admin clear an account: every key naming it goes', () => {
    const { throttle, attempt } = setup();
    for (let i = 0; i < 30; i++) attempt('duty', '10.0.0.66');
    expect(throttle.waitMs('duty', '10.0.0.66')).toBeGreaterThan(0);
    expect(throttle.clear('duty')).toBe(2);
    expect(throttle.list().map((e) => e.scope)).toEqual(['source']);
  });

  it('a right password from an address clears only that account-from-address key', () => {
    const { throttle, attempt } = setup();
    for (let i = 0; i < 3; i++) attempt('duty', '10.0.0.5');
    throttle.succeeded('duty', '10.0.0.5');
    expect(throttle.list().map((e) => e.scope).sort()).toEqual(['account', 'source']);
  });
});
