// Interop with tools we did not write: Debian Mosquitto as the external broker, with the ACL file Roomwatch
// generates from the site config (src/broker/mosquitto-acl.ts) and a password file made by mosquitto_passwd;
// Debian mosquitto_pub publishes real payloads of every device family. Same behaviour as the embedded broker:
// anonymous and wrong-topic publishes are refused by the broker, oversize packets too, malformed payloads are
// counted by the gateway, a retained state before start is the current state, LWT → offline. The refusals
// Mosquitto logs on $SYS/broker/log (broker.external.brokerLog) are counted in GET /api/diagnostics/mqtt.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultProfilesDir, parseSite } from '../../src/config/load.ts';
import { loadProfiles } from '../../src/devices/profiles.ts';
import { mosquittoAcl } from '../../src/broker/mosquitto-acl.ts';
import { createMosquittoLog } from '../../src/broker/mosquitto-log.ts';
import { systemClock } from '../../src/core/clock.ts';
import { createLogger } from '../../src/core/logger.ts';
import type { DeviceStatus } from '../../src/core/bus.ts';
import type { Reading } from '../../src/core/reading.ts';
import { startTestGateway, testSiteYaml, type TestGateway } from '../helpers/gateway.ts';
import { mosquittoAvailable, mosquittoPub, startMosquitto, type Mosquitto } from '../helpers/mosquitto.ts';
import { realPart } from '../helpers/real-parts.ts';
import { freePort } from '../helpers/ports.ts';
import { waitFor } from '../helpers/wait.ts';

const mosquitto = realPart('mosquitto', mosquittoAvailable(), 'apt-get install mosquitto mosquitto-clients');

const devices: [id: string, profile: string, topicId: string, username: string, password: string, extra?: string][] = [
  ['g2', 'shelly-gen2-fire-input', 'shellyplusi4-aabbcc', 'shelly-g2', 'pw-g2'],
  ['g1', 'shelly-gen1-fire-input', 'shellyi3-AABBCC', 'shelly-g1', 'pw-g1'],
  ['tas', 'tasmota-fire-switch', 'fire_contact', 'tasmota', 'pw-tas', ', simulate: true'],
  ['smoke', 'z2m-smoke-sensor', 'ups_room_smoke', 'z2m', 'pw-z2m'],
  ['door', 'z2m-contact-sensor', 'cctv_door', 'z2m', 'pw-z2m'],
  ['leak', 'z2m-water-leak-sensor', 'pump_leak', 'z2m', 'pw-z2m'],
  ['cam', 'frigate-camera', 'gate', 'frigate', 'pw-frigate'],
  ['dahua', 'dahua-bridge-camera', '3', 'dahua', 'pw-dahua'],
  ['di', 'generic-json-alarm', 'di-1', 'plc', 'pw-plc'],
];

