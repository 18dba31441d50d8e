// Firmware defaults real sites run (issue 12 §3), against a real embedded aedes: Zigbee2MQTT 1.x plain-text and 2.x
// JSON availability and bridge/state, a bridge's own 20–200 KiB bridge/devices and bridge/definitions, Frigate's
// `stopped` and several tracked objects per camera, and hostile payloads (deep JSON, "true" as a string).
import { describe, expect, it } from 'vitest';
import { SELF_TEST_DETAIL } from '../../src/contract/routes.ts';
import { SITE_MAX_PAYLOAD, gatewayLogin, useMqttSourceOnAedes } from '../helpers/mqtt-source-harness.ts';
import { closed, connectMqtt } from '../helpers/mqtt.ts';
import { waitFor } from '../helpers/wait.ts';

/** A bridge/devices document of a real network's size: one entry per device with its definition and endpoints. */
function bridgeDevices(targetBytes: number): string {
  const list: unknown[] = [];
  for (let i = 0; JSON.stringify(list).length < targetBytes; i++) {
    list.push({
      ieee_address: `0x00158d00${i.toString(16).padStart(8, '0')}`, type: 'EndDevice', network_address: 1000 + i, supported: true,
      friendly_name: `sensor_${i}`, power_source: 'Battery', model_id: 'lumi.sensor_magnet.aq2', manufacturer: 'LUMI', interview_completed: true,
      definition: { model: 'MCCGQ11LM', vendor: 'Aqara', description: 'Door and window sensor', supports_ota: false,
        exposes: [{ type: 'binary', name: 'contact', property: 'contact', access: 1, value_on: false, value_off: true, description: 'Indicates if the contact is closed (= true) or open (= false)' },
          { type: 'numeric', name: 'battery', property: 'battery', access: 1, unit: '%', value_min: 0, value_max: 100 }] },
      endpoints: { 1: { bindings: [], configured_reportings: [], clusters: { input: ['genBasic', 'genIdentify'], output: ['genOta'] } } },
    });
  }
  return JSON.stringify(list);
}

