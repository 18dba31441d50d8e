// Values that are not values, through the real poller and real Modbus TCP simulators on loopback (issue 12 §2):
// a Grundfos CIM answering 0xFFFF ("not available") on codes, modes and control bits; a liquid temperature
// outside its physical range; an XY-MD02 with ×100 firmware read right by a per-device scale, and the same
// registers read by a device without it: bad "out of range", never a good 305 °C.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultProfilesDir, parseSite } from '../../src/config/load.ts';
import { loadProfiles, modbusProfile } from '../../src/devices/profiles.ts';
import { silentLogger } from '../../src/core/logger.ts';
import { systemClock } from '../../src/core/clock.ts';
import type { Reading } from '../../src/core/reading.ts';
import { createModbusSource, type ModbusSource } from '../../src/sources/modbus/source.ts';
import { startModbusSimulator, type ModbusSimulator } from '../../src/simulators/modbus-simulator.ts';
import { waitFor } from '../helpers/wait.ts';

const profiles = loadProfiles(defaultProfilesDir);

describe('Modbus values that are not values (real poller, real simulators)', () => {
  const sims: ModbusSimulator[] = [];
  let poller: ModbusSource;
  const readings: Reading[] = [];
  const latest = (key: string): Reading | undefined => readings.findLast((r) => r.pointKey === key);
  let pump: ModbusSimulator;
  let th100: ModbusSimulator;
  let th10: ModbusSimulator;

  beforeAll(async () => {
    const start = (profile: string): Promise<ModbusSimulator> =>
      startModbusSimulator({ profile: modbusProfile(profiles, profile), host: '127.0.0.1', port: 0, unitId: 1, logger: silentLogger });
    pump = await start('grundfos-cim');
    th100 = await start('xy-md02');
    th10 = await start('xy-md02');
    sims.push(pump, th100, th10);
    const site = parseSite(
      'values.yaml',
      `
site: { id: t, name: { en: T, zh-CN: T }, demo: true }
rooms: [{ id: r, kind: distribution, name: { en: R, zh-CN: R } }, { id: p, kind: pump, name: { en: P, zh-CN: P } }]
devices:
  - { id: pump-1, room: p, profile: grundfos-cim, connection: { type: tcp, host: 127.0.0.1, port: ${pump.port}, timeoutMs: 500 }, pollIntervalMs: 100 }
  - { id: th-x100, room: r, profile: xy-md02, connection: { type: tcp, host: 127.0.0.1, port: ${th100.port}, timeoutMs: 500 }, pollIntervalMs: 100, points: { temperature: { scale: 0.01, precision: 2 } } }
  - { id: th-x10, room: r, profile: xy-md02, connection: { type: tcp, host: 127.0.0.1, port: ${th10.port}, timeoutMs: 500 }, pollIntervalMs: 100 }
users: [{ username: duty, displayName: D, role: duty, password: duty }]
`,
      profiles,
    );
    poller = createModbusSource({ devices: site.modbusDevices, clock: systemClock, logger: silentLogger, emit: (batch) => readings.push(...batch) });
    await poller.start();
    await waitFor(() => latest('pump-1.alarmCode')?.quality === 'good' && latest('th-x100.temperature') && latest('th-x10.temperature'), 'first readings');
  });
  afterAll(async () => {
    await poller?.stop();
    await Promise.all(sims.map((s) => s.stop()));
  });

  // The control bits (one status word) read 0xFFFF as not available too: test/unit/profiles.test.ts (the simulator
  // sets bits one at a time, not a whole word).
  it('Grundfos CIM 0xFFFF on the alarm code, warning code and modes: bad "not available", no value (so no false "Pump alarm": alarms read good values only)', async () => {
    const points = ['alarmCode', 'warningCode', 'controlMode', 'operationMode'];
    for (const point of points) pump.setRaw(point, [0xffff]);
    const keys = points.map((p) => `pump-1.${p}`);
    await waitFor(() => keys.every((k) => latest(k)?.quality === 'bad'), 'every 0xFFFF point bad');
    for (const k of keys) expect(latest(k), k).toMatchObject({ quality: 'bad', value: null, detail: expect.stringContaining('not available') });
    // The rest of the pump still reads: one unavailable register is not a dead device.
    expect(latest('pump-1.speed')).toMatchObject({ quality: 'good', value: 2650 });
  });

  it('a liquid temperature outside its physical range is bad "out of range", never a good value', async () => {
    pump.setRaw('liquidTemperature', [50_000]); // 50000 × 0.01 − 273.15 = 226.85 °C
    await waitFor(() => latest('pump-1.liquidTemperature')?.quality === 'bad', 'out-of-range temperature');
    expect(latest('pump-1.liquidTemperature')).toMatchObject({ value: null, detail: expect.stringContaining('out of range: 226.9 °C') });
  });

  it('an XY-MD02 with ×100 firmware reads 30.50 °C with its site scale; without it the same registers are out of range', async () => {
    th100.setRaw('temperature', [0x0bea]);
    th10.setRaw('temperature', [0x0bea]);
    await waitFor(() => latest('th-x100.temperature')?.value === 30.5 && latest('th-x10.temperature')?.quality === 'bad', 'both read');
    expect(latest('th-x100.temperature')).toMatchObject({ quality: 'good', value: 30.5, unit: '°C' });
    expect(latest('th-x10.temperature')).toMatchObject({ quality: 'bad', value: null, detail: expect.stringContaining('out of range: 305 °C') });
  });
});
