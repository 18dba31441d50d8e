// Refusals of an external Mosquitto, read from its own log: with `log_dest topic` Mosquitto publishes its log
// lines on `$SYS/broker/log/<E|W|N|I|M>` (mosquitto.conf(5)); the gateway's user reads them (npm run mqtt-acl)
// and counts what Mosquitto refused into the same counters as the embedded broker (refusals.ts).
//
// What Mosquitto 2.0 logs at notice level (Debian 12's 2.0.11, checked by test/integration/mqtt-mosquitto.test.ts):
//   New client connected from 127.0.0.1:35184 as dev1big (p2, c1, k60, u'dev1').   → client id → username
//   Client dev1big disconnected due to oversize packet.                             → oversize
//   Client <unknown> disconnected, not authorised.                                  → badCredentials
// A refused login is logged before the client id is taken (2.0.11: `<unknown>`; later 2.0 releases name the
// client id) and never with the username: it is counted in the total, and for a username only when the client
// id logged in as that user before. Anonymous logins look the same (counted as badCredentials). Not visible at
// all: a denied PUBLISH is logged at debug level, which Mosquitto never publishes on topics, and acl_file grants
// every SUBSCRIBE (it filters what it delivers) — those counts are null, never 0.
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import type { Clock } from '../core/clock.ts';
import type { Logger } from '../core/logger.ts';
import { createRefusalCounter, type BrokerStats, type RefusalKind } from './refusals.ts';

export const mosquittoLogFilter = '$SYS/broker/log/#';
/** Connections and refusals are notices. */
const NOTICE_TOPIC = '$SYS/broker/log/N';

export type MosquittoLogLine =
  | { kind: 'connected'; clientId: string; username: string | null }
  | { kind: 'refused'; refusal: Extract<RefusalKind, 'badCredentials' | 'oversize'>; clientId: string | null };

/** The timestamp Mosquitto puts first (`1795440110: `, or a numeric log_timestamp_format); none with log_timestamp false. */
const TIMESTAMP = /^[\d\-T:. +/]*?: /;
// Anchored at both ends: a client id is the client's own text and may look like anything in between.
const CONNECTED = /^New client connected from .+? as (.+) \((?:p\d+, )?c\d+, k\d+(?:, u'(.*)')?\)\.?$/;
const NOT_AUTHORISED = /^Client (.+) disconnected, not authori[sz]ed\.?$/;
const OVERSIZE = /^Client (.+) disconnected due to oversize packet\.?$/;

const named = (id: string): string | null => (id === '<unknown>' ? null : id);

/** One notice line of Mosquitto's log, or null when it is none of the lines counted here. */
export function parseMosquittoLogLine(text: string): MosquittoLogLine | null {
  const body = text.trim().replace(TIMESTAMP, '');
  let m = CONNECTED.exec(body);
  if (m) return { kind: 'connected', clientId: m[1]!, username: m[2] ?? null };
  m = NOT_AUTHORISED.exec(body);
  if (m) return { kind: 'refused', refusal: 'badCredentials', clientId: named(m[1]!) };
  m = OVERSIZE.exec(body);
  if (m) return { kind: 'refused', refusal: 'oversize', clientId: named(m[1]!) };
  return null;
}

export interface MosquittoLogCounter {
  /** One message from the log topics. */
  line(topic: string, text: string): void;
  /** The refusals counted, or null until a log line has arrived (the log may not be configured at all). */
  stats(): BrokerStats | null;
  /** Whether a client with this id has logged in since the gateway listens (the probe looks for its own). */
  seen(clientId: string): boolean;
}

export function createMosquittoLogCounter(options: { clock: Clock; logger: Logger; maxClientIds?: number }): MosquittoLogCounter {
  const { logger } = options;
  const counter = createRefusalCounter({ clock: options.clock, logger, visible: ['badCredentials', 'oversize'] });
  const maxClientIds = options.maxClientIds ?? 10_000;
  /** Client id → the username it last logged in with; bounded, oldest first out (random ids must not grow it). */
  const users = new Map<string, string | null>();
  let heard = false;
  return {
    line(topic, text) {
      heard = true;
      const got = topic === NOTICE_TOPIC ? parseMosquittoLogLine(text) : null;
      if (!got) {
        logger.debug('mosquitto log line not counted', { topic, line: text.slice(0, 200) });
        return;
      }
      if (got.kind === 'connected') {
        users.delete(got.clientId);
        if (users.size >= maxClientIds) users.delete(users.keys().next().value!);
        users.set(got.clientId, got.username);
        return;
      }
      const username = got.clientId === null ? undefined : (users.get(got.clientId) ?? undefined);
      counter.refuse(got.refusal, username, { clientId: got.clientId, source: 'mosquitto log' });
    },
    stats: () => (heard ? counter.stats() : null),
    seen: (clientId) => users.has(clientId),
  };
}

