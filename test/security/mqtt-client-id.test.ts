// Issue 13 High 2 / issue 12 §3: MQTT client-id takeover on the real embedded aedes broker. MQTT 3.1.1 §3.1.4 lets
// a CONNECT with a connected client's id take over its session: the broker closes the holder and fires its will.
// Before: device B's login connecting with device A's client id knocked A off, A's will marked it offline and a
// comm-loss alarm was raised; nothing was counted. After: client ids are bound to their login; the clash is a
// refused (CONNACK 2), counted connection and A never notices. Also: connections per login are limited and counted.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MqttClient } from 'mqtt';
import { routes, type AlarmView, type MqttDiagnosticsView } from '../../src/contract/api.ts';
import type { DeviceStatus } from '../../src/core/bus.ts';
import type { Reading } from '../../src/core/reading.ts';
import { startTestGateway, testSiteYaml, type TestGateway } from '../helpers/gateway.ts';
import { api, login } from '../helpers/console-client.ts';
import { connackCode, connectMqtt } from '../helpers/mqtt.ts';
import { waitFor } from '../helpers/wait.ts';

const IDENTIFIER_REJECTED = 2;
const NOT_AUTHORIZED = 5;

describe('MQTT client ids are bound to their login (embedded aedes)', () => {
  let gw: TestGateway;
  let url: string;
  let cookie: string;
  const readings: Reading[] = [];
  const statuses: DeviceStatus[] = [];
  const open: MqttClient[] = [];
  const diagnostics = async (): Promise<MqttDiagnosticsView> => (await api<MqttDiagnosticsView>(gw.url, cookie, routes.mqttDiagnostics)).body;
  const refusedOf = async (deviceId: string) => (await diagnostics()).devices.find((d) => d.deviceId === deviceId)!.refused!;
  const last = (key: string): Reading | undefined => readings.filter((r) => r.pointKey === key).at(-1);

  /** Device A as real Tasmota firmware connects: its will is LWT Offline (retained), then it announces Online. */
  const tasmota = async (clientId: string): Promise<MqttClient> => {
    const c = await connectMqtt(url, {
      username: 'fc-tasmota', password: 'tasmota-pw', clientId,
      will: { topic: 'tele/fire_contact_2/LWT', payload: Buffer.from('Offline'), qos: 1, retain: true },
    });
    open.push(c);
    await c.publishAsync('tele/fire_contact_2/LWT', 'Online', { qos: 1, retain: true });
    return c;
  };

  beforeAll(async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'roomwatch-clientid-'));
    const yaml = (await testSiteYaml({ dataDir }))
      .replace('rooms:\n', 'rooms:\n  - { id: fire-control, kind: fire-control, name: { en: Fire control room, zh-CN: 消防控制室 } }\n')
      .replace('devices:\n', `devices:
  - { id: fc-tasmota, room: fire-control, profile: tasmota-fire-switch, connection: { type: mqtt, topicId: fire_contact_2, username: fc-tasmota, password: tasmota-pw } }
  - { id: fc-shelly, room: fire-control, profile: shelly-gen2-fire-input, connection: { type: mqtt, topicId: shellyplusi4-fc01, username: fc-shelly, password: shelly-pw } }
  - { id: fc-pinned, room: fire-control, profile: shelly-gen2-fire-input, connection: { type: mqtt, topicId: shellyplusi4-fc02, username: fc-pinned, password: pinned-pw, clientId: shellyplusi4-fc02 } }
`) + `
broker:
  embedded: { host: 127.0.0.1, port: 0 }
  maxConnectionsPerLogin: 2
`;
    gw = await startTestGateway({ yaml });
    gw.gateway.bus.on('readings', 'test', (rs) => readings.push(...rs));
    gw.gateway.bus.on('deviceStatus', 'test', (s) => statuses.push(s));
    url = `mqtt://127.0.0.1:${gw.gateway.brokerPort}`;
    cookie = (await login(gw.url, 'duty', 'duty')).cookie;
  });
  afterAll(async () => {
    await Promise.all(open.map((c) => c.endAsync(true)));
    await gw?.dispose();
  });

  it("device B's login with device A's client id is refused and counted; A stays connected, its will unsent, no comm-loss alarm", async () => {
    const a = await tasmota('DVES_4F1A2B');
    await a.publishAsync('stat/fire_contact_2/RESULT', '{"Switch1":{"Action":"OFF"}}', { qos: 1 });
    await waitFor(() => last('fc-tasmota.fireAlarm')?.quality === 'good', 'A heard');
    const statusesBefore = statuses.length;

    expect(await connackCode(url, { username: 'fc-shelly', password: 'shelly-pw', clientId: 'DVES_4F1A2B' })).toBe(IDENTIFIER_REJECTED);

    // A is still the holder of its session: a QoS 1 round trip on its own connection, heard by the gateway.
    await a.publishAsync('stat/fire_contact_2/RESULT', '{"Switch2":{"Action":"OFF"}}', { qos: 1 });
    await waitFor(() => last('fc-tasmota.fault')?.quality === 'good', 'A heard after the attempt');
    expect(a.connected).toBe(true);
    expect(statuses.slice(statusesBefore).filter((s) => s.deviceId === 'fc-tasmota' && !s.online)).toEqual([]);
    expect(readings.filter((r) => r.deviceId === 'fc-tasmota' && r.quality === 'comm_lost')).toEqual([]);
    const alarms = (await api<AlarmView[]>(gw.url, cookie, routes.alarms)).body;
    expect(alarms.filter((al) => al.pointKey === 'fc-tasmota')).toEqual([]);
    // Counted for the login that tried, visible to an admin through the diagnostics API.
    expect((await refusedOf('fc-shelly')).clientIdTaken).toBe(1);
    expect((await refusedOf('fc-tasmota')).clientIdTaken).toBe(0);
  });

  it("A's client id stays A's while A is away: B is refused then too, and A gets it back", async () => {
    const a = open.find((c) => c.options.clientId === 'DVES_4F1A2B')!;
    await a.endAsync();
    expect(await connackCode(url, { username: 'fc-shelly', password: 'shelly-pw', clientId: 'DVES_4F1A2B' })).toBe(IDENTIFIER_REJECTED);
    const back = await tasmota('DVES_4F1A2B');
    expect(back.connected).toBe(true);
    expect((await refusedOf('fc-shelly')).clientIdTaken).toBe(2);
  });

  it('a client id the config pins to a login: nobody else may use it, even before its device ever connected; that login only it', async () => {
    expect(await connackCode(url, { username: 'fc-shelly', password: 'shelly-pw', clientId: 'shellyplusi4-fc02' })).toBe(IDENTIFIER_REJECTED);
    expect(await connackCode(url, { username: 'fc-pinned', password: 'pinned-pw', clientId: 'some-other-id' })).toBe(IDENTIFIER_REJECTED);
    expect(await connackCode(url, { username: 'fc-pinned', password: 'pinned-pw', clientId: 'shellyplusi4-fc02' })).toBe(0);
    expect((await refusedOf('fc-pinned')).clientIdTaken).toBe(1);
    expect((await refusedOf('fc-shelly')).clientIdTaken).toBe(3);
  });

  it('a device may not use the gateway listener nor the gateway client id', async () => {
    const ports = gw.gateway.mqtt!.brokerPorts!;
    expect(await connackCode(`mqtt://127.0.0.1:${ports.gateway}`, { username: 'fc-shelly', password: 'shelly-pw', clientId: 'sneaky' })).toBe(NOT_AUTHORIZED);
    expect(await connackCode(url, { username: 'fc-shelly', password: 'shelly-pw', clientId: 'roomwatch-test-site' })).toBe(IDENTIFIER_REJECTED);
    expect(gw.gateway.mqtt!.diagnostics().connected).toBe(true);
  });

  it('connections per login are limited (maxConnectionsPerLogin: 2): the third is refused and counted; a reconnect with a held id is not a new one', async () => {
    const first = await connectMqtt(url, { username: 'fc-shelly', password: 'shelly-pw', clientId: 'shelly-1' });
    const second = await connectMqtt(url, { username: 'fc-shelly', password: 'shelly-pw', clientId: 'shelly-2' });
    open.push(first, second);
    expect(await connackCode(url, { username: 'fc-shelly', password: 'shelly-pw', clientId: 'shelly-3' })).toBe(NOT_AUTHORIZED);
    expect((await refusedOf('fc-shelly')).tooManyConnections).toBe(1);
    // The same device reconnecting (its old socket half-open) takes its own session over, as MQTT says.
    const again = await connectMqtt(url, { username: 'fc-shelly', password: 'shelly-pw', clientId: 'shelly-2' });
    open.push(again);
    expect(again.connected).toBe(true);
    expect((await diagnostics()).refusedTotal).toMatchObject({ tooManyConnections: 1 });
  });
});
