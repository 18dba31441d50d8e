// The embedded broker's other doors: MQTT over TLS (cert/key files) and MQTT over websocket, with the same
// login and ACL as plain TCP; and the source's own payload limit when a broker lets a large message through.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultProfilesDir, parseSite } from '../../src/config/load.ts';
import { loadProfiles } from '../../src/devices/profiles.ts';
import { createDeviceAccess } from '../../src/broker/device-access.ts';
import { createEmbeddedBroker, type BrokerPorts, type EmbeddedBroker } from '../../src/broker/embedded-broker.ts';
import { createMqttSource, type MqttSource } from '../../src/sources/mqtt/mqtt-source.ts';
import type { Reading } from '../../src/core/reading.ts';
import { systemClock } from '../../src/core/clock.ts';
import { silentLogger } from '../../src/core/logger.ts';
import { connackCode, connectMqtt } from '../helpers/mqtt.ts';
import { realPart } from '../helpers/real-parts.ts';
import { waitFor } from '../helpers/wait.ts';

const openssl = realPart('openssl', existsSync('/usr/bin/openssl'), 'apt-get install openssl');
const site = parseSite('t.yaml', `
site: { id: t, name: { en: T, zh-CN: T }, demo: true }
broker: { embedded: { port: 0 } }
rooms: [{ id: fire, kind: fire-control, name: { en: F, zh-CN: F } }]
devices:
  - { id: di, room: fire, profile: generic-json-alarm, connection: { type: mqtt, topicId: di-1, username: plc, password: plc-pw } }
users: [{ username: duty, displayName: D, role: duty, password: duty }]
`, loadProfiles(defaultProfilesDir));
const gateway = { username: 'roomwatch-gateway', password: 'gw-pw' };

describe.skipIf(openssl.skip)('embedded broker over TLS and websocket', () => {
  let dir: string;
  let broker: EmbeddedBroker;
  let ports: BrokerPorts;
  let source: MqttSource;
  const readings: Reading[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'roomwatch-tls-'));
    execFileSync('/usr/bin/openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=localhost', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], { stdio: 'pipe' });
    broker = createEmbeddedBroker({
      host: '127.0.0.1', port: 0, tls: { port: 0, cert: readFileSync(join(dir, 'cert.pem')), key: readFileSync(join(dir, 'key.pem')) }, websocket: { port: 0 },
      access: createDeviceAccess(site.mqttDevices, gateway), maxPayloadBytes: 16 * 1024, clock: systemClock, logger: silentLogger,
    });
    ports = await broker.start();
    // The source's own limit is lower than the broker's here, as with an external broker that allows more.
    source = createMqttSource({ devices: site.mqttDevices, url: `mqtt://127.0.0.1:${ports.mqtt}`, ...gateway, clientId: 'gw', maxPayloadBytes: 200, clock: systemClock, logger: silentLogger, emit: (rs) => readings.push(...rs), onStatus: () => {} });
    await source.start();
  });
  afterAll(async () => {
    await source?.stop();
    await broker?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a device publishes over TLS with its credentials; anonymous TLS clients are refused', async () => {
    const ca = readFileSync(join(dir, 'cert.pem'));
    const c = await connectMqtt(`mqtts://localhost:${ports.tls}`, { username: 'plc', password: 'plc-pw', clientId: 'tls', ca, servername: 'localhost' });
    await c.publishAsync('roomwatch/di-1/state', '{"alarm":true}', { qos: 1 });
    await waitFor(() => readings.some((r) => r.pointKey === 'di.alarm' && r.value === true), 'reading over TLS');
    await c.endAsync();
    expect(await connackCode(`mqtts://localhost:${ports.tls}`, { clientId: 'anon-tls', ca, servername: 'localhost' })).toBe(5);
  });

  it('a device publishes over websocket; a wrong password there is refused too', async () => {
    const c = await connectMqtt(`ws://127.0.0.1:${ports.websocket}`, { username: 'plc', password: 'plc-pw', clientId: 'ws' });
    await c.publishAsync('roomwatch/di-1/state', '{"alarm":0}', { qos: 1 });
    await waitFor(() => readings.at(-1)?.pointKey === 'di.alarm' && readings.at(-1)?.value === false, 'reading over websocket');
    await c.endAsync();
    expect(await connackCode(`ws://127.0.0.1:${ports.websocket}`, { username: 'plc', password: 'nope', clientId: 'ws-bad' })).toBe(4);
  });

  it('the gateway reaches an external broker over mqtts:// with the site\'s CA file (broker.external.ca)', async () => {
    const { createMqttPart } = await import('../../src/sources/mqtt/mqtt-part.ts');
    const external = parseSite(join(dir, 'site.yaml'), `
site: { id: ext, name: { en: E, zh-CN: E }, demo: true }
broker: { external: { url: "mqtts://localhost:${ports.tls}", username: roomwatch-gateway, password: gw-pw, clientId: ext-gw, ca: cert.pem } }
rooms: [{ id: fire, kind: fire-control, name: { en: F, zh-CN: F } }]
devices:
  - { id: di, room: fire, profile: generic-json-alarm, connection: { type: mqtt, topicId: di-1, username: plc, password: plc-pw } }
users: [{ username: duty, displayName: D, role: duty, password: duty }]
`, loadProfiles(defaultProfilesDir));
    const got: Reading[] = [];
    const part = createMqttPart({ site: external, clock: systemClock, logger: silentLogger, emit: (rs) => got.push(...rs), onStatus: () => {} });
    await part.start();
    try {
      expect(part.diagnostics()).toMatchObject({ broker: 'external', connected: true });
      const c = await connectMqtt(`mqtt://127.0.0.1:${ports.mqtt}`, { username: 'plc', password: 'plc-pw', clientId: 'plain-dev' });
      await c.publishAsync('roomwatch/di-1/state', '{"alarm":"ALARM"}', { qos: 1 });
      await waitFor(() => got.some((r) => r.pointKey === 'di.alarm' && r.value === true), 'reading through the TLS client');
      await c.endAsync();
    } finally {
      await part.stop();
    }
  });

  it("a payload over the source's own limit is malformed, counted, and not decoded", async () => {
    const c = await connectMqtt(`mqtt://127.0.0.1:${ports.mqtt}`, { username: 'plc', password: 'plc-pw', clientId: 'big' });
    const before = readings.length;
    await c.publishAsync('roomwatch/di-1/state', JSON.stringify({ alarm: true, pad: 'x'.repeat(300) }), { qos: 1 });
    const d = await waitFor(() => source.diagnostics().devices.find((x) => x.malformed > 0), 'oversize counted');
    expect(d.lastError).toMatch(/payload of \d+ bytes is over the limit of 200/);
    expect(readings.length).toBe(before);
    await c.endAsync();
  });
});

