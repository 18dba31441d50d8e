// Every device profile in devices/ is walked and its invariants checked independently of the loader
// (style.md: zigbee-herdsman-converters walks every definition; HA modbus validates register maps across
// fields): register count fits the type, no two points of a unit share a register (bits of one status
// word excepted), numeric points carry units, limits and alarms reference real points, sources are cited,
// and the simulator can encode every initial value. Broken profiles are refused with file, path and problem.
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ConfigError } from '../../src/config/errors.ts';
import { defaultProfilesDir } from '../../src/config/load.ts';
import { loadProfiles, modbusProfile, registerCount, toPduAddress } from '../../src/devices/profiles.ts';
import type { ModbusProfile } from '../../src/devices/profile-schema.ts';
import { compileCodec } from '../../src/sources/modbus/decode.ts';
import { createSimulatedUnit } from '../../src/simulators/modbus-unit.ts';

const profiles = loadProfiles(defaultProfilesDir);
const files = readdirSync(defaultProfilesDir).filter((f) => f.endsWith('.yaml'));

describe('every built-in profile', () => {
  it('loads all files in devices/, including the families issue 3 asks for', () => {
    expect(profiles.size).toBe(files.length);
    for (const id of ['xy-md02', 'renke-rs-ws-n01-8', 'grundfos-cim', 'daikin-microtech3']) expect(profiles.has(id)).toBe(true);
  });

  // The Modbus profiles here; the MQTT ones have their own invariants test (test/unit/mqtt-decode.test.ts).
  for (const file of files.filter((f) => (parse(readFileSync(join(defaultProfilesDir, f), 'utf8')) as { protocol: string }).protocol === 'modbus')) {
    const raw = parse(readFileSync(join(defaultProfilesDir, file), 'utf8')) as ModbusProfile;
    const profile = modbusProfile(profiles, raw.id);

    describe(file, () => {
      it('cites a public source and states how it numbers registers', () => {
        expect(profile.source.length).toBeGreaterThan(10);
        expect(['pdu', 'one-based']).toContain(raw.addressing);
      });

      it('uses registers that fit each type, without overlaps within the unit', () => {
        const owner = new Map<string, string>();
        for (const [name, p] of Object.entries(raw.points)) {
          const bitTable = p.table === 'coil' || p.table === 'discrete';
          expect(bitTable, `${name}: bool ⇔ coil/discrete`).toBe(p.type === 'bool');
          // The loader's conversion, recomputed here: manual numbers are 1-based (devices.md: PDU = doc no. − 1).
          const expected = raw.addressing === 'one-based' ? toPduAddress(p.address, p.table) : p.address;
          expect(profile.points[name]!.address).toBe(expected);
          expect(expected).toBeGreaterThanOrEqual(0);
          const words = registerCount(p.type);
          for (let i = 0; i < words; i++) {
            const slot = p.bit === undefined ? `${p.table}:${profile.points[name]!.address + i}` : `${p.table}:${profile.points[name]!.address}:bit${p.bit}`;
            expect(owner.get(slot), `${name} overlaps ${owner.get(slot)} at ${slot}`).toBeUndefined();
            owner.set(slot, name);
          }
          if (p.bit !== undefined) expect(['int16', 'uint16']).toContain(p.type);
        }
        // A word used whole may not also be used bit by bit.
        for (const slot of owner.keys()) {
          if (slot.includes(':bit')) expect(owner.has(slot.replace(/:bit\d+$/, '')), `${slot} is also read whole`).toBe(false);
        }
      });

      it('gives every numeric measurement a unit', () => {
        for (const [name, p] of Object.entries(profile.points)) {
          const numeric = p.type !== 'bool' && p.bit === undefined && p.quantity !== 'status' && p.quantity !== 'code';
          if (numeric) expect(p.unit, `${name} needs a unit`).not.toBe('');
        }
      });

      it('refers only to its own points in limits and simulator values; alarms and run status fit the point', () => {
        for (const key of Object.keys(profile.defaultLimits ?? {})) expect(Object.keys(profile.points)).toContain(key);
        for (const key of Object.keys(profile.simulator?.initial ?? {})) expect(Object.keys(profile.points)).toContain(key);
        for (const [name, p] of Object.entries(profile.points)) {
          const bool = p.type === 'bool' || p.bit !== undefined;
          if (p.alarm) expect(typeof p.alarm.activeWhen === 'boolean', `${name} alarm`).toBe(bool);
          if (p.alarm?.activeWhen === 'nonzero') expect(p.values?.['0'], `${name}: a fault code says what 0 means`).toBeDefined();
        }
      });

      it('can be simulated: every initial value encodes and reads back the same', () => {
        const unit = createSimulatedUnit(profile, 1);
        for (const [name, value] of Object.entries(profile.simulator?.initial ?? {})) {
          expect(unit.get(name), name).toBeCloseTo(value, 6);
          const spec = profile.points[name]!;
          const words = unit.read(spec.table, spec.address, registerCount(spec.type));
          expect(words).toHaveProperty('words');
          const decoded = compileCodec(spec).decode((words as { words: number[] }).words, 0);
          expect(decoded.quality, name).toBe('good');
        }
        unit.dispose();
      });
    });
  }
});