describe.skipIf(mosquitto.skip)('MQTT through Debian Mosquitto as external broker', () => {
  let broker: Mosquitto;
  let gw: TestGateway;
  const readings: Reading[] = [];
  const statuses: DeviceStatus[] = [];
  const last = (key: string): Reading | undefined => readings.filter((r) => r.pointKey === key).at(-1);
  const pub = (user: string, topic: string, payload: string, ...more: string[]) => {
    const d = devices.find((x) => x[3] === user)!;
    return mosquittoPub(broker.port, ['-u', user, '-P', d[4], '-t', topic, '-m', payload, ...more]);
  };

  beforeAll(async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'roomwatch-mosq-'));
    const yaml = (await testSiteYaml({ dataDir, extra: 'broker: { external: { url: "mqtt://127.0.0.1:PORT", username: roomwatch-gw, password: gw-secret, clientId: rw-test, brokerLog: mosquitto } }\n' }))
      .replace('rooms:\n', 'rooms:\n  - { id: fire, kind: fire-control, name: { en: Fire control, zh-CN: 消防控制室 } }\n')
      .replace('devices:\n', `devices:\n${devices.map(([id, profile, topicId, username, password, extra]) => `  - { id: ${id}, room: fire, profile: ${profile}, connection: { type: mqtt, topicId: "${topicId}", username: ${username}, password: ${password} }${extra ?? ''} }\n`).join('')}`);
    const site = parseSite('acl.yaml', yaml, loadProfiles(defaultProfilesDir));
    const users = [...new Map(devices.map((d) => [d[3], { username: d[3], password: d[4] }])).values(), { username: 'roomwatch-gw', password: 'gw-secret' }];
    const acl = mosquittoAcl(site, 'roomwatch-gw');
    expect(acl).toContain('user roomwatch-gw\n');
    expect(acl.slice(acl.indexOf('user roomwatch-gw\n'))).toContain('topic read $SYS/broker/log/#\n');
    broker = await startMosquitto({ users, acl, maxPacketSize: 2048, logTopic: true });
    // A retained state from before the gateway starts is the current state (MQTT 3.1.1 §3.3.1.3).
    expect((await pub('z2m', 'zigbee2mqtt/pump_leak', '{"water_leak":true,"battery":80}', '-r')).status).toBe(0);
    gw = await startTestGateway({ yaml: yaml.replace('PORT', String(broker.port)), dataDir });
    gw.gateway.bus.on('readings', 'test', (rs) => readings.push(...rs));
    gw.gateway.bus.on('deviceStatus', 'test', (s) => statuses.push(s));
  });
  afterAll(async () => {
    await gw?.dispose();
    await broker?.stop();
  });

  it('the retained water-leak state published before start is the current state', async () => {
    await waitFor(() => last('leak.waterLeak'), 'retained leak state');
    expect(last('leak.waterLeak')).toMatchObject({ value: true, quality: 'good' });
  });

  it('decodes mosquitto_pub payloads of every family', async () => {
    const cases: [user: string, topic: string, payload: string, key: string, value: boolean][] = [
      ['shelly-g2', 'shellyplusi4-aabbcc/status/input:0', '{"id":0,"state":true}', 'g2.fireAlarm', true],
      ['shelly-g2', 'shellyplusi4-aabbcc/events/rpc', '{"src":"shellyplusi4-aabbcc","dst":"shellyplusi4-aabbcc/events","method":"NotifyStatus","params":{"ts":1736603810.49,"input:1":{"id":1,"state":true}}}', 'g2.fault', true],
      ['shelly-g1', 'shellies/shellyi3-AABBCC/input/0', '1', 'g1.fireAlarm', true],
      ['tasmota', 'stat/fire_contact/RESULT', '{"Switch1":{"Action":"ON"}}', 'tas.fireAlarm', true],
      ['tasmota', 'tele/fire_contact/SENSOR', '{"Time":"2026-11-23T10:00:00","Switch1":"OFF","Switch2":"ON"}', 'tas.fault', true],
      ['z2m', 'zigbee2mqtt/ups_room_smoke', '{"smoke":true,"tamper":false,"battery_low":false,"battery":96,"linkquality":92}', 'smoke.smoke', true],
      ['z2m', 'zigbee2mqtt/cctv_door', '{"contact":false,"tamper":false}', 'door.open', true],
      ['frigate', 'frigate/events', '{"type":"new","before":{"camera":"gate","label":"person"},"after":{"camera":"gate","label":"person","score":0.9}}', 'cam.intrusion', true],
      // docs.frigate.video/integrations/mqtt, frigate/reviews: a review upgraded to an alert.
      ['frigate', 'frigate/reviews', '{"type":"update","before":{"id":"1718987129.308396-fqk5ka","camera":"gate","start_time":1718987129.308396,"end_time":null,"severity":"detection","thumb_path":"/media/frigate/clips/review/thumb-gate-1718987129.308396-fqk5ka.webp","data":{"detections":["1718987128.947436-g92ztx"],"objects":["person"],"sub_labels":[],"zones":[],"audio":[]}},"after":{"id":"1718987129.308396-fqk5ka","camera":"gate","start_time":1718987129.308396,"end_time":null,"severity":"alert","thumb_path":"/media/frigate/clips/review/thumb-gate-1718987129.308396-fqk5ka.webp","data":{"detections":["1718987128.947436-g92ztx"],"objects":["person"],"sub_labels":[],"zones":["front_yard"],"audio":[]}}}', 'cam.reviewAlert', true],
      ['dahua', 'cameras/3/VideoLoss', 'Start', 'dahua.videoLoss', true],
      ['plc', 'roomwatch/di-1/state', '{"alarm":"ALARM"}', 'di.alarm', true],
    ];
    for (const [user, topic, payload, key, value] of cases) {
      const { status, stderr } = await pub(user, topic, payload);
      expect(status, stderr).toBe(0);
      await waitFor(() => last(key)?.value === value, `${key} = ${value} from ${topic}`);
      expect(last(key)!.quality).toBe('good');
    }
  });

  it('Mosquitto refuses anonymous clients, wrong passwords, and publishes outside the ACL; its log counts the refused logins', async () => {
    // The gateway hears Mosquitto's log (its start-up probe came back): counts are numbers, not null.
    const heard = await waitFor(() => gw.gateway.mqtt!.diagnostics().refusedTotal, 'mosquitto log heard');
    expect(heard).toEqual({ anonymous: null, badCredentials: 0, publishDenied: null, oversize: 0, subscribeDenied: null, clientIdTaken: null, tooManyConnections: null });
    // Shelly Gen1's client logs in once, then again with a wrong password (a rotated password on the broker).
    await pub('shelly-g1', 'shellies/shellyi3-AABBCC/input/0', '0', '-i', 'g1-client');
    expect((await mosquittoPub(broker.port, ['-t', 'shellies/shellyi3-AABBCC/input/0', '-m', '1'])).status).not.toBe(0);
    expect((await mosquittoPub(broker.port, ['-i', 'g1-client', '-u', 'shelly-g1', '-P', 'wrong', '-t', 'shellies/shellyi3-AABBCC/input/0', '-m', '1'])).status).not.toBe(0);
    const total = await waitFor(() => gw.gateway.mqtt!.diagnostics().refusedTotal?.badCredentials === 2 && gw.gateway.mqtt!.diagnostics(), 'two refused logins counted');
    // Mosquitto logs a refused login without its username; only a named client id that logged in before is the
    // device's. Debian 12's 2.0.11 logs `Client <unknown>`, so there the refusal is in the total only.
    const named = broker.log().includes('Client g1-client disconnected, not authorised.');
    expect(total.devices.find((d) => d.deviceId === 'g1')!.refused).toEqual({ anonymous: null, badCredentials: named ? 1 : 0, publishDenied: null, oversize: 0, subscribeDenied: null, clientIdTaken: null, tooManyConnections: null });
    const before = readings.filter((r) => r.deviceId === 'g2').length;
    // Shelly Gen1's user writing Shelly Gen2's topic, and $SYS.
    await pub('shelly-g1', 'shellyplusi4-aabbcc/status/input:0', '{"id":0,"state":false}');
    await pub('shelly-g1', '$SYS/broker/uptime', '1');
    await waitFor(() => (broker.log().match(/Denied PUBLISH from/g) ?? []).length >= 2, 'two denied publishes in the mosquitto log');
    // ...at debug level, which Mosquitto never publishes on its log topics: not countable, so null, not 0.
    expect(gw.gateway.mqtt!.diagnostics().refusedTotal!.publishDenied).toBeNull();
    // A later allowed message arrives, so the denied one had its chance and did not.
    await pub('shelly-g1', 'shellies/shellyi3-AABBCC/input/0', '0');
    await waitFor(() => last('g1.fireAlarm')?.value === false, 'allowed message after the denied ones');
    expect(readings.filter((r) => r.deviceId === 'g2').length).toBe(before);
  });

  it("an oversize payload is refused by the broker and counted for the device's login; a malformed one is counted by the gateway", async () => {
    await pub('plc', 'roomwatch/di-1/state', JSON.stringify({ alarm: false, pad: 'x'.repeat(4000) }));
    // Mosquitto names the client it cut off; its login line a moment before gave the client's username.
    const di = await waitFor(() => gw.gateway.mqtt!.diagnostics().devices.find((x) => x.deviceId === 'di' && x.refused?.oversize === 1), 'oversize counted for plc');
    expect(di.refused!.badCredentials).toBe(0);
    expect(gw.gateway.mqtt!.diagnostics().refusedTotal!.oversize).toBe(1);
    await pub('plc', 'roomwatch/di-1/state', '{"alarm": maybe');
    const d = await waitFor(() => gw.gateway.mqtt!.diagnostics().devices.find((x) => x.deviceId === 'di' && x.malformed >= 1), 'malformed counted');
    expect(d.lastError).toMatch(/not JSON/);
    expect(last('di.alarm')!.value).toBe(true); // the oversize "alarm: false" never arrived
    expect(gw.gateway.mqtt!.diagnostics().broker).toBe('external');
  });

  it('Zigbee2MQTT 1.x plain-text bridge/state through Mosquitto: offline makes every Zigbee device comm-lost, online brings them back', async () => {
    const latest = (id: string): boolean | undefined => statuses.filter((x) => x.deviceId === id).at(-1)?.online;
    expect((await pub('z2m', 'zigbee2mqtt/bridge/state', 'offline', '-r')).status).toBe(0);
    await waitFor(() => ['smoke', 'door', 'leak'].every((id) => latest(id) === false), 'every Zigbee device offline with its bridge');
    expect(last('smoke.smoke')).toMatchObject({ quality: 'comm_lost', value: null });
    expect(latest('tas')).not.toBe(false); // not behind the bridge
    expect((await pub('z2m', 'zigbee2mqtt/bridge/state', 'online', '-r')).status).toBe(0);
    await waitFor(() => ['smoke', 'door', 'leak'].every((id) => latest(id) === true), 'every Zigbee device back with its bridge');
    expect(statuses.filter((x) => x.deviceId === 'smoke').at(-1)!.detail).toBe('zigbee2mqtt/bridge/state = online');
  });

  it('a simulated Tasmota whose connection drops: Mosquitto publishes its LWT, the device goes offline', async () => {
    const sim = gw.gateway.mqttSimulators.get('tas')!;
    await sim.goOffline();
    await waitFor(() => statuses.find((s) => s.deviceId === 'tas' && !s.online), 'tasmota offline');
    expect(last('tas.fireAlarm')).toMatchObject({ quality: 'comm_lost', value: null });
    await sim.comeBack();
    await waitFor(() => statuses.filter((s) => s.deviceId === 'tas').at(-1)?.online === true, 'tasmota online');
  });
});