describe('MQTT firmware variants on a real aedes', () => {
  const h = useMqttSourceOnAedes();
  const { last, statusOf, device, startSource, counters } = h;

  for (const [version, text] of [
    ['1.x (plain text)', (s: string) => s],
    ['2.x (JSON)', (s: string) => JSON.stringify({ state: s })],
  ] as const) {
    it(`Zigbee2MQTT ${version}: a dead bridge (its will) takes every device comm-lost; back online brings them back`, async () => {
      await startSource();
      // The bridge's will, as Zigbee2MQTT sets it (lib/mqtt.ts): retained offline on bridge/state.
      const z2m = await device('z2m', 'z2m-pw', { topic: 'zigbee2mqtt/bridge/state', payload: text('offline') });
      await z2m.publishAsync('zigbee2mqtt/bridge/state', text('online'), { qos: 1, retain: true });
      await z2m.publishAsync('zigbee2mqtt/smoke_1', '{"smoke":false,"battery_low":false}', { qos: 1 });
      await z2m.publishAsync('zigbee2mqtt/leak_1', '{"water_leak":false}', { qos: 1 });
      await waitFor(() => statusOf('smoke-1').length === 1 && statusOf('leak-1').length === 1, 'both online');
      // The bridge dies: no DISCONNECT, the broker publishes its will.
      z2m.stream.destroy();
      await waitFor(() => statusOf('smoke-1').at(-1) === false && statusOf('leak-1').at(-1) === false, 'both comm-lost');
      expect(last('smoke-1.smoke')).toMatchObject({ quality: 'comm_lost', value: null });
      expect(last('leak-1.waterLeak')).toMatchObject({ quality: 'comm_lost', value: null });
      expect(counters('smoke-1').malformed).toBe(0);
      // Back: a new connection says online; its devices are heard again.
      const again = await device('z2m', 'z2m-pw');
      await again.publishAsync('zigbee2mqtt/bridge/state', text('online'), { qos: 1, retain: true });
      await waitFor(() => statusOf('smoke-1').at(-1) === true && statusOf('leak-1').at(-1) === true, 'both back');
      expect(h.statuses.filter((x) => x.deviceId === 'smoke-1').at(-1)?.detail).toContain('zigbee2mqtt/bridge/state');
    });

    it(`Zigbee2MQTT ${version}: a device's own offline outlives the bridge coming back; its own online ends it`, async () => {
      await startSource();
      const z2m = await device('z2m', 'z2m-pw');
      await z2m.publishAsync('zigbee2mqtt/smoke_1', '{"smoke":false}', { qos: 1 });
      await waitFor(() => statusOf('smoke-1').length === 1, 'smoke online');
      await z2m.publishAsync('zigbee2mqtt/bridge/state', text('offline'), { qos: 1, retain: true });
      await z2m.publishAsync('zigbee2mqtt/smoke_1/availability', text('offline'), { qos: 1, retain: true });
      await z2m.publishAsync('zigbee2mqtt/bridge/state', text('online'), { qos: 1, retain: true });
      await z2m.publishAsync('zigbee2mqtt/smoke_1/availability', text('online'), { qos: 1, retain: true });
      await waitFor(() => statusOf('smoke-1').length === 3, 'online again');
      expect(h.statuses.filter((x) => x.deviceId === 'smoke-1').map((x) => [x.online, x.detail])).toEqual([
        [true, 'message on zigbee2mqtt/smoke_1'],
        [false, `zigbee2mqtt/bridge/state = ${text('offline')}`],
        [true, `zigbee2mqtt/smoke_1/availability = ${text('online')}`],
      ]);
      expect(counters('smoke-1').malformed).toBe(0);
    });
  }

  it('a retained device "online" behind a retained dead bridge is not taken for alive at subscribe', async () => {
    const z2m = await device('z2m', 'z2m-pw');
    await z2m.publishAsync('zigbee2mqtt/smoke_1/availability', 'online', { qos: 1, retain: true });
    await z2m.publishAsync('zigbee2mqtt/bridge/state', 'offline', { qos: 1, retain: true });
    await startSource();
    await waitFor(() => statusOf('smoke-1').length > 0, 'a status');
    await waitFor(() => statusOf('leak-1').length > 0, 'a status');
    expect(statusOf('smoke-1').at(-1)).toBe(false);
  });

  it("the bridge's 150 KiB bridge/devices and 200 KiB bridge/definitions pass; 2 MiB and a 100 KiB device state are refused and counted", async () => {
    await startSource();
    const z2m = await device('z2m', 'z2m-pw', { topic: 'zigbee2mqtt/bridge/state', payload: '{"state":"offline"}' });
    await z2m.publishAsync('zigbee2mqtt/bridge/state', '{"state":"online"}', { qos: 1, retain: true });
    await z2m.publishAsync('zigbee2mqtt/smoke_1', '{"smoke":false}', { qos: 1 });
    await waitFor(() => statusOf('smoke-1').length === 1, 'smoke online');
    const devices = bridgeDevices(150 * 1024);
    const definitions = bridgeDevices(200 * 1024);
    expect(devices.length).toBeGreaterThan(150 * 1024);
    await z2m.publishAsync('zigbee2mqtt/bridge/devices', devices, { qos: 1, retain: true });
    await z2m.publishAsync('zigbee2mqtt/bridge/definitions', definitions, { qos: 1, retain: true });
    // Still connected, nothing refused, the will never fired: the devices behind it stay online.
    await z2m.publishAsync('zigbee2mqtt/smoke_1', '{"smoke":false}', { qos: 1 });
    expect(z2m.connected).toBe(true);
    expect(h.broker.stats().of('z2m').oversize).toBe(0);
    expect(statusOf('smoke-1')).toEqual([true]);
    // The broker kept the retained document whole: a later subscriber gets all of it.
    const reader = await connectMqtt(h.url, { username: gatewayLogin.username, password: gatewayLogin.password, clientId: 'reader' });
    const got = new Promise<number>((ok) => reader.on('message', (t, p) => t === 'zigbee2mqtt/bridge/devices' && ok(p.length)));
    await reader.subscribeAsync('zigbee2mqtt/bridge/devices', { qos: 1 });
    expect(await got).toBe(Buffer.byteLength(devices));
    await reader.endAsync(true);

    // Hostile: 2 MiB on the same topic, and 100 KiB on a device topic (the site's 16 KiB applies there).
    const bridge2 = await device('z2m', 'z2m-pw');
    const gone = closed(bridge2);
    bridge2.publish('zigbee2mqtt/bridge/devices', Buffer.alloc(2 * 1024 * 1024, 0x20), { qos: 0 });
    await gone;
    const bridge3 = await device('z2m', 'z2m-pw');
    const gone3 = closed(bridge3);
    bridge3.publish('zigbee2mqtt/smoke_1', Buffer.alloc(100 * 1024, 0x20), { qos: 0 });
    await gone3;
    expect(h.broker.stats().of('z2m').oversize).toBe(2);
    expect(z2m.connected).toBe(true);
  });

  it('Frigate: "stopped" on frigate/available is comm-lost, not malformed; "online" brings the camera back', async () => {
    await startSource();
    const frigate = await device('frigate', 'frigate-pw');
    await frigate.publishAsync('frigate/available', 'online', { qos: 1, retain: true });
    await waitFor(() => statusOf('gate').at(-1) === true, 'camera online');
    await frigate.publishAsync('frigate/available', 'stopped', { qos: 1, retain: true });
    await waitFor(() => statusOf('gate').at(-1) === false, 'camera comm-lost');
    expect(last('gate.intrusion')).toMatchObject({ quality: 'comm_lost' });
    expect(counters('gate').malformed).toBe(0);
    await frigate.publishAsync('frigate/available', 'online', { qos: 1, retain: true });
    await waitFor(() => statusOf('gate').at(-1) === true, 'camera back');
  });

  it('Frigate: intrusion stays active while any tracked person is in view, and clears when the last one ends', async () => {
    await startSource();
    const frigate = await device('frigate', 'frigate-pw');
    const event = (type: string, id: string): string => JSON.stringify({ type, before: { id, camera: 'gate', label: 'person' }, after: { id, camera: 'gate', label: 'person', score: 0.8 } });
    await frigate.publishAsync('frigate/events', event('new', 'e1'), { qos: 1 });
    await frigate.publishAsync('frigate/events', event('new', 'e2'), { qos: 1 });
    await frigate.publishAsync('frigate/events', event('update', 'e1'), { qos: 1 });
    await frigate.publishAsync('frigate/events', event('end', 'e1'), { qos: 1 });
    await waitFor(() => h.readings.filter((r) => r.pointKey === 'gate.intrusion').length === 4, 'four h.readings');
    expect(h.readings.filter((r) => r.pointKey === 'gate.intrusion').map((r) => r.value)).toEqual([true, true, true, true]);
    await frigate.publishAsync('frigate/events', event('end', 'e2'), { qos: 1 });
    await waitFor(() => h.readings.filter((r) => r.pointKey === 'gate.intrusion').length === 5, 'fifth reading');
    expect(last('gate.intrusion')?.value).toBe(false);
  });

  it('JSON nested 8,000 deep under the size limit: a counted rejection, one log line, no stack overflow', async () => {
    await startSource();
    const z2m = await device('z2m', 'z2m-pw');
    const deep = '{"smoke":' + '['.repeat(8000) + ']'.repeat(8000) + '}';
    expect(deep.length).toBeLessThan(SITE_MAX_PAYLOAD);
    for (let i = 0; i < 20; i++) await z2m.publishAsync('zigbee2mqtt/smoke_1', deep, { qos: 1 });
    await waitFor(() => counters('smoke-1').malformed === 20, 'twenty rejections counted');
    expect(counters('smoke-1').lastError).toContain('nested deeper than 64');
    expect(h.logLines.filter((l) => l.msg === 'malformed mqtt payload')).toHaveLength(1);
    expect(h.logLines.filter((l) => l.level === 'error')).toEqual([]);
    expect(h.readings.filter((r) => r.pointKey === 'smoke-1.smoke' && r.quality === 'good')).toEqual([]);
  });

  it("a smoke detector's test button (test: true) gives a smoke reading marked as a test; a real alarm is not", async () => {
    await startSource();
    const z2m = await device('z2m', 'z2m-pw');
    await z2m.publishAsync('zigbee2mqtt/smoke_1', '{"smoke":true,"test":true,"battery_low":false,"battery":96,"linkquality":92}', { qos: 1 });
    await waitFor(() => last('smoke-1.smoke'), 'test reading');
    expect(last('smoke-1.smoke')).toMatchObject({ value: true, quality: 'good', detail: SELF_TEST_DETAIL });
    await z2m.publishAsync('zigbee2mqtt/smoke_1', '{"smoke":true,"test":false,"battery_low":false,"battery":96,"linkquality":92}', { qos: 1 });
    await waitFor(() => h.readings.filter((r) => r.pointKey === 'smoke-1.smoke').length === 2, 'real reading');
    expect(last('smoke-1.smoke')).toMatchObject({ value: true, quality: 'good' });
    expect(last('smoke-1.smoke')).not.toHaveProperty('detail');
  });

  it('the string "true" where a boolean is specified is rejected and counted like "yes", never a fire alarm', async () => {
    await startSource();
    const z2m = await device('z2m', 'z2m-pw');
    await z2m.publishAsync('zigbee2mqtt/smoke_1', '{"smoke":"true"}', { qos: 1 });
    await z2m.publishAsync('zigbee2mqtt/smoke_1', '{"smoke":"yes"}', { qos: 1 });
    await z2m.publishAsync('zigbee2mqtt/smoke_1', '{"smoke":1}', { qos: 1 });
    await waitFor(() => counters('smoke-1').malformed === 3, 'three rejections');
    expect(h.readings.filter((r) => r.pointKey === 'smoke-1.smoke')).toEqual([]);
    await z2m.publishAsync('zigbee2mqtt/smoke_1', '{"smoke":true}', { qos: 1 });
    await waitFor(() => last('smoke-1.smoke'), 'a real boolean');
    expect(last('smoke-1.smoke')).toMatchObject({ value: true, quality: 'good' });
  });
});