describe('flags read as states (issue 15)', () => {
  it('every status point of every profile, Modbus and MQTT, names its values: "Battery OK" / "BATTERY LOW", never On/Off', () => {
    const unnamed: string[] = [];
    for (const file of files) {
      const raw = parse(readFileSync(join(defaultProfilesDir, file), 'utf8')) as { points: Record<string, { quantity?: string; values?: Record<string, unknown> }> };
      for (const [key, point] of Object.entries(raw.points)) if (point.quantity === 'status' && !point.values) unnamed.push(`${file} ${key}`);
    }
    expect(unnamed).toEqual([]);
    const battery = (parse(readFileSync(join(defaultProfilesDir, 'z2m-smoke-sensor.yaml'), 'utf8')) as { points: { batteryLow: { values: Record<string, { 'zh-CN': string }> } } }).points.batteryLow.values;
    expect([battery['true']!['zh-CN'], battery['false']!['zh-CN']]).toEqual(['电池电量低', '电池正常']);
  });
});

describe('values that are not values (issue 12 §2)', () => {
  const modbus = [...profiles.values()].filter((p): p is ModbusProfile => p.protocol === 'modbus');

  it('a profile declaring a "not available" word has it on EVERY register point: codes, modes, bits and 32-bit values', () => {
    const declaring = modbus.filter((p) => p.notAvailable !== undefined);
    expect(declaring.map((p) => p.id)).toContain('grundfos-cim');
    for (const p of declaring) {
      for (const [name, point] of Object.entries(p.points)) {
        if (point.type === 'bool') continue;
        const words = Array.from({ length: registerCount(point.type) }, () => p.notAvailable!);
        const got = compileCodec(point).decode(words, 0);
        expect(got, `${p.id}.${name}`).toMatchObject({ quality: 'bad', value: null, detail: expect.stringContaining('not available') });
      }
    }
  });

  it("Grundfos alarm code, warning code, control mode and control bits read 0xFFFF as not available, never a 'Pump alarm'", () => {
    const p = modbusProfile(profiles, 'grundfos-cim');
    for (const name of ['alarmCode', 'warningCode', 'controlMode', 'operationMode', 'remoteRequest', 'onOffRequest']) {
      expect(compileCodec(p.points[name]!).decode([0xffff], 0).quality, name).toBe('bad');
    }
    expect(compileCodec(p.points['alarmCode']!).decode([48], 0)).toEqual({ quality: 'good', value: 48 });
  });

  it('every numeric measurement has its physical range; a reading outside is bad, reason "out of range"', () => {
    for (const p of modbus) {
      for (const [name, point] of Object.entries(p.points)) {
        if (point.type === 'bool' || point.bit !== undefined || point.quantity === 'status' || point.quantity === 'code') continue;
        expect(point.range, `${p.id}.${name}`).toBeDefined();
      }
    }
    const ds18b20 = modbusProfile(profiles, 'r4dcb08').points['t1']!;
    expect(ds18b20.range).toEqual({ min: -55, max: 125 });
    // 0x7FFF ×0.1 = 3276.7 °C: an open probe on a PT/DS module, never a good reading.
    expect(compileCodec(ds18b20).decode([0x7fff], 0)).toMatchObject({ quality: 'bad', value: null, detail: expect.stringContaining('out of range') });
    expect(compileCodec(ds18b20).decode([1250], 0)).toEqual({ quality: 'good', value: 125 });
    expect(compileCodec(ds18b20).decode([0x10000 - 550], 0)).toEqual({ quality: 'good', value: -55 });
    const leaving = modbusProfile(profiles, 'daikin-microtech3').points['leavingWater']!;
    expect(compileCodec(leaving).decode([1101], 0)).toMatchObject({ quality: 'bad', detail: expect.stringContaining('out of range') });
  });
});

