// Broker refusals counted per username, for GET /api/diagnostics/mqtt: the embedded broker counts what it
// refuses itself; with an external Mosquitto the gateway counts what Mosquitto's log says it refused
// (mosquitto-log.ts). A kind the source cannot see is shown as null ("not known"), never as 0.
import type { Clock } from '../core/clock.ts';
import type { Logger } from '../core/logger.ts';
import { createLogLimiter } from '../core/log-limiter.ts';
import type { BrokerRefusals } from '../contract/mqtt.ts';

export type RefusalKind = keyof BrokerRefusals;
export type RefusalCounts = Record<RefusalKind, number>;

export const refusalKinds: readonly RefusalKind[] = ['anonymous', 'badCredentials', 'publishDenied', 'oversize', 'subscribeDenied', 'clientIdTaken', 'tooManyConnections'];

export interface BrokerStats {
  /** Every refusal, including anonymous clients, unknown usernames and (from a log) clients nobody could name. */
  total: BrokerRefusals;
  /** The counts of one username, zero when it was never refused. */
  of(username: string): BrokerRefusals;
  /** Per username (the refused username for bad credentials). */
  byUsername: ReadonlyMap<string, RefusalCounts & { lastRefusal: string | null; lastRefusalAt: number | null }>;
}

export interface RefusalCounter {
  /** Counts one refusal (username undefined: not known) and logs it with a rate limit per kind and username. */
  refuse(kind: RefusalKind, username: string | undefined, detail: Record<string, unknown>): void;
  stats(): BrokerStats;
}

/**
 * The row that counts logins nobody configured: each unknown username is not a row of its own (a scan of guessed
 * names would grow the table and the log by one line per name, issue 12 §4); they are counted here together.
 */
export const UNKNOWN_USERNAME = '(unknown username)';
/** The row past the bound of the table (a source that cannot tell known usernames from others). */
export const OTHER_USERNAMES = '(other usernames)';
const MAX_USERNAMES = 1000;

const zero = (): RefusalCounts => Object.fromEntries(refusalKinds.map((k) => [k, 0])) as RefusalCounts;

export function createRefusalCounter(options: {
  clock: Clock;
  logger: Logger;
  /** The kinds this source can see; the others are null in the stats. Default: all. */
  visible?: readonly RefusalKind[];
  /** Whether a username is configured (a device login or the gateway); others count under UNKNOWN_USERNAME. */
  isKnown?: (username: string) => boolean;
  /** Rows of the per-username table at most (default 1000); more go to OTHER_USERNAMES. */
  maxUsernames?: number;
}): RefusalCounter {
  const { clock, logger } = options;
  const visible = new Set(options.visible ?? refusalKinds);
  const limiter = createLogLimiter(clock);
  const total = zero();
  const byUsername = new Map<string, RefusalCounts & { lastRefusal: string | null; lastRefusalAt: number | null }>();
  const shown = (c: RefusalCounts): BrokerRefusals =>
    Object.fromEntries(refusalKinds.map((k) => [k, visible.has(k) ? c[k] : null])) as BrokerRefusals;

  return {
    refuse(kind, username, detail) {
      total[kind]++;
      let who = username === undefined ? '(unknown)' : options.isKnown && !options.isKnown(username) ? UNKNOWN_USERNAME : username;
      if (!byUsername.has(who) && byUsername.size >= (options.maxUsernames ?? MAX_USERNAMES)) who = OTHER_USERNAMES;
      const entry = byUsername.get(who) ?? { ...zero(), lastRefusal: null, lastRefusalAt: null };
      entry[kind]++;
      entry.lastRefusal = `${kind}${detail.topic ? ` ${String(detail.topic)}` : ''}`;
      entry.lastRefusalAt = clock.now();
      byUsername.set(who, entry);
      // One log line per kind and row a minute: unknown usernames share theirs (the first one is named in it).
      limiter.maybe(`${kind}:${who}`, (suppressed) => logger.warn(`mqtt ${kind} refused`, { username: username ?? null, ...detail, ...(suppressed ? { suppressed } : {}) }));
    },
    stats() {
      return {
        total: shown(total),
        byUsername,
        of: (username) => shown(byUsername.get(username) ?? zero()),
      };
    },
  };
}
