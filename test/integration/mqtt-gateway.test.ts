// The MQTT half end to end on the embedded aedes broker: simulated devices log in with their demo credentials
// and publish real payload shapes; the source decodes them into readings; refusals (anonymous, wrong password,
// another device's topic, $SYS, oversize) are refused AND counted; malformed payloads are counted and visible
// through GET /api/diagnostics/mqtt; LWT → deviceStatus offline and comm_lost readings; Frigate reviews → A7; a
// normally-closed fire-panel contact (activeWhen: false on the device) raises on opening.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createConnection } from 'node:net';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { routes, type AlarmView, type MqttDiagnosticsView } from '../../src/contract/api.ts';
import type { DeviceStatus } from '../../src/core/bus.ts';
import type { Reading } from '../../src/core/reading.ts';
import { startTestGateway, testSiteYaml, type TestGateway } from '../helpers/gateway.ts';
import { api, login } from '../helpers/console-client.ts';
import { closed, connackCode, connectMqtt } from '../helpers/mqtt.ts';
import { waitFor } from '../helpers/wait.ts';

const mqttPart = `
broker:
  embedded: { host: 127.0.0.1, port: 0 }
  maxPayloadBytes: 1024
simulators: { controlPort: 0 }
`;

describe('MQTT on the embedded broker', () => {
  let gw: TestGateway;
  let url: string;
  const readings: Reading[] = [];
  const statuses: DeviceStatus[] = [];
  const last = (key: string): Reading | undefined => readings.filter((r) => r.pointKey === key).at(-1);
  const diagnostics = async (cookie: string): Promise<MqttDiagnosticsView> => (await api<MqttDiagnosticsView>(gw.url, cookie, routes.mqttDiagnostics)).body;

  beforeAll(async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'roomwatch-mqtt-'));
    let yaml = await testSiteYaml({ dataDir });
    yaml = yaml.replace('rooms:\n', `rooms:
  - { id: fire-control, kind: fire-control, name: { en: Fire control room, zh-CN: 消防控制室 } }
  - { id: cctv, kind: cctv, name: { en: CCTV room, zh-CN: 监控室 } }
`).replace('devices:\n', `devices:
  - { id: fc-shelly, room: fire-control, profile: shelly-gen2-fire-input, simulate: true, connection: { type: mqtt, topicId: shellyplusi4-fc01, username: fc-shelly, password: shelly-pw } }
  - { id: fc-nc, room: fire-control, profile: shelly-gen2-fire-input, alarms: { fireAlarm: { activeWhen: false } }, connection: { type: mqtt, topicId: shellyplusi4-fc02, username: fc-nc, password: nc-pw } }
  - { id: fc-tasmota, room: fire-control, profile: tasmota-fire-switch, simulate: true, connection: { type: mqtt, topicId: fire_contact_2, username: fc-tasmota, password: tasmota-pw } }
  - { id: fc-smoke, room: fire-control, profile: z2m-smoke-sensor, connection: { type: mqtt, topicId: fc_smoke, username: z2m, password: z2m-pw } }
  - { id: cctv-door, room: cctv, profile: z2m-contact-sensor, connection: { type: mqtt, topicId: cctv_door, username: z2m, password: z2m-pw } }
  - { id: cctv-gate, room: cctv, profile: frigate-camera, simulate: true, connection: { type: mqtt, topicId: gate, username: frigate, password: frigate-pw } }
`) + mqttPart;
    gw = await startTestGateway({ yaml });
    gw.gateway.bus.on('readings', 'test', (rs) => readings.push(...rs));
    gw.gateway.bus.on('deviceStatus', 'test', (s) => statuses.push(s));
    url = `mqtt://127.0.0.1:${gw.gateway.brokerPort}`;
  });
  afterAll(async () => {
    await gw?.dispose();
  });

  it('a simulated Shelly Gen2 contact closing is a good fire-alarm reading; opening clears it', async () => {
    const sim = gw.gateway.mqttSimulators.get('fc-shelly')!;
    await sim.set('fireAlarm', true);
    await waitFor(() => last('fc-shelly.fireAlarm')?.value === true, 'fire alarm true');
    expect(last('fc-shelly.fireAlarm')).toMatchObject({ quality: 'good', roomId: 'fire-control', unit: '' });
    await sim.set('fireAlarm', false);
    await waitFor(() => last('fc-shelly.fireAlarm')?.value === false, 'fire alarm false');
  });

  it('a normally-closed fire-panel output (activeWhen: false on the device): closed is normal, opening raises the fire alarm (issue 12 §3)', async () => {
    const relay = await connectMqtt(url, { username: 'fc-nc', password: 'nc-pw', clientId: 'shellyplusi4-fc02' });
    const input = (state: boolean) => relay.publishAsync('shellyplusi4-fc02/status/input:0', JSON.stringify({ id: 0, state }), { qos: 1 });
    const { cookie } = await login(gw.url, 'duty', 'duty');
    const alarm = async () => (await api<AlarmView[]>(gw.url, cookie, routes.alarms)).body.find((a) => a.pointKey === 'fc-nc.fireAlarm');
    await input(true); // the panel's healthy state: the relay held closed
    await waitFor(() => last('fc-nc.fireAlarm')?.value === true, 'closed contact read');
    expect(await alarm()).toBeUndefined();
    await input(false); // the panel opens the contact on a fire (and a cut wire reads the same)
    const raised = await waitFor(alarm, 'fire alarm raised on the open contact');
    expect(raised).toMatchObject({ rule: 'A4', priority: 'critical', roomId: 'fire-control', state: 'unack_active' });
    await relay.endAsync();
  });

  it('a Z2M bridge with its credentials publishes smoke and contact:false (= open) for two devices', async () => {
    const z2m = await connectMqtt(url, { username: 'z2m', password: 'z2m-pw', clientId: 'z2m-bridge' });
    await z2m.publishAsync('zigbee2mqtt/fc_smoke', '{"smoke":true,"battery_low":false,"battery":96,"linkquality":92}', { qos: 1 });
    await z2m.publishAsync('zigbee2mqtt/cctv_door', '{"contact":false,"tamper":false,"battery_low":false}', { qos: 1 });
    await waitFor(() => last('fc-smoke.smoke')?.value === true && last('cctv-door.open')?.value === true, 'smoke and door open');
    await z2m.endAsync();
  });

  it('refuses anonymous clients and wrong passwords, and counts them', async () => {
    expect(await connackCode(url, { clientId: 'anon' })).toBe(5);
    expect(await connackCode(url, { username: 'fc-shelly', password: 'wrong', clientId: 'bad' })).toBe(4);
    expect(await connackCode(url, { username: 'nobody', password: 'x', clientId: 'nobody' })).toBe(4);
    // A device may not take the gateway's client id: that would take over the gateway's session (§3.1.4).
    expect(await connackCode(url, { username: 'fc-tasmota', password: 'tasmota-pw', clientId: 'roomwatch-test-site' })).toBe(2);
    expect(gw.gateway.mqtt!.diagnostics().connected).toBe(true);
    const { cookie } = await login(gw.url, 'duty', 'duty');
    const d = await diagnostics(cookie);
    expect(d.refusedTotal).toMatchObject({ anonymous: 1, badCredentials: 2, clientIdTaken: 1 });
    expect(d.devices.find((x) => x.deviceId === 'fc-shelly')!.refused!.badCredentials).toBe(1);
  });

  it("drops a device's publish to another device's topic or to $SYS (acknowledged, delivered to nobody), and counts it", async () => {
    const before = readings.filter((r) => r.deviceId === 'fc-tasmota').length;
    const intruder = await connectMqtt(url, { username: 'fc-shelly', password: 'shelly-pw', clientId: 'intruder' });
    await intruder.publishAsync('stat/fire_contact_2/RESULT', '{"Switch1":{"Action":"ON"}}', { qos: 1, retain: true });
    await intruder.publishAsync('$SYS/broker/uptime', '1', { qos: 1 });
    // The client stays connected (MQTT 3.1.1 §3.3.5: acknowledged as usual) and its own topics still work.
    await intruder.publishAsync('shellyplusi4-fc01/status/input:2', '{"id":2,"state":false}', { qos: 1 });
    await waitFor(() => last('fc-shelly.isolated')?.value === false, 'own topic after the dropped ones');
    expect(intruder.connected).toBe(true);
    await intruder.endAsync();
    const { cookie } = await login(gw.url, 'duty', 'duty');
    const d = await diagnostics(cookie);
    expect(d.devices.find((x) => x.deviceId === 'fc-shelly')!.refused!.publishDenied).toBe(2);
    expect(readings.filter((r) => r.deviceId === 'fc-tasmota').length).toBe(before);
    expect(last('fc-tasmota.fireAlarm')?.value).not.toBe(true);
  });

  it('grants a device its own subscriptions only: another device, a wildcard over all, and $SYS get 0x80', async () => {
    const c = await connectMqtt(url, { username: 'fc-shelly', password: 'shelly-pw', clientId: 'subscriber' });
    // mqtt.js rejects a SUBACK holding a failure; its packet has the return code of each filter in order.
    const err = await c.subscribeAsync({ 'shellyplusi4-fc01/rpc': { qos: 1 }, 'stat/fire_contact_2/#': { qos: 1 }, '#': { qos: 1 }, '$SYS/#': { qos: 0 } }).then(
      () => null,
      (e: unknown) => e as { packet?: { granted: number[] } },
    );
    expect(err?.packet?.granted).toEqual([1, 128, 128, 128]);
    await c.endAsync();
    const { cookie } = await login(gw.url, 'duty', 'duty');
    expect((await diagnostics(cookie)).devices.find((x) => x.deviceId === 'fc-shelly')!.refused!.subscribeDenied).toBe(3);
  });

  it('refuses a payload over maxPayloadBytes and counts it as oversize', async () => {
    const c = await connectMqtt(url, { username: 'fc-tasmota', password: 'tasmota-pw', clientId: 'big' });
    const gone = closed(c);
    c.publish('tele/fire_contact_2/SENSOR', JSON.stringify({ Switch1: 'ON', pad: 'x'.repeat(2000) }), { qos: 1 });
    await gone;
    const { cookie } = await login(gw.url, 'duty', 'duty');
    expect((await diagnostics(cookie)).devices.find((x) => x.deviceId === 'fc-tasmota')!.refused!.oversize).toBe(1);
    expect(last('fc-tasmota.fireAlarm')?.value).not.toBe(true);
  });

  it('stops a huge packet at its header, before the broker buffers it: anonymous or logged in, counted once', async () => {
    const { cookie } = await login(gw.url, 'duty', 'duty');
    const before = (await diagnostics(cookie)).refusedTotal!.oversize!;
    // A CONNECT whose fixed header announces 50 MB (MQTT 3.1.1 §2.2.3 Remaining Length: 0x80 0xe8 0xea 0x17).
    const socket = createConnection({ host: '127.0.0.1', port: gw.gateway.brokerPort! });
    await new Promise((ok) => socket.once('connect', ok));
    const gone = new Promise((ok) => socket.once('close', ok));
    socket.on('error', () => {});
    socket.write(Buffer.concat([Buffer.from([0x10, 0x80, 0xe8, 0xea, 0x17]), Buffer.alloc(64 * 1024)]));
    await gone;
    // A logged-in device publishing 8 MB: closed while the packet is still arriving.
    const c = await connectMqtt(url, { username: 'fc-tasmota', password: 'tasmota-pw', clientId: 'huge' });
    const closedC = closed(c);
    c.publish('tele/fire_contact_2/SENSOR', Buffer.alloc(8 * 1024 * 1024, 0x20), { qos: 1 });
    await closedC;
    c.end(true);
    const d = await diagnostics(cookie);
    expect(d.refusedTotal!.oversize).toBe(before + 2);
    expect(d.devices.find((x) => x.deviceId === 'fc-tasmota')!.refused!.oversize).toBe(2); // with the earlier 2 KB one
  });

  it('counts malformed payloads per device with the last error, behind a session', async () => {
    const sim = gw.gateway.mqttSimulators.get('fc-shelly')!;
    await sim.publishGarbage();
    await sim.publishGarbage();
    expect((await api(gw.url, null, routes.mqttDiagnostics)).status).toBe(401);
    const { cookie } = await login(gw.url, 'duty', 'duty');
    const d = await waitFor(async () => {
      const v = (await diagnostics(cookie)).devices.find((x) => x.deviceId === 'fc-shelly')!;
      return v.malformed >= 2 && v;
    }, 'malformed counted');
    expect(d.malformed).toBe(2);
    expect(d.lastError).toMatch(/^shellyplusi4-fc01\/status\/input:0: not JSON/);
    expect(d.lastMessageAt).not.toBeNull();
    // The gateway is still fine: the next good message decodes.
    await sim.set('fault', true);
    await waitFor(() => last('fc-shelly.fault')?.value === true, 'fault after garbage');
  });

  it('a dropped connection fires the LWT: device offline, its points comm_lost; back online when it returns', async () => {
    const sim = gw.gateway.mqttSimulators.get('fc-tasmota')!;
    await sim.goOffline();
    const off = await waitFor(() => statuses.find((s) => s.deviceId === 'fc-tasmota' && !s.online), 'offline status');
    expect(off.detail).toContain('tele/fire_contact_2/LWT = Offline');
    await waitFor(() => last('fc-tasmota.fireAlarm')?.quality === 'comm_lost', 'comm_lost reading');
    expect(last('fc-tasmota.fireAlarm')!.value).toBeNull();
    await sim.comeBack();
    await waitFor(() => statuses.filter((s) => s.deviceId === 'fc-tasmota').at(-1)?.online === true, 'online again');
    await waitFor(() => last('fc-tasmota.fireAlarm')?.quality === 'good', 'good reading again');
  });

  it('Frigate reviews: an alert review in the documented shape raises the A7 alarm, with its evidence reference, guards dispatched to it and where the recording is kept, until its end; a detection review does not', async () => {
    // Shapes from docs.frigate.video/integrations/mqtt (frigate/reviews), published by the NVR's own login.
    const nvr = await connectMqtt(url, { username: 'frigate', password: 'frigate-pw', clientId: 'frigate-nvr' });
    const seg = (severity: string, endTime: number | null) => ({
      id: '1718987129.308396-fqk5ka', camera: 'gate', start_time: 1718987129.308396, end_time: endTime, severity,
      thumb_path: '/media/frigate/clips/review/thumb-gate-1718987129.308396-fqk5ka.webp',
      data: { detections: ['1718987128.947436-g92ztx'], objects: ['person'], sub_labels: [], zones: ['front_yard'], audio: [] },
    });
    const review = (type: string, before: object, after: object) => nvr.publishAsync('frigate/reviews', JSON.stringify({ type, before, after }), { qos: 1 });
    const { cookie } = await login(gw.url, 'duty', 'duty');
    const alarm = async () => (await api<AlarmView[]>(gw.url, cookie, routes.alarms)).body.find((a) => a.pointKey === 'cctv-gate.reviewAlert');
    const ignoredBefore = gw.gateway.mqtt!.diagnostics().devices.find((d) => d.deviceId === 'cctv-gate')!.ignored;
    const from = readings.length;
    await review('new', seg('detection', null), seg('detection', null));
    await review('update', seg('detection', null), seg('alert', null)); // upgraded to an alert
    await waitFor(() => last('cctv-gate.reviewAlert')?.value === true, 'review alert');
    const raised = await waitFor(alarm, 'A7 alarm raised');
    expect(raised).toMatchObject({ rule: 'A7', priority: 'high', roomId: 'cctv', state: 'unack_active' });
    // A7: the recording is kept as evidence with the alarm and in its duty-log entry; guards can be sent to it.
    const evidence = 'review 1718987129.308396-fqk5ka · thumb /media/frigate/clips/review/thumb-gate-1718987129.308396-fqk5ka.webp';
    expect(raised.evidence).toBe(evidence);
    expect(gw.gateway.dutyLog.list({ limit: 100 }).find((e) => e.kind === 'alarm.raised' && e.alarmId === raised.id)!.params['evidence']).toBe(evidence);
    const sent = await api<AlarmView>(gw.url, cookie, routes.alarmAction(raised.id, 'dispatch'), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ to: 'Guard Zhao' }) });
    expect(sent.status).toBe(200);
    expect(sent.body.onSite).toMatchObject({ dispatchedTo: 'Guard Zhao', dispatchedBy: 'duty', classification: null });
    expect(gw.gateway.dutyLog.list({ limit: 1 })[0]).toMatchObject({ kind: 'alarm.dispatched', alarmId: raised.id, params: { to: 'Guard Zhao', rule: 'A7', evidence } });
    // The clip is saved off the NVR's retention: where it is kept follows the camera's reference, with who said so.
    const keep = (reference: string) => api<AlarmView>(gw.url, cookie, routes.alarmAction(raised.id, 'keepEvidence'), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ reference }) });
    const kept = await keep(' Clip exported to USB key 3 ');
    expect([kept.status, kept.body.evidence]).toEqual([200, `${evidence} · Clip exported to USB key 3`]);
    expect(gw.gateway.dutyLog.list({ limit: 1 })[0]).toMatchObject({ kind: 'alarm.evidenceKept', alarmId: raised.id, username: 'duty', params: { evidence: 'Clip exported to USB key 3', rule: 'A7' } });
    expect((await keep('   ')).status).toBe(400);
    await review('end', seg('alert', null), seg('alert', 1718987161.2));
    await waitFor(() => last('cctv-gate.reviewAlert')?.value === false, 'review ended');
    await waitFor(async () => (await alarm())?.state === 'rtn_unack', 'alarm returned to normal, still to acknowledge');
    // The detection review was heard and ignored, never a value or malformed.
    const d = gw.gateway.mqtt!.diagnostics().devices.find((x) => x.deviceId === 'cctv-gate')!;
    expect(d.ignored).toBe(ignoredBefore + 1);
    expect(d.malformed).toBe(0);
    expect(readings.slice(from).filter((r) => r.pointKey === 'cctv-gate.reviewAlert').map((r) => r.value)).toEqual([true, false]);
    await nvr.endAsync();
    // The simulated NVR sends the same shape (`npm run sim -- contact cctv-gate reviewAlert on`).
    const sim = gw.gateway.mqttSimulators.get('cctv-gate')!;
    await sim.set('reviewAlert', true);
    await waitFor(() => last('cctv-gate.reviewAlert')?.value === true, 'simulated review alert');
    await sim.set('reviewAlert', false);
    await waitFor(() => last('cctv-gate.reviewAlert')?.value === false, 'simulated review end');
  });

  it('the Frigate camera: a person event is an intrusion; the NVR going offline takes the camera offline', async () => {
    const sim = gw.gateway.mqttSimulators.get('cctv-gate')!;
    await sim.set('intrusion', true);
    await waitFor(() => last('cctv-gate.intrusion')?.value === true, 'intrusion');
    // A7: the simulated NVR's event has an id like a real one (`npm run sim -- contact … intrusion on` in the demo),
    // so the alarm carries the recording to keep and the guards' dispatch names it, not "evidence: —".
    expect(last('cctv-gate.intrusion')?.evidence).toBe('event 1718987128.947436-g92ztx');
    await sim.goOffline();
    await waitFor(() => statuses.find((s) => s.deviceId === 'cctv-gate' && !s.online), 'camera offline');
  });

  it('the simulator control API opens a contact, drops and restores the link, publishes garbage', async () => {
    const base = `http://127.0.0.1:${gw.gateway.simulatorControlPort}`;
    const put = (path: string, body: unknown) => fetch(base + path, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect((await put('/mqtt-devices/fc-shelly/points/isolated', { value: true })).status).toBe(200);
    await waitFor(() => last('fc-shelly.isolated')?.value === true, 'isolated via HTTP');
    expect((await put('/mqtt-devices/fc-shelly/points/isolated', { value: 'yes' })).status).toBe(400);
    expect((await put('/mqtt-devices/fc-shelly/points/nothing', { value: true })).status).toBe(400);
    expect((await put('/mqtt-devices/nobody/link', { online: false })).status).toBe(404);
    const before = gw.gateway.mqtt!.diagnostics().devices.find((d) => d.deviceId === 'fc-shelly')!.malformed;
    expect((await fetch(`${base}/mqtt-devices/fc-shelly/garbage`, { method: 'POST' })).status).toBe(200);
    await waitFor(() => gw.gateway.mqtt!.diagnostics().devices.find((d) => d.deviceId === 'fc-shelly')!.malformed === before + 1, 'garbage counted');
    expect((await put('/mqtt-devices/fc-shelly/link', { online: false })).status).toBe(200);
    await waitFor(() => statuses.find((s) => s.deviceId === 'fc-shelly' && !s.online), 'shelly offline via HTTP');
    expect((await fetch(`${base}/mqtt-devices/fc-shelly/garbage`, { method: 'POST' })).status).toBe(409);
    expect((await put('/mqtt-devices/fc-shelly/link', { online: true })).status).toBe(200);
    await waitFor(() => statuses.filter((s) => s.deviceId === 'fc-shelly').at(-1)?.online === true, 'shelly online via HTTP');
    const list = (await (await fetch(`${base}/mqtt-devices`)).json()) as { devices: { id: string; online: boolean }[] };
    expect(list.devices.map((d) => d.id).sort()).toEqual(['cctv-gate', 'fc-shelly', 'fc-tasmota']);
  });
});
