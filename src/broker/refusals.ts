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

const zero = (): RefusalCounts => Object.fromEntries(refusalKinds.map((k) => [k, 0])) as RefusalCounts;

export function createRefusalCounter(options: {
  clock: Clock;
  logger: Logger;
  /** The kinds this source can see; the others are null in the stats. Default: all. */
  visible?: readonly RefusalKind[];
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
      const who = username ?? '(unknown)';
      const entry = byUsername.get(who) ?? { ...zero(), lastRefusal: null, lastRefusalAt: null };
      entry[kind]++;
      entry.lastRefusal = `${kind}${detail.topic ? ` ${String(detail.topic)}` : ''}`;
      entry.lastRefusalAt = clock.now();
      byUsername.set(who, entry);
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