export interface MosquittoLogOptions {
  url: string;
  username?: string;
  password?: string;
  /** The gateway's client id; the log reader uses `<id>-log`, its start-up probe `<id>-log-probe`. */
  clientId: string;
  clientOptions?: Partial<IClientOptions>;
  clock: Clock;
  logger: Logger;
  /** How long the probe's own login may take to show up in the log before a warning; default 10 s. */
  probeTimeoutMs?: number;
}

export interface MosquittoLog {
  start(): Promise<void>;
  stop(): Promise<void>;
  stats(): BrokerStats | null;
}

export function createMosquittoLog(options: MosquittoLogOptions): MosquittoLog {
  const { logger } = options;
  const counter = createMosquittoLogCounter({ clock: options.clock, logger });
  let client: MqttClient | undefined;
  let probeTimer: NodeJS.Timeout | undefined;
  const login = {
    ...(options.username !== undefined ? { username: options.username } : {}),
    ...(options.password !== undefined ? { password: options.password } : {}),
    protocolVersion: 4 as const,
    connectTimeout: 10_000,
    ...options.clientOptions,
  };

  /**
   * A short login of its own, which Mosquitto logs as a notice: if that line does not come back, the log is not
   * reaching the gateway (no `log_dest topic`, no `log_type notice`, or no ACL read of $SYS/broker/log/#).
   */
  const probe = async (): Promise<void> => {
    const id = `${options.clientId}-log-probe`;
    const c = mqtt.connect(options.url, { ...login, clientId: id, clean: true, reconnectPeriod: 0 });
    await new Promise<void>((ok, fail) => {
      c.once('connect', () => ok());
      c.once('error', fail);
    }).finally(() => c.end(true));
    const deadline = options.clock.now() + (options.probeTimeoutMs ?? 10_000);
    await new Promise<void>((done) => {
      const check = (): void => {
        if (counter.seen(id)) {
          logger.info('mosquitto log received: counting broker refusals', { filter: mosquittoLogFilter });
          return done();
        }
        if (options.clock.now() >= deadline) {
          logger.warn('mosquitto log not received: broker refusals are not counted; the broker needs log_dest topic and log_type notice, the gateway user topic read $SYS/broker/log/#', { filter: mosquittoLogFilter });
          return done();
        }
        probeTimer = setTimeout(check, 100);
        probeTimer.unref();
      };
      check();
    });
  };

  return {
    // Counting refusals is a side line: a broker that is not up yet (or restarting) must not stop the gateway
    // from starting. The reader keeps retrying, says so once per outage, and subscribes on every connect.
    async start() {
      const c = mqtt.connect(options.url, { ...login, clientId: `${options.clientId}-log`, clean: true, reconnectPeriod: 1000 });
      client = c;
      let down = false;
      let probed = false;
      c.on('message', (topic, payload) => counter.line(topic, payload.toString('utf8')));
      c.on('error', (err) => {
        if (down) return;
        down = true;
        logger.warn('mosquitto log reader cannot reach the broker; retrying every second', { url: options.url, err: err.message });
      });
      c.on('connect', () => {
        if (down) logger.info('mosquitto log reader connected', { url: options.url });
        down = false;
        // Mosquitto never retains its log lines: what it logged before this subscription is not counted.
        c.subscribeAsync(mosquittoLogFilter, { qos: 1 })
          .then(async () => {
            if (probed) return;
            probed = true;
            await probe();
          })
          .catch((err: unknown) => logger.warn('mosquitto log subscription or probe failed', { err: String((err as Error)?.message ?? err) }));
      });
    },
    async stop() {
      if (probeTimer) clearTimeout(probeTimer);
      await client?.endAsync(true);
      client = undefined;
    },
    stats: () => counter.stats(),
  };
}
