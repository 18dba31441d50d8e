// A simulated MQTT device for any MQTT profile: a real `mqtt` client that logs in with the device's credentials
// and publishes the payload shapes of its family (the profile's decoders run backwards), with the profile's
// availability topic as its will (LWT). Scenario control: set a point (open/close a contact, fault), go offline
// (the connection drops without DISCONNECT, so the broker publishes the will, MQTT 3.1.1 §3.1.2.5), come back,
// publish garbage.
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import type { MqttSiteDevice } from '../config/mqtt-site.ts';
import type { Logger } from '../core/logger.ts';
import type { MqttProfile } from '../devices/profile-schema.ts';
import { compileAvailability, compileDecoders, expandTopic, type CompiledDecoder, type PointValue } from '../sources/mqtt/decode.ts';
import type { PathStep } from '../sources/mqtt/json-path.ts';

export interface MqttSimulator {
  readonly deviceId: string;
  readonly profile: MqttProfile;
  readonly online: boolean;
  get(point: string): PointValue;
  set(point: string, value: PointValue): Promise<void>;
  goOffline(): Promise<void>;
  comeBack(): Promise<void>;
  /** Publishes a payload no decoder accepts on the device's first topic. */
  publishGarbage(): Promise<void>;
  stop(): Promise<void>;
}

export interface MqttSimulatorOptions {
  device: MqttSiteDevice;
  url: string;
  /** Plain password (demo mode): a simulator can only be run where the config holds it. */
  password: string;
  logger: Logger;
  /** Republish every state this often (Tasmota's TelePeriod); default a third of the heartbeat, or never. */
  republishMs?: number;
  clientOptions?: Partial<IClientOptions>;
}

/** The raw JSON value for a point value: the map's key for it (typed back: `true`, `1`, `"ON"`), or the value itself. */
function rawFor(d: CompiledDecoder, value: PointValue): string | number | boolean {
  if (!d.map) return value;
  const key = [...d.map].find(([, v]) => v === value)?.[0];
  if (key === undefined) throw new RangeError(`no payload of ${d.topic} means ${String(value)}`);
  if (d.format === 'plain') return key;
  if (key === 'true' || key === 'false') return key === 'true';
  return /^-?\d+(\.\d+)?$/.test(key) ? Number(key) : key;
}

function setPath(doc: Record<string, unknown>, steps: readonly PathStep[], value: unknown): void {
  let node: Record<string, unknown> = doc;
  steps.forEach((step, i) => {
    const key = String(step);
    if (i === steps.length - 1) node[key] = value;
    else node = (node[key] ??= {}) as Record<string, unknown>;
  });
}

/** A value with `{id}` replaced in every string, however deep. */
function expandStrings(v: unknown, topicId: string): unknown {
  if (typeof v === 'string') return expandTopic(v, topicId);
  if (Array.isArray(v)) return v.map((x) => expandStrings(x, topicId));
  if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, expandStrings(x, topicId)]));
  return v;
}

/** The profile's `simulator.documents` for one device: topic → the document its simulated messages start from. */
export function simulatorDocuments(profile: MqttProfile, topicId: string): Map<string, Record<string, unknown>> {
  return new Map(Object.entries(profile.simulator?.documents ?? {}).map(([topic, doc]) => [expandTopic(topic, topicId), expandStrings(doc, topicId) as Record<string, unknown>]));
}

/**
 * The message a device of this family sends on decoder `d`'s topic: plain text, or a JSON document (the profile's
 * document for the topic, or an empty one) with the match fields (the first value of a list) and every point
 * published on that topic (a Z2M device sends its whole state at once).
 */
export function simulatedPayload(
  d: CompiledDecoder,
  primary: ReadonlyMap<string, CompiledDecoder>,
  values: ReadonlyMap<string, PointValue>,
  documents: ReadonlyMap<string, Record<string, unknown>> = new Map(),
): string {
  if (d.format === 'plain') return String(rawFor(d, values.get(d.point)!));
  const doc: Record<string, unknown> = structuredClone(documents.get(d.topic) ?? {});
  for (const m of d.match) setPath(doc, m.steps, m.anyOf[0]);
  for (const other of primary.values()) {
    if (other.topic !== d.topic || other.format !== 'json' || JSON.stringify(other.match) !== JSON.stringify(d.match)) continue;
    setPath(doc, other.steps!, rawFor(other, values.get(other.point)!));
  }
  return JSON.stringify(doc);
}

