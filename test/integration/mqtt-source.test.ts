// The MQTT source against a real embedded aedes, with a fake clock for heartbeats: retained state at subscribe is
// the current state, a retained event is not; a retained state of a device whose LWT says offline is stale; no
// message for longer than the heartbeat → offline with comm_lost readings; a live message → online again.
import { describe, expect, it } from 'vitest';
import { createDeviceAccess } from '../../src/broker/device-access.ts';
import { createEmbeddedBroker, type EmbeddedBroker } from '../../src/broker/embedded-broker.ts';
import { silentLogger } from '../../src/core/logger.ts';
import { gatewayLogin, sourceSite, useMqttSourceOnAedes } from '../helpers/mqtt-source-harness.ts';
import { waitFor } from '../helpers/wait.ts';
import { freePort } from '../helpers/ports.ts';

describe('MQTT source on a real aedes', () => {
  const h = useMqttSourceOnAedes();
  const { last, device, startSource } = h;

  it('a retained state at subscribe is the current state; a retained event is not replayed', async () => {
    const z2m = await device('z2m', 'z2m-pw');
    await z2m.publishAsync('zigbee2mqtt/smoke_1', '{"smoke":true,"battery_low":false}', { qos: 1, retain: true });
    const frigate = await device('frigate', 'frigate-pw');
    await frigate.publishAsync('frigate/events', JSON.stringify({ type: 'new', after: { camera: 'gate', label: 'person' } }), { qos: 1, retain: true });
    const s = await startSource();
    await waitFor(() => last('smoke-1.smoke'), 'retained smoke state');
    expect(last('smoke-1.smoke')).toMatchObject({ value: true, quality: 'good' });
    await waitFor(() => s.diagnostics().devices.find((d) => d.deviceId === 'gate')!.ignored >= 1, 'retained event ignored');
    expect(last('gate.intrusion')).toBeUndefined();
    // A retained message is not a sign of life: the device's link stays unknown until it speaks.
    expect(h.statuses.filter((x) => x.deviceId === 'smoke-1')).toEqual([]);
  });

  it("a dropped publish to another device's topic is not retained either: a later subscriber gets nothing", async () => {
    const z2m = await device('z2m', 'z2m-pw');
    await z2m.publishAsync('stat/tas_1/RESULT', '{"Switch1":{"Action":"ON"}}', { qos: 1, retain: true });
    await z2m.publishAsync('zigbee2mqtt/smoke_1', '{"smoke":false}', { qos: 1, retain: true });
    const s = await startSource();
    await waitFor(() => last('smoke-1.smoke'), 'the allowed retained state');
    expect(h.readings.filter((r) => r.deviceId === 'tas-1')).toEqual([]);
    expect(s.diagnostics().devices.find((d) => d.deviceId === 'tas-1')!.messages).toBe(0);
    expect(h.broker.stats().of('z2m').publishDenied).toBe(1);
  });

  it('a retained state of a device whose retained LWT says offline is stale, never fresh', async () => {
    const z2m = await device('z2m', 'z2m-pw');
    await z2m.publishAsync('zigbee2mqtt/smoke_1/availability', '{"state":"offline"}', { qos: 1, retain: true });
    await z2m.publishAsync('zigbee2mqtt/smoke_1', '{"smoke":false,"battery_low":false}', { qos: 1, retain: true });
    await startSource();
    await waitFor(() => h.statuses.find((x) => x.deviceId === 'smoke-1' && !x.online), 'offline from retained availability');
    await waitFor(() => last('smoke-1.smoke')?.quality === 'stale', 'stale retained state');
    expect(last('smoke-1.smoke')!.value).toBeNull();
    await z2m.publishAsync('zigbee2mqtt/smoke_1/availability', '{"state":"online"}', { qos: 1, retain: true });
    await z2m.publishAsync('zigbee2mqtt/smoke_1', '{"smoke":false,"battery_low":false}', { qos: 1 });
    await waitFor(() => last('smoke-1.smoke')?.quality === 'good', 'fresh state');
    expect(h.statuses.filter((x) => x.deviceId === 'smoke-1').map((x) => x.online)).toEqual([false, true]);
  });

  // Zigbee2MQTT's bridge going offline / back online, 1.x and 2.x: test/integration/mqtt-firmware.test.ts.

  it('no message for longer than the heartbeat → offline with comm_lost points; the next message → online', async () => {
    const s = await startSource();
    const tas = await device('tas-1', 'tas-pw');
    await tas.publishAsync('tele/tas_1/SENSOR', '{"Time":"2026-11-23T10:00:00","Switch1":"OFF","Switch2":"OFF"}', { qos: 1 });
    await waitFor(() => last('tas-1.fireAlarm')?.value === false, 'first SENSOR');
    h.clock.advance(60_000);
    s.checkHeartbeats();
    expect(h.statuses.filter((x) => x.deviceId === 'tas-1').map((x) => x.online)).toEqual([true]);
    h.clock.advance(1_000);
    s.checkHeartbeats();
    const off = h.statuses.filter((x) => x.deviceId === 'tas-1').at(-1)!;
    expect(off).toMatchObject({ online: false, roomId: 'fire' });
    expect(off.detail).toMatch(/no message for 61 s \(heartbeat 60 s\)/);
    expect(last('tas-1.fireAlarm')).toMatchObject({ quality: 'comm_lost', value: null });
    expect(last('tas-1.fault')).toMatchObject({ quality: 'comm_lost', value: null });
    s.checkHeartbeats(); // only changes are reported
    expect(h.statuses.filter((x) => x.deviceId === 'tas-1').length).toBe(2);
    await tas.publishAsync('stat/tas_1/RESULT', '{"Switch1":{"Action":"ON"}}', { qos: 1 });
    await waitFor(() => last('tas-1.fireAlarm')?.value === true, 'alarm after coming back');
    expect(h.statuses.filter((x) => x.deviceId === 'tas-1').map((x) => x.online)).toEqual([true, false, true]);
  });

  it('nothing is lost at QoS 1: every one of 500 published changes becomes a reading', async () => {
    await startSource();
    const tas = await device('tas-1', 'tas-pw');
    for (let i = 0; i < 500; i++) tas.publish('stat/tas_1/RESULT', JSON.stringify({ Switch1: { Action: i % 2 ? 'ON' : 'OFF' } }), { qos: 1 });
    await waitFor(() => h.readings.filter((r) => r.pointKey === 'tas-1.fireAlarm').length >= 500, '500 h.readings');
    const values = h.readings.filter((r) => r.pointKey === 'tas-1.fireAlarm').map((r) => r.value);
    expect(values).toEqual(Array.from({ length: 500 }, (_, i) => i % 2 === 1));
  });

  it('the broker restarts: after the grace every device is offline; the source reconnects by itself and hears them again', async () => {
    await h.broker.stop();
    const port = await freePort();
    const access = createDeviceAccess(sourceSite.mqttDevices, gatewayLogin);
    const startBroker = async (): Promise<EmbeddedBroker> => {
      const b = createEmbeddedBroker({ host: '127.0.0.1', port, access, maxPayloadBytes: 16 * 1024, clock: h.clock, logger: silentLogger });
      await b.start();
      return b;
    };
    h.broker = await startBroker();
    h.url = `mqtt://127.0.0.1:${port}`;
    const s = await startSource();
    const tas = await device('tas-1', 'tas-pw');
    await tas.publishAsync('stat/tas_1/RESULT', '{"Switch1":{"Action":"OFF"}}', { qos: 1 });
    await waitFor(() => last('tas-1.fireAlarm')?.quality === 'good', 'first reading');

    await h.broker.stop();
    await waitFor(() => !s.diagnostics().connected, 'source sees the broker gone');
    h.clock.advance(15_000);
    s.checkHeartbeats();
    expect(h.statuses.filter((x) => !x.online)).toEqual([]); // still within the grace
    h.clock.advance(1_000);
    s.checkHeartbeats();
    expect(new Set(h.statuses.filter((x) => !x.online).map((x) => x.deviceId))).toEqual(new Set(['smoke-1', 'leak-1', 'tas-1', 'gate']));
    expect(h.statuses.find((x) => !x.online)!.detail).toMatch(/gateway not connected to the broker since/);
    expect(last('tas-1.fireAlarm')).toMatchObject({ quality: 'comm_lost', value: null });

    h.broker = await startBroker();
    await waitFor(() => s.diagnostics().connected, 'source reconnected without a restart', 20_000);
    expect(s.diagnostics().reconnects).toBeGreaterThan(0);
    const again = await device('tas-1', 'tas-pw');
    await again.publishAsync('stat/tas_1/RESULT', '{"Switch1":{"Action":"ON"}}', { qos: 1 });
    await waitFor(() => last('tas-1.fireAlarm')?.value === true, 'reading after the broker came back');
    expect(h.statuses.filter((x) => x.deviceId === 'tas-1').at(-1)!.online).toBe(true);
  });
});