describe('manual (one-based) register numbers', () => {
  it('converts 30002 → input 1, 40001 → holding 0, 00205 → 204, 10001 → discrete 0, plain numbers − 1', () => {
    expect(toPduAddress(30002, 'input')).toBe(1);
    expect(toPduAddress(40001, 'holding')).toBe(0);
    expect(toPduAddress(205, 'holding')).toBe(204);
    expect(toPduAddress(10001, 'discrete')).toBe(0);
    expect(toPduAddress(2, 'input')).toBe(1);
  });

  it('turns the Grundfos alarm code 00205 and the Daikin leaving water 17 into PDU addresses 204 and 16', () => {
    expect(modbusProfile(profiles, 'grundfos-cim').points['alarmCode']!.address).toBe(204);
    expect(modbusProfile(profiles, 'daikin-microtech3').points['leavingWater']!.address).toBe(16);
  });
});

describe('broken profiles are refused with file, path and problem', () => {
  // The fields every profile needs; each case adds the points that are wrong.
  const base = { id: 'broken', name: { en: 'B', 'zh-CN': 'B' }, manufacturer: 'x', protocol: 'modbus', source: 'a manual somewhere, p.1', addressing: 'pdu', defaults: { unitId: 1 } };
  const label = { en: 'x', 'zh-CN': 'x' };
  const refuse = (profile: object): { path: string; message: string; file: string }[] => {
    const dir = mkdtempSync(join(tmpdir(), 'rw-profiles-'));
    writeFileSync(join(dir, 'broken.yaml'), JSON.stringify({ ...base, ...profile }));
    try {
      loadProfiles(dir);
    } catch (err) {
      if (err instanceof ConfigError) return err.problems;
      throw err;
    }
    throw new Error('expected the profile to be refused');
  };

  it('overlapping registers: a float32 over a neighbour', () => {
    const found = refuse({
      points: {
        a: { label, quantity: 'temperature', table: 'holding', address: 10, type: 'float32', unit: '°C', range: { min: -40, max: 125 } },
        b: { label, quantity: 'temperature', table: 'holding', address: 11, type: 'int16', unit: '°C', range: { min: -40, max: 125 } },
      },
    });
    expect(found).toEqual([expect.objectContaining({ path: '/points/b/address', message: expect.stringContaining('overlaps point "a"') })]);
    expect(found[0]!.file).toMatch(/broken\.yaml$/);
  });

  it('a type that does not fit its table, a numeric point without unit, a limit on an unknown point', () => {
    const found = refuse({
      points: {
        a: { label, quantity: 'status', table: 'coil', address: 1, type: 'uint16', unit: '' },
        b: { label, quantity: 'temperature', table: 'input', address: 1, type: 'int16', unit: '' },
      },
      defaultLimits: { c: { high: 3 } },
    });
    expect(found.map((p) => p.path).sort()).toEqual(['/defaultLimits/c', '/points/a/type', '/points/b/range', '/points/b/unit']);
  });

  it('a text cut by an unquoted comma in a YAML flow mapping is refused at its place, not shown cut short', () => {
    // `{ en: Supply air, return air, zh-CN: … }` reads as en "Supply air" plus a key "return air" (the Frigate
    // camera's response and a demo device name were cut this way).
    const dir = mkdtempSync(join(tmpdir(), 'rw-profiles-'));
    const point = { label: 'LABEL', quantity: 'temperature', table: 'holding', address: 10, type: 'int16', unit: '°C', range: { min: -40, max: 125 } };
    writeFileSync(join(dir, 'broken.yaml'), JSON.stringify({ ...base, points: { a: point } }).replace('"LABEL"', '{ en: Supply air, return air, zh-CN: 送风 }'));
    let problems: { path: string; message: string }[] = [];
    try {
      loadProfiles(dir);
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      problems = err.problems;
    }
    expect(problems).toEqual([expect.objectContaining({ path: '/points/a/label/return air', message: expect.stringContaining('Unexpected property') })]);
  });

  it('the same bit twice, a word read whole and by bits, a boolean alarm on a number', () => {
    const found = refuse({
      points: {
        run: { label, quantity: 'status', table: 'holding', address: 1, type: 'uint16', bit: 0, unit: '' },
        run2: { label, quantity: 'status', table: 'holding', address: 1, type: 'uint16', bit: 0, unit: '' },
        word: { label, quantity: 'status', table: 'holding', address: 1, type: 'uint16', unit: '' },
        code: { label, quantity: 'code', table: 'holding', address: 2, type: 'uint16', unit: '', alarm: { activeWhen: true, priority: 'high', message: label } },
      },
    });
    expect(found.map((p) => p.path).sort()).toEqual(['/points/code/alarm/activeWhen', '/points/run2/bit', '/points/word/address']);
  });
});