/** The decoder each point is published with: its first one. */
export function primaryDecoders(decoders: readonly CompiledDecoder[]): Map<string, CompiledDecoder> {
  const primary = new Map<string, CompiledDecoder>();
  for (const d of decoders) if (!primary.has(d.point)) primary.set(d.point, d);
  return primary;
}

export async function startMqttSimulator(options: MqttSimulatorOptions): Promise<MqttSimulator> {
  const { device, logger } = options;
  const { profile } = device;
  const id = device.config.connection.topicId;
  const decoders = compileDecoders(profile, id);
  const availability = compileAvailability(profile, id)[0];
  const values = new Map<string, PointValue>(Object.keys(profile.points).map((p) => [p, profile.simulator?.initial[p] ?? false]));
  const primary = primaryDecoders(decoders);
  const documents = simulatorDocuments(profile, id);
  let client: MqttClient | undefined;
  let online = false;
  let timer: NodeJS.Timeout | undefined;

  const publish = async (topic: string, payload: string | Buffer, retain: boolean): Promise<void> => {
    if (!client || !online) throw new Error(`simulated device ${device.config.id} is offline`);
    await client.publishAsync(topic, payload, { qos: 1, retain });
  };
  // States go out unretained (Shelly, Tasmota and Z2M defaults); availability is retained, as devices do.
  const publishPoint = (point: string): Promise<void> => {
    const d = primary.get(point)!;
    return publish(d.topic, simulatedPayload(d, primary, values, documents), false);
  };
  const availabilityPayload = (text: string): string => {
    // plain-or-json is simulated as JSON (Zigbee2MQTT 2.x); the 1.x plain text is covered by the source's tests.
    if (!availability?.steps || availability.format === 'plain') return text;
    const doc: Record<string, unknown> = {};
    setPath(doc, availability.steps!, text);
    return JSON.stringify(doc);
  };
  const publishAll = async (): Promise<void> => {
    const topics = new Map<string, string>();
    for (const d of primary.values()) topics.set(d.topic, d.point);
    for (const point of topics.values()) await publishPoint(point);
  };

  const connect = async (): Promise<void> => {
    const c = mqtt.connect(options.url, {
      clientId: device.config.connection.clientId ?? `sim-${device.config.id}`,
      username: device.config.connection.username,
      password: options.password,
      protocolVersion: 4,
      reconnectPeriod: 0,
      ...(availability ? { will: { topic: availability.topic, payload: Buffer.from(availabilityPayload(availability.offline[0]!)), qos: 1, retain: true } } : {}),
      ...options.clientOptions,
    });
    await new Promise<void>((ok, fail) => {
      c.once('connect', () => ok());
      c.once('error', (err) => fail(new Error(`simulated device ${device.config.id} cannot connect: ${err.message}`)));
    });
    c.on('error', (err) => logger.warn('simulated mqtt device error', { device: device.config.id, err: err.message }));
    client = c;
    online = true;
    if (availability) await publish(availability.topic, availabilityPayload(availability.online[0]!), true);
    await publishAll();
    const every = options.republishMs ?? (device.profile.heartbeatSeconds ? (device.profile.heartbeatSeconds * 1000) / 3 : undefined);
    if (every !== undefined) {
      timer = setInterval(() => void publishAll().catch(() => {}), every);
      timer.unref();
    }
  };

  const disconnect = async (clean: boolean): Promise<void> => {
    if (timer) clearInterval(timer);
    timer = undefined;
    const c = client;
    client = undefined;
    online = false;
    if (!c) return;
    // A crash or a cut cable: no DISCONNECT packet, so the broker publishes the will (§3.1.2.5).
    if (!clean) c.stream.destroy();
    await c.endAsync(!clean);
  };

  await connect();
  logger.info('simulated mqtt device connected', { device: device.config.id, profile: profile.id });
  return {
    deviceId: device.config.id,
    profile,
    get online() {
      return online;
    },
    get(point) {
      const v = values.get(point);
      if (v === undefined) throw new RangeError(`profile ${profile.id} has no point "${point}"`);
      return v;
    },
    async set(point, value) {
      const d = primary.get(point);
      if (!d) throw new RangeError(`profile ${profile.id} has no point "${point}" (points: ${[...primary.keys()].join(', ')})`);
      rawFor(d, value); // throws RangeError for a value the family cannot say
      values.set(point, value);
      if (online) await publishPoint(point);
    },
    goOffline: () => disconnect(false),
    async comeBack() {
      if (!online) await connect();
    },
    async publishGarbage() {
      const d = decoders[0]!;
      await publish(d.topic, d.format === 'json' ? '{"state": tru' : '\u0000garbage\u00ff', false);
    },
    stop: () => disconnect(true),
  };
}
