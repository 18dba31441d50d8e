// Every function code and data type over a real socket (issue 3): FC01 coils, FC02 discrete inputs, FC03
// holding and FC04 input registers; int16/uint16/int32/uint32/float32 in the four byte orders; a status-word
// bit. The simulator encodes with the profile, the poller decodes from the wire: both must agree, value by
// value, and a Carrier-style float32 temperature (devices.md §3b) reads the same in every word order.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseSite } from '../../src/config/load.ts';
import { systemClock } from '../../src/core/clock.ts';
import { silentLogger } from '../../src/core/logger.ts';
import type { Reading } from '../../src/core/reading.ts';
import type { ModbusProfile, ModbusPoint } from '../../src/devices/profile-schema.ts';
import { startModbusSimulator, type ModbusSimulator } from '../../src/simulators/modbus-simulator.ts';
import { createModbusSource, type ModbusSource } from '../../src/sources/modbus/source.ts';
import { waitFor } from '../helpers/wait.ts';

const label = { en: 'x', 'zh-CN': 'x' };
const p = (table: ModbusPoint['table'], address: number, type: ModbusPoint['type'], extra: Partial<ModbusPoint> = {}): ModbusPoint => ({
  label, quantity: type === 'bool' ? 'status' : 'temperature', table, address, type, unit: type === 'bool' ? '' : '°C', ...extra,
});
const profile: ModbusProfile = {
  id: 'wire-types', name: label, manufacturer: 'test', protocol: 'modbus', source: 'synthetic, devices.md §3b and §5', addressing: 'pdu', defaults: { unitId: 7 },
  points: {
    alarmRelay: p('coil', 3, 'bool'),
    flowSwitch: p('discrete', 10, 'bool'),
    tripped: p('holding', 0, 'uint16', { bit: 3, quantity: 'status', unit: '' }),
    ready: p('holding', 0, 'uint16', { bit: 0, quantity: 'status', unit: '' }),
    setpoint: p('holding', 1, 'int16', { scale: 0.1 }),
    hours: p('holding', 2, 'uint32', { unit: 'h', quantity: 'duration' }),
    offsetCount: p('holding', 4, 'int32', { byteOrder: 'DCBA', unit: 'x', quantity: 'code' }),
    lcwABCD: p('input', 0, 'float32'),
    lcwCDAB: p('input', 2, 'float32', { byteOrder: 'CDAB' }),
    lcwBADC: p('input', 4, 'float32', { byteOrder: 'BADC' }),
    lcwDCBA: p('input', 6, 'float32', { byteOrder: 'DCBA' }),
    counter: p('input', 8, 'uint16', { unit: 'x', quantity: 'code' }),
  },
};
const expected: Record<string, number | boolean> = {
  alarmRelay: true, flowSwitch: true, tripped: true, ready: false, setpoint: -3.5, hours: 123_456, offsetCount: -100_000,
  lcwABCD: 6.7, lcwCDAB: 6.7, lcwBADC: 6.7, lcwDCBA: 6.7, counter: 65_535,
};

describe('function codes 01–04 and every data type over the wire', () => {
  let sim: ModbusSimulator;
  let source: ModbusSource;
  const readings: Reading[] = [];

  beforeAll(async () => {
    sim = await startModbusSimulator({ profile, host: '127.0.0.1', port: 0, unitId: 7, logger: silentLogger });
    for (const [name, value] of Object.entries(expected)) sim.set(name, typeof value === 'boolean' ? Number(value) : value);
    const site = parseSite('w.yaml', `
site: { id: w, name: { en: W, zh-CN: W }, demo: true }
rooms: [{ id: r, kind: other, name: { en: R, zh-CN: R } }]
devices:
  - { id: dev, room: r, profile: wire-types, pollIntervalMs: 200, connection: { type: tcp, host: 127.0.0.1, port: ${sim.port} } }
users: [{ username: duty, displayName: Duty, role: duty, password: duty }]
`, new Map([[profile.id, profile]]));
    source = createModbusSource({ devices: site.modbusDevices, clock: systemClock, logger: silentLogger, emit: (b) => readings.push(...b) });
    await source.start();
  });
  afterAll(async () => {
    await source?.stop();
    await sim?.stop();
  });

  it('reads back what the simulator was set to, point by point', async () => {
    await waitFor(() => Object.keys(expected).every((name) => readings.some((r) => r.point === name && r.quality === 'good')), 'every point good');
    const latest = Object.fromEntries(Object.keys(expected).map((name) => [name, readings.findLast((r) => r.point === name)!.value]));
    expect(latest).toEqual(expected);
  });
});