describe.skipIf(mosquitto.skip)('Mosquitto without its log on topics', () => {
  it('the log reader warns (its probe login never shows up) and counts nothing: refusals stay null, not 0', async () => {
    const broker = await startMosquitto({ users: [{ username: 'gw', password: 'gw-pw' }], acl: 'user gw\ntopic read $SYS/broker/log/#\n', maxPacketSize: 2048 });
    const lines: { level: string; msg: string }[] = [];
    const log = createMosquittoLog({
      url: broker.url, username: 'gw', password: 'gw-pw', clientId: 'rw-nolog', clock: systemClock, probeTimeoutMs: 500,
      logger: createLogger('debug', {}, (l) => lines.push(JSON.parse(l) as { level: string; msg: string })),
    });
    try {
      await log.start();
      const warned = await waitFor(() => lines.find((l) => l.level === 'warn'), 'the warning');
      expect(warned.msg).toMatch(/^mosquitto log not received: .*log_dest topic and log_type notice.*topic read \$SYS\/broker\/log\/#/);
      await mosquittoPub(broker.port, ['-u', 'gw', '-P', 'wrong', '-t', 'x', '-m', '1']);
      expect(log.stats()).toBeNull();
    } finally {
      await log.stop();
      await broker.stop();
    }
  });
});


describe.skipIf(mosquitto.skip)('Mosquitto that starts after the gateway', () => {
  it('the log reader does not fail the start: it says once that it cannot reach the broker, then connects and counts refusals', async () => {
    const port = await freePort();
    const lines: { level: string; msg: string }[] = [];
    const log = createMosquittoLog({
      url: `mqtt://127.0.0.1:${port}`, username: 'gw', password: 'gw-pw', clientId: 'rw-late', clock: systemClock, probeTimeoutMs: 10_000,
      logger: createLogger('debug', {}, (l) => lines.push(JSON.parse(l) as { level: string; msg: string })),
    });
    let broker: Mosquitto | undefined;
    try {
      await log.start();
      await waitFor(() => lines.find((l) => l.msg.startsWith('mosquitto log reader cannot reach the broker')), 'the unreachable warning');
      broker = await startMosquitto({ port, users: [{ username: 'gw', password: 'gw-pw' }], acl: 'user gw\ntopic read $SYS/broker/log/#\n', maxPacketSize: 2048, logTopic: true });
      await waitFor(() => lines.find((l) => l.msg === 'mosquitto log received: counting broker refusals'), 'the probe seen in the log');
      expect(lines.filter((l) => l.msg.startsWith('mosquitto log reader cannot reach the broker'))).toHaveLength(1);
      await mosquittoPub(broker.port, ['-u', 'gw', '-P', 'wrong', '-t', 'x', '-m', '1']);
      await waitFor(() => (log.stats()?.total.badCredentials ?? 0) >= 1, 'the refusal counted');
    } finally {
      await log.stop();
      await broker?.stop();
    }
  });
});
