// The MQTT source: one client (the `mqtt` package) subscribed with QoS 1 to every device topic, on the embedded
// broker through loopback or on an external broker — one code path either way. A topic → routes map built once
// from the profiles sends each message straight to the decoders of the devices it concerns (no scan over all
// devices). Malformed payloads are counted per device, logged with a rate limit and never thrown.
// Link status: availability/LWT payloads, a heartbeat timeout per device, and live messages (onStatus).
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import type { MqttSiteDevice } from '../../config/mqtt-site.ts';
import type { DeviceStatus } from '../../core/bus.ts';
import type { Clock } from '../../core/clock.ts';
import type { Logger } from '../../core/logger.ts';
import type { Reading } from '../../core/reading.ts';
import { createLogLimiter } from '../../core/log-limiter.ts';
import { SELF_TEST_DETAIL } from '../../contract/routes.ts';
import { devicePayloadLimits, payloadLimitFor } from '../../broker/device-access.ts';
import { compileAvailability, compileDecoders, decode, decodeAvailability, payloadOf } from './decode.ts';
import { commLostReadings, newCounters, type DeviceCounters, type DeviceState } from './device-state.ts';

export interface MqttSourceOptions {
  devices: readonly MqttSiteDevice[];
  url: string;
  username?: string;
  password?: string;
  clientId: string;
  /** Messages larger than this are malformed, unless the profile allows more on that topic (payloadLimits), as the broker does. */
  maxPayloadBytes: number;
  clock: Clock;
  logger: Logger;
  emit(readings: Reading[]): void;
  onStatus(status: DeviceStatus): void;
  /** How often heartbeats are checked; tests with a fake clock call checkHeartbeats() themselves. */
  heartbeatCheckMs?: number;
  /** The gateway's own link to the broker lost this long → every device offline: it can no longer be heard. */
  brokerGraceMs?: number;
  /** Extra client options (TLS CA for an external broker, tests). */
  clientOptions?: Partial<IClientOptions>;
}

export interface MqttDeviceDiagnostics extends DeviceCounters {
  deviceId: string;
  online: boolean | null;
}

export interface MqttSource {
  start(): Promise<void>;
  stop(): Promise<void>;
  checkHeartbeats(): void;
  diagnostics(): { connected: boolean; reconnects: number; unrouted: number; failures: number; devices: MqttDeviceDiagnostics[] };
}

const SUBSCRIBE_BATCH = 50;
/** Events tracked at once per point; a camera sees a handful of objects, never hundreds. */
const MAX_ACTIVE_EVENTS = 256;

/** QoS 1 subscriptions; a SUBACK with failures (0x80, §3.9.3) rejects in mqtt.js, so the codes are read from it. */
async function subscribe(c: MqttClient, topics: string[], logger: Logger): Promise<void> {
  const codes = await c.subscribeAsync(Object.fromEntries(topics.map((topic) => [topic, { qos: 1 as const }]))).then(
    (granted) => granted.map((g) => g.qos as number),
    (err: unknown) => {
      const granted = (err as { packet?: { granted?: unknown[] } }).packet?.granted;
      if (!Array.isArray(granted)) throw err;
      return granted.map((g) => (typeof g === 'number' ? g : 128));
    },
  );
  const refused = topics.filter((_, i) => codes[i] === 128);
  if (refused.length > 0) logger.error('mqtt broker refused subscriptions: check the broker ACL of the gateway user', { topics: refused });
}

