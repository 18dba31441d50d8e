// The MQTT source against a real embedded aedes with a fake clock, for the source's integration tests: one site with
// a Zigbee2MQTT smoke detector and water-leak sensor (login z2m), a Tasmota contact with a 60 s heartbeat (tas-1) and
// a Frigate camera (frigate); devices log in as real MQTT clients; readings, statuses and log lines are collected.
import { afterEach, beforeEach } from 'vitest';
import type { MqttClient } from 'mqtt';
import { defaultProfilesDir, parseSite, type Site } from '../../src/config/load.ts';
import { loadProfiles } from '../../src/devices/profiles.ts';
import { createDeviceAccess } from '../../src/broker/device-access.ts';
import { createEmbeddedBroker, type EmbeddedBroker } from '../../src/broker/embedded-broker.ts';
import { createMqttSource, type MqttDeviceDiagnostics, type MqttSource } from '../../src/sources/mqtt/mqtt-source.ts';
import type { DeviceStatus } from '../../src/core/bus.ts';
import type { Reading } from '../../src/core/reading.ts';
import { createLogger, silentLogger } from '../../src/core/logger.ts';
import { fakeClock, type FakeClock } from './fake-clock.ts';
import { connectMqtt } from './mqtt.ts';

export const sourceSite: Site = parseSite(
  'source-test.yaml',
  `
site: { id: t, name: { en: T, zh-CN: T }, demo: true }
broker: { embedded: { port: 0 } }
rooms: [{ id: fire, kind: fire-control, name: { en: F, zh-CN: F } }, { id: cctv, kind: cctv, name: { en: C, zh-CN: C } }]
devices:
  - { id: smoke-1, room: fire, profile: z2m-smoke-sensor, connection: { type: mqtt, topicId: smoke_1, username: z2m, password: z2m-pw } }
  - { id: leak-1, room: fire, profile: z2m-water-leak-sensor, connection: { type: mqtt, topicId: leak_1, username: z2m, password: z2m-pw } }
  - { id: tas-1, room: fire, profile: tasmota-fire-switch, connection: { type: mqtt, topicId: tas_1, username: tas-1, password: tas-pw, heartbeatSeconds: 60 } }
  - { id: gate, room: cctv, profile: frigate-camera, connection: { type: mqtt, topicId: gate, username: frigate, password: frigate-pw } }
users: [{ username: duty, displayName: D, role: duty, password: duty }]
`,
  loadProfiles(defaultProfilesDir),
);
export const gatewayLogin = { username: 'roomwatch-gateway', password: 'internal-secret' };
/** The site's broker.maxPayloadBytes in these tests (the default). */
export const SITE_MAX_PAYLOAD = 16 * 1024;

export interface SourceHarness {
  clock: FakeClock;
  broker: EmbeddedBroker;
  url: string;
  source: MqttSource | undefined;
  readings: Reading[];
  statuses: DeviceStatus[];
  logLines: { level: string; msg: string }[];
  last(pointKey: string): Reading | undefined;
  /** online/offline of one device, in order. */
  statusOf(deviceId: string): boolean[];
  device(username: string, password: string, will?: { topic: string; payload: string }): Promise<MqttClient>;
  startSource(): Promise<MqttSource>;
  counters(deviceId: string): MqttDeviceDiagnostics;
}

/** A fresh broker, clock and collections for every test; clients, source and broker stopped after it. */
export function useMqttSourceOnAedes(): SourceHarness {
  const clients: MqttClient[] = [];
  const h: SourceHarness = {
    clock: fakeClock(),
    broker: undefined as unknown as EmbeddedBroker, // set in beforeEach, before any test reads it
    url: '',
    source: undefined,
    readings: [],
    statuses: [],
    logLines: [],
    last: (key) => h.readings.filter((r) => r.pointKey === key).at(-1),
    statusOf: (id) => h.statuses.filter((x) => x.deviceId === id).map((x) => x.online),
    async device(username, password, will) {
      const c = await connectMqtt(h.url, {
        username, password, clientId: `${username}-${clients.length}`,
        ...(will ? { will: { topic: will.topic, payload: Buffer.from(will.payload), qos: 1 as const, retain: true } } : {}),
      });
      clients.push(c);
      return c;
    },
    async startSource() {
      const source = createMqttSource({
        devices: sourceSite.mqttDevices, url: h.url, ...gatewayLogin, clientId: 'gw', maxPayloadBytes: SITE_MAX_PAYLOAD, clock: h.clock,
        logger: createLogger('debug', {}, (l) => h.logLines.push(JSON.parse(l) as { level: string; msg: string })),
        emit: (rs) => h.readings.push(...rs), onStatus: (s) => h.statuses.push(s), heartbeatCheckMs: 3_600_000,
      });
      h.source = source;
      await source.start();
      return source;
    },
    counters: (id) => h.source!.diagnostics().devices.find((d) => d.deviceId === id)!,
  };
  beforeEach(async () => {
    h.clock = fakeClock();
    h.readings = [];
    h.statuses = [];
    h.logLines = [];
    h.broker = createEmbeddedBroker({
      host: '127.0.0.1', port: 0, access: createDeviceAccess(sourceSite.mqttDevices, gatewayLogin), maxPayloadBytes: SITE_MAX_PAYLOAD, clock: h.clock, logger: silentLogger,
    });
    h.url = `mqtt://127.0.0.1:${(await h.broker.start()).mqtt}`;
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.endAsync(true)));
    await h.source?.stop();
    h.source = undefined;
    await h.broker.stop();
  });
  return h;
}