describe('many devices on a small packet limit', () => {
  it('the gateway subscribes to 400 devices (its SUBSCRIBE packets are not limited like a device\'s) and hears the last one', async () => {
    const many = parseSite('many.yaml', `
site: { id: many, name: { en: M, zh-CN: M }, demo: true }
broker: { embedded: { port: 0 } }
rooms: [{ id: fire, kind: fire-control, name: { en: F, zh-CN: F } }]
devices:
${Array.from({ length: 400 }, (_, i) => `  - { id: di-${i}, room: fire, profile: generic-json-alarm, connection: { type: mqtt, topicId: a-rather-long-topic-id-for-device-${i}, username: plc-${i}, password: pw-${i} } }`).join('\n')}
users: [{ username: duty, displayName: D, role: duty, password: duty }]
`, loadProfiles(defaultProfilesDir));
    const b = createEmbeddedBroker({ host: '127.0.0.1', port: 0, access: createDeviceAccess(many.mqttDevices, gateway), maxPayloadBytes: 64, clock: systemClock, logger: silentLogger });
    const url = `mqtt://127.0.0.1:${(await b.start()).mqtt}`;
    const got: Reading[] = [];
    const s = createMqttSource({ devices: many.mqttDevices, url, ...gateway, clientId: 'gw', maxPayloadBytes: 64, clock: systemClock, logger: silentLogger, emit: (rs) => got.push(...rs), onStatus: () => {} });
    try {
      await s.start();
      const c = await connectMqtt(url, { username: 'plc-399', password: 'pw-399', clientId: 'last' });
      // A device's own SUBSCRIBE over 64 KiB is stopped at its header and counted.
      const filters = Object.fromEntries(Array.from({ length: 3000 }, (_, i) => [`roomwatch/a-rather-long-topic-id-for-device-399/state/${i}`, { qos: 0 as const }]));
      await c.publishAsync('roomwatch/a-rather-long-topic-id-for-device-399/state', '{"alarm":true}', { qos: 1 });
      await waitFor(() => got.some((r) => r.pointKey === 'di-399.alarm' && r.value === true), 'the last device heard');
      c.subscribe(filters);
      await waitFor(() => b.stats().of('plc-399').oversize === 1, 'oversize SUBSCRIBE counted');
      expect(s.diagnostics().connected).toBe(true);
      c.end(true);
    } finally {
      await s.stop();
      await b.stop();
    }
  });
});