export function createMqttSource(options: MqttSourceOptions): MqttSource {
  const { clock, logger } = options;
  const limiter = createLogLimiter(clock);
  const states: DeviceState[] = [];
  /** Topic → the devices (and their decoders / availability specs) that listen on it. */
  const routes = new Map<string, { state: DeviceState; decoders: DeviceState['decoders']; availability: DeviceState['availability']; maxBytes: number }[]>();
  let client: MqttClient | undefined;
  let timer: NodeJS.Timeout | undefined;
  let reconnects = 0;
  let unrouted = 0;
  /** Messages whose handling threw (a bug): counted, logged with a rate limit. */
  let failures = 0;
  /** When the gateway lost the broker, or null while connected. */
  let brokerLostAt: number | null = null;

  const setOnline = (state: DeviceState, online: boolean, detail: string, now: number): void => {
    if (state.online === online) return;
    state.online = online;
    const d = state.device.config;
    logger.info(online ? 'mqtt device online' : 'mqtt device offline', { device: d.id, detail });
    options.onStatus({ deviceId: d.id, roomId: d.room, online, ts: now, detail });
    if (!online) {
      // Events open when the device went silent are not known to last: Frigate closes them at its restart without
      // an "end" (frigate/review/maintainer.py); what is active after that comes with the next messages.
      state.activeEvents.clear();
      options.emit(commLostReadings(state, now, detail));
    }
  };

  /** An availability message: the device's own (its will) or its bridge's (every device behind it). */
  const onAvailability = (state: DeviceState, a: DeviceState['availability'][number], topic: string, online: boolean, retained: boolean, text: string, now: number): void => {
    const detail = `${topic} = ${text.slice(0, 40)}`;
    if (a.scope === 'bridge') {
      if (!online) {
        state.bridgesDown.add(topic);
        setOnline(state, false, detail, now);
        return;
      }
      // The bridge is back: its devices are heard again unless they said offline themselves. A device that stays
      // silent goes offline again after its heartbeat, counted from now (issue 12 §3).
      if (!state.bridgesDown.delete(topic) || state.bridgesDown.size > 0 || state.saysOffline) return;
      state.aliveAt = now;
      setOnline(state, true, detail, now);
      return;
    }
    state.saysOffline = !online;
    state.aliveAt = now;
    // A live "online" came through the bridge, so the bridge is there; a retained one of a device behind a dead
    // bridge is only its last word before the bridge died.
    if (online && !retained) state.bridgesDown.clear();
    if (online && state.bridgesDown.size > 0) return;
    setOnline(state, online, detail, now);
  };

  /** Points that track overlapping events: true while any event is active (Frigate: several objects per camera). */
  const eventValue = (state: DeviceState, point: string, eventId: string, active: boolean): boolean => {
    const ids = state.activeEvents.get(point) ?? new Set<string>();
    state.activeEvents.set(point, ids);
    if (!active) ids.delete(eventId);
    else if (!ids.has(eventId)) {
      // Bounded: a flood of new events without ends cannot grow memory; the oldest is forgotten first.
      if (ids.size >= MAX_ACTIVE_EVENTS) ids.delete(ids.values().next().value!);
      ids.add(eventId);
    }
    return ids.size > 0;
  };

  const malformed = (state: DeviceState, topic: string, error: string, now: number): void => {
    const c = state.counters;
    c.malformed++;
    c.lastError = `${topic}: ${error}`;
    c.lastErrorAt = now;
    limiter.maybe(state.device.config.id, (suppressed) =>
      logger.warn('malformed mqtt payload', { device: state.device.config.id, topic, error, ...(suppressed ? { suppressed } : {}) }),
    );
  };

  const onMessage = (topic: string, buf: Buffer, retained: boolean): void => {
    const now = clock.now();
    const targets = routes.get(topic);
    if (!targets) {
      unrouted++;
      limiter.maybe('unrouted', (suppressed) => logger.warn('mqtt message on a topic no device listens to', { topic, ...(suppressed ? { suppressed } : {}) }));
      return;
    }
    const payload = payloadOf(buf);
    const out: Reading[] = [];
    for (const { state, decoders, availability, maxBytes } of targets) {
      const c = state.counters;
      c.messages++;
      c.lastMessageAt = now;
      if (buf.length > maxBytes) {
        malformed(state, topic, `payload of ${buf.length} bytes is over the limit of ${maxBytes}`, now);
        continue;
      }
      let used = false;
      const errors: string[] = [];
      for (const a of availability) {
        const got = decodeAvailability(a, payload);
        if ('error' in got) errors.push(got.error);
        else {
          used = true;
          onAvailability(state, a, topic, got.online, retained, payload.text, now);
        }
      }
      // A live message proves the device (and the bridge it comes through) is there; a retained one is only what it
      // last said (MQTT 3.1.1 §3.3.1.3).
      if (!retained && decoders.length > 0) {
        state.aliveAt = now;
        state.bridgesDown.clear();
        state.saysOffline = false;
        if (state.online !== true) setOnline(state, true, `message on ${topic}`, now);
      }
      for (const d of decoders) {
        const o = decode(d, payload, retained);
        if (o.kind === 'malformed') errors.push(o.error);
        if (o.kind !== 'value') continue;
        used = true;
        const p = state.device.points.find((x) => x.name === o.point)!;
        const value = o.eventId === undefined ? o.value : eventValue(state, o.point, o.eventId, o.value === true);
        // A retained state of a device known to be offline is its last word, not a fresh value.
        const stale = retained && state.online === false;
        out.push({
          pointKey: p.key, roomId: p.roomId, deviceId: p.deviceId, point: p.name, unit: p.spec.unit, ts: now,
          ...(stale
            ? { value: null, quality: 'stale' as const, detail: 'retained state of an offline device' }
            : { value, quality: 'good' as const, ...(o.test ? { detail: SELF_TEST_DETAIL } : {}) }),
        });
        c.readings++;
      }
      if (errors.length > 0) malformed(state, topic, [...new Set(errors)].join('; '), now);
      else if (!used) c.ignored++;
    }
    if (out.length > 0) options.emit(out);
  };

  return {
    async start() {
      const now = clock.now();
      for (const device of options.devices) {
        const id = device.config.connection.topicId;
        const hb = device.config.connection.heartbeatSeconds ?? device.profile.heartbeatSeconds;
        const state: DeviceState = {
          device,
          decoders: compileDecoders(device.profile, id),
          availability: compileAvailability(device.profile, id),
          heartbeatMs: hb === undefined ? null : hb * 1000,
          online: null,
          saysOffline: false,
          bridgesDown: new Set(),
          activeEvents: new Map(),
          aliveAt: now,
          counters: newCounters(),
        };
        states.push(state);
        const topics = new Set([...state.decoders.map((d) => d.topic), ...state.availability.map((a) => a.topic)]);
        for (const topic of topics) {
          const list = routes.get(topic) ?? [];
          list.push({
            state,
            decoders: state.decoders.filter((d) => d.topic === topic),
            availability: state.availability.filter((a) => a.topic === topic),
            // The broker's limit for this topic (the site's, or the profile's payloadLimits): one rule, both sides.
            maxBytes: payloadLimitFor(devicePayloadLimits(device), topic, options.maxPayloadBytes),
          });
          routes.set(topic, list);
        }
      }
      if (routes.size === 0) return;
      const c = mqtt.connect(options.url, {
        clientId: options.clientId,
        ...(options.username !== undefined ? { username: options.username } : {}),
        ...(options.password !== undefined ? { password: options.password } : {}),
        protocolVersion: 4,
        // A persistent session: QoS 1 messages published while the gateway reconnects are queued for it (§3.1.2.4).
        clean: false,
        reconnectPeriod: 1000,
        connectTimeout: 10_000,
        resubscribe: true,
        ...options.clientOptions,
      });
      client = c;
      c.on('message', (topic, payload, packet) => {
        try {
          onMessage(topic, payload, packet.retain);
        } catch (err) {
          // A bug in a decoder must not take the source down with it; it is logged as a bug, once per minute at most
          // (a message that triggers it may come a thousand times a second).
          failures++;
          limiter.maybe('handling-failed', (suppressed) =>
            logger.error('mqtt message handling failed', { topic, err: String((err as Error)?.stack ?? err), ...(suppressed ? { suppressed } : {}) }),
          );
        }
      });
      c.on('reconnect', () => reconnects++);
      c.on('error', (err) => limiter.maybe('client-error', (suppressed) => logger.warn('mqtt client error', { err: err.message, ...(suppressed ? { suppressed } : {}) })));
      c.on('connect', () => {
        brokerLostAt = null;
        logger.info('mqtt source connected', { url: options.url, topics: routes.size });
      });
      c.on('close', () => {
        if (brokerLostAt !== null || client !== c) return; // not a loss when stop() closed it
        brokerLostAt = clock.now();
        logger.warn('mqtt source lost the broker; reconnecting', { url: options.url });
      });
      await new Promise<void>((ok, fail) => {
        const failed = (err: Error): void => fail(new Error(`mqtt source cannot connect to ${options.url}: ${err.message}`));
        c.once('error', failed);
        c.once('connect', () => {
          c.off('error', failed);
          ok();
        });
      });
      // Availability topics first, in their own SUBSCRIBE: their retained payloads (a retained LWT "offline")
      // arrive before the retained states, so a dead device's last state is never taken for a fresh one.
      const isAvailability = (topic: string): boolean => routes.get(topic)!.some((r) => r.availability.length > 0);
      const all = [...routes.keys()];
      // In packets of at most SUBSCRIBE_BATCH filters: brokers limit packet sizes (Mosquitto max_packet_size).
      for (const topics of [all.filter(isAvailability), all.filter((t) => !isAvailability(t))]) {
        for (let i = 0; i < topics.length; i += SUBSCRIBE_BATCH) await subscribe(c, topics.slice(i, i + SUBSCRIBE_BATCH), logger);
      }
      timer = setInterval(() => this.checkHeartbeats(), options.heartbeatCheckMs ?? 1000);
      timer.unref();
    },
    async stop() {
      if (timer) clearInterval(timer);
      timer = undefined;
      const c = client;
      client = undefined;
      await c?.endAsync(true);
    },
    checkHeartbeats() {
      const now = clock.now();
      // Reconnecting for longer than the grace: nothing of any device can arrive, so none is shown as alive. On
      // reconnect the retained availability and the next live messages bring them back (no restart needed).
      if (brokerLostAt !== null && now - brokerLostAt > (options.brokerGraceMs ?? 15_000)) {
        for (const s of states) setOnline(s, false, `gateway not connected to the broker since ${new Date(brokerLostAt).toISOString()}`, now);
        return;
      }
      for (const s of states) {
        if (s.heartbeatMs === null || now - s.aliveAt <= s.heartbeatMs) continue;
        setOnline(s, false, `no message for ${Math.round((now - s.aliveAt) / 1000)} s (heartbeat ${s.heartbeatMs / 1000} s)`, now);
      }
    },
    diagnostics() {
      return {
        connected: client?.connected ?? false,
        reconnects,
        unrouted,
        failures,
        devices: states.map((s) => ({ deviceId: s.device.config.id, online: s.online, ...s.counters })),
      };
    },
  };
}
