// Password guessing (issue 13 medium 3/4): failed logins are counted per source address, per account from one
// source, and per account from everywhere. Past a free allowance each failure doubles a waiting time during
// which that key is answered 429 without checking the password. The caps are chosen so that an attacker on the
// LAN cannot lock the duty officer out during an incident (docs/security.md "Login throttling"):
// - the account-wide wait stops at 30 s, so the real person gets in within half a minute from any console;
// - the source and the account-from-that-source waits grow to 15 min: the guessing machine is slowed, not the
//   duty room's own PCs;
// - an admin sees every throttled key (GET /api/security/login-throttles) and can clear them.
// One warning is logged when a key starts throttling (a burst) and one when it goes quiet, not one per failure.
import type { Clock } from '../core/clock.ts';
import type { Logger } from '../core/logger.ts';

export type ThrottleScope = 'source' | 'account' | 'accountSource';

interface Policy {
  /** Failures allowed before the first wait. */
  free: number;
  firstWaitMs: number;
  maxWaitMs: number;
}

export const throttlePolicy: Readonly<Record<ThrottleScope, Policy>> = {
  source: { free: 10, firstWaitMs: 1_000, maxWaitMs: 15 * 60_000 },
  accountSource: { free: 5, firstWaitMs: 1_000, maxWaitMs: 15 * 60_000 },
  account: { free: 20, firstWaitMs: 1_000, maxWaitMs: 30_000 },
};

/** A burst is over (its counters forgotten) after this long without a failure once its wait has passed. */
const QUIET_MS = 15 * 60_000;
const MAX_KEYS = 10_000;

export interface ThrottleEntry {
  scope: ThrottleScope;
  /** The source address, the username, or `username@address`. */
  key: string;
  failures: number;
  /** Failures answered 429 without checking the password. */
  refused: number;
  firstAt: number;
  lastAt: number;
  /** Until when attempts are refused; null when the key is counting but not throttled. */
  blockedUntil: number | null;
}

export interface LoginThrottle {
  /** Milliseconds until an attempt for this account from this source may be checked; 0 = go ahead. */
  waitMs(username: string, source: string): number;
  /** An attempt arrives: like waitMs, and an attempt refused for waiting is counted for the admin. */
  attempt(username: string, source: string): number;
  failed(username: string, source: string): void;
  /** A good password from this source for this account clears the account-from-source key (not the others). */
  succeeded(username: string, source: string): void;
  /** Every key with failures in its burst, for the admin. */
  list(): ThrottleEntry[];
  /** An admin lets an account (or a source) in again. */
  clear(key?: string): number;
}

export function createLoginThrottle(clock: Clock, logger: Logger): LoginThrottle {
  const entries = new Map<string, ThrottleEntry>();
  const id = (scope: ThrottleScope, key: string): string => `${scope}:${key}`;
  const keysOf = (username: string, source: string): [ThrottleScope, string][] => [
    ['source', source],
    ['accountSource', `${username}@${source}`],
    ['account', username],
  ];

  const expire = (now: number): void => {
    for (const [k, e] of entries) {
      if (now - Math.max(e.lastAt, e.blockedUntil ?? 0) < QUIET_MS) continue;
      if (e.blockedUntil !== null) logger.warn('login throttle ended', { scope: e.scope, key: e.key, failures: e.failures, refused: e.refused, since: new Date(e.firstAt).toISOString() });
      entries.delete(k);
    }
  };

  const waitMs = (username: string, source: string): number => {
    const now = clock.now();
    expire(now);
    let wait = 0;
    for (const [scope, key] of keysOf(username, source)) {
      const e = entries.get(id(scope, key));
      if (e?.blockedUntil && e.blockedUntil > now) wait = Math.max(wait, e.blockedUntil - now);
    }
    return wait;
  };

  return {
    waitMs,

    attempt(username, source) {
      const wait = waitMs(username, source);
      if (wait > 0) {
        for (const [scope, key] of keysOf(username, source)) {
          const e = entries.get(id(scope, key));
          if (e) e.refused++;
        }
      }
      return wait;
    },

    failed(username, source) {
      const now = clock.now();
      for (const [scope, key] of keysOf(username, source)) {
        let e = entries.get(id(scope, key));
        if (!e) {
          // Bounded: random usernames cannot grow the map without end; the oldest key goes first.
          if (entries.size >= MAX_KEYS) entries.delete(entries.keys().next().value!);
          e = { scope, key, failures: 0, refused: 0, firstAt: now, lastAt: now, blockedUntil: null };
          entries.set(id(scope, key), e);
        }
        e.failures++;
        e.lastAt = now;
        const p = throttlePolicy[scope];
        const over = e.failures - p.free;
        if (over > 0) {
          if (e.blockedUntil === null) logger.warn('login throttled', { scope, key, failures: e.failures, policy: p });
          e.blockedUntil = now + Math.min(p.maxWaitMs, p.firstWaitMs * 2 ** Math.min(over - 1, 30));
        }
      }
    },

    succeeded(username, source) {
      entries.delete(id('accountSource', `${username}@${source}`));
    },

    list() {
      expire(clock.now());
      return [...entries.values()].map((e) => ({ ...e })).sort((a, b) => b.lastAt - a.lastAt);
    },

    clear(key) {
      let n = 0;
      for (const [k, e] of entries) {
        if (key !== undefined && e.key !== key && !e.key.startsWith(`${key}@`) && !e.key.endsWith(`@${key}`)) continue;
        entries.delete(k);
        n++;
      }
      if (n > 0) logger.warn('login throttle cleared by an admin', { key: key ?? '(all)', keys: n });
      return n;
    },
  };
}
