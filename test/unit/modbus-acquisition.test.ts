// Pure parts of Modbus acquisition: status-word bits, per-unit backoff, the link state table, shared-link
// config checks, and the duty-log events for equipment start/stop (A3) and communication loss.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createEquipmentEvents, isRunning } from '../../src/alarms/equipment-events.ts';
import { defaultProfilesDir, parseSite } from '../../src/config/load.ts';
import { createBus } from '../../src/core/bus.ts';
import { silentLogger } from '../../src/core/logger.ts';
import type { Reading } from '../../src/core/reading.ts';
import type { ModbusPoint } from '../../src/devices/profile-schema.ts';
import { loadProfiles, modbusProfile } from '../../src/devices/profiles.ts';
import { createSimulatedUnit } from '../../src/simulators/modbus-unit.ts';
import { createDutyLog } from '../../src/sinks/duty-log/duty-log.ts';
import { compileCodec } from '../../src/sources/modbus/decode.ts';
import { linkTransitions, reconnectDelay } from '../../src/sources/modbus/link.ts';
import { unitBackoff } from '../../src/sources/modbus/poller.ts';
import { openStore } from '../../src/store/store.ts';
import { siteView } from '../../src/http/site-view.ts';
import { freshOrStale, staleAfterMs } from '../../src/core/stale.ts';
import { siteProblems } from '../helpers/config-problems.ts';

const profiles = loadProfiles(defaultProfilesDir);
const label = { en: 'x', 'zh-CN': 'x' };

describe('status-word bits', () => {
  const bit = (n: number, extra: Partial<ModbusPoint> = {}): ModbusPoint => ({ label, quantity: 'status', table: 'holding', address: 0, type: 'uint16', unit: '', bit: n, ...extra });

  it('reads one bit of the word as a boolean (ABB status word 0x0008: bit 3 TRIPPED, devices.md §2c)', () => {
    expect(compileCodec(bit(3)).decode([0x0008], 0)).toEqual({ quality: 'good', value: true });
    expect(compileCodec(bit(0)).decode([0x0008], 0)).toEqual({ quality: 'good', value: false });
    expect(compileCodec(bit(15)).decode([0x8000], 0)).toEqual({ quality: 'good', value: true });
  });

  it('marks the bit bad when the whole word is a fault sentinel', () => {
    expect(compileCodec(bit(1, { sentinels: [0xffff] })).decode([0xffff], 0)).toMatchObject({ quality: 'bad', value: null });
  });

  it('the simulator sets one bit of a shared word without touching the others (Grundfos 00101 b0/b1)', () => {
    const unit = createSimulatedUnit(modbusProfile(profiles, 'grundfos-cim'), 1);
    unit.set('onOffRequest', 0);
    expect(unit.read('holding', 100, 1)).toEqual({ words: [0b01] });
    unit.set('onOffRequest', 1);
    unit.set('remoteRequest', 0);
    expect(unit.read('holding', 100, 1)).toEqual({ words: [0b10] });
    expect(unit.get('onOffRequest')).toBe(1);
  });
});

describe('backoff', () => {
  it('asks a silent unit again at once after one failed cycle, then backs off doubling to 10 intervals (≤ 30 s) with 20 % jitter, kept at the cap (issue 12)', () => {
    expect(unitBackoff(1, 1000, () => 0)).toBe(0);
    expect(unitBackoff(2, 1000, () => 0)).toBe(2000);
    expect(unitBackoff(3, 1000, () => 0)).toBe(4000);
    expect(unitBackoff(20, 1000, () => 0)).toBe(10_000);
    expect(unitBackoff(3, 1000, () => 1)).toBe(4800);
    // At the cap the jitter takes off instead of adding: two dead units do not probe in lock-step.
    expect(unitBackoff(50, 1000, () => 1)).toBe(8000);
    expect(unitBackoff(50, 1000, () => 0.5)).toBe(9000);
    expect(unitBackoff(50, 10_000, () => 1)).toBe(24_000);
    expect(unitBackoff(50, 10_000, () => 0)).toBe(30_000);
  });

  it('reconnects a link after 500 ms doubling to 30 s, with jitter at every step, the cap included', () => {
    expect(reconnectDelay(0, () => 0)).toBe(500);
    expect(reconnectDelay(3, () => 0)).toBe(4000);
    expect(reconnectDelay(3, () => 1)).toBe(4800);
    expect(reconnectDelay(100, () => 0)).toBe(30_000);
    expect(reconnectDelay(100, () => 1)).toBe(24_000);
  });

  it('has a link transition for every event the link uses in each state it can be in', () => {
    expect(linkTransitions.connected.down?.log).toEqual(['warn', 'modbus connection lost']);
    expect(linkTransitions.disconnected.up?.log).toEqual(['info', 'modbus connection recovered']);
    for (const state of ['connecting', 'connected', 'disconnected'] as const) {
      for (const event of ['up', 'down', 'close'] as const) expect(linkTransitions[state][event], `${state} on ${event}`).toBeDefined();
    }
    expect(linkTransitions.disconnected.open).toBeDefined(); // a reconnect attempt
  });
});

describe('devices sharing a link', () => {
  const site = (devices: string) => `
site: { id: t, name: { en: T, zh-CN: T }, demo: true }
rooms: [{ id: pump, kind: pump, name: { en: P, zh-CN: 水泵房 } }]
devices:
${devices}
users: [{ username: duty, displayName: Duty, role: duty, password: duty }]
`;
  const refuse = (text: string) => siteProblems(text, profiles);

  it('accepts several units on one RS-485 line and on one serial device server', () => {
    const s = parseSite('site.yaml', site(`
  - { id: p1, room: pump, profile: grundfos-cim, connection: { type: rtu, path: /dev/ttyUSB0, unitId: 1 } }
  - { id: p2, room: pump, profile: grundfos-cim, connection: { type: rtu, path: /dev/ttyUSB0, unitId: 2 } }
  - { id: p3, room: pump, profile: grundfos-cim, connection: { type: rtu-over-tcp, host: 10.0.0.5, port: 4001, unitId: 3 } }`), profiles);
    expect(s.devices).toHaveLength(3);
  });

  it('refuses one unit id twice on a bus, different line settings on one port, and a missing path', () => {
    const found = refuse(site(`
  - { id: p1, room: pump, profile: grundfos-cim, connection: { type: rtu, path: /dev/ttyUSB0, unitId: 1 } }
  - { id: p2, room: pump, profile: grundfos-cim, connection: { type: rtu, path: /dev/ttyUSB0, unitId: 1 } }
  - { id: p3, room: pump, profile: grundfos-cim, connection: { type: rtu, path: /dev/ttyUSB0, unitId: 3, baudRate: 9600 } }
  - { id: p4, room: pump, profile: grundfos-cim, connection: { type: rtu, unitId: 4 } }`));
    expect(found).toEqual([expect.objectContaining({ path: '/devices/3/connection/path', message: expect.stringContaining('required property') })]);
    const second = refuse(site(`
  - { id: p1, room: pump, profile: grundfos-cim, connection: { type: rtu, path: /dev/ttyUSB0, unitId: 1 } }
  - { id: p2, room: pump, profile: grundfos-cim, connection: { type: rtu, path: /dev/ttyUSB0, unitId: 1 } }
  - { id: p3, room: pump, profile: grundfos-cim, connection: { type: rtu, path: /dev/ttyUSB0, unitId: 3, baudRate: 9600 } }`));
    expect(second.map((p) => p.path), JSON.stringify(second)).toEqual(['/devices/1/connection/unitId', '/devices/2/connection']);
    expect(second[1]!.message).toContain('link settings differ');
  });

  it('names the transports when the type is unknown', () => {
    const found = refuse(site(`  - { id: p1, room: pump, profile: grundfos-cim, connection: { type: udp, host: h, port: 1 } }`));
    expect(found).toEqual([expect.objectContaining({ path: '/devices/0/connection/type', message: expect.stringContaining('tcp, rtu-over-tcp, rtu') })]);
  });
});

describe('equipment start/stop (A3) and communication loss in the duty log', () => {
  const dirs: string[] = [];
  afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));
  const site = parseSite('site.yaml', `
site: { id: t, name: { en: T, zh-CN: T }, demo: true }
rooms: [{ id: plant, kind: chiller, name: { en: C, zh-CN: 冷冻站 } }]
devices:
  - { id: ch1, room: plant, profile: daikin-microtech3, connection: { type: tcp, host: 127.0.0.1, port: 1502 } }
users: [{ username: duty, displayName: Duty, role: duty, password: duty }]
`, profiles);

  const status = (value: number | null, ts: number): Reading => ({
    pointKey: 'ch1.unitStatus', roomId: 'plant', deviceId: 'ch1', point: 'unitStatus', value, unit: '', quality: value === null ? 'comm_lost' : 'good', ts,
  });

  it('logs start and stop of the chiller once per change, not on the first reading or on lost readings', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rw-eq-'));
    dirs.push(dir);
    const store = openStore(dir, silentLogger);
    const bus = createBus(silentLogger);
    const dutyLog = createDutyLog(store, bus);
    const heard: string[] = [];
    bus.on('dutyLog', 'test', (e) => heard.push(e.kind));
    const events = createEquipmentEvents({ site, dutyLog });
    events.evaluate([status(1, 1)]); // off at start-up: no entry
    events.evaluate([status(2, 2)]); // start
    events.evaluate([status(3, 3)]); // still running
    events.evaluate([status(null, 4)]); // lost: says nothing about running
    events.evaluate([status(5, 5)]); // service: stopped
    events.deviceStatus({ deviceId: 'ch1', roomId: 'plant', online: false, ts: 6, detail: 'timeout' });
    events.deviceStatus({ deviceId: 'ch1', roomId: 'plant', online: false, ts: 7 });
    events.deviceStatus({ deviceId: 'ch1', roomId: 'plant', online: true, ts: 8 });
    expect(heard).toEqual(['equipment.started', 'equipment.stopped', 'device.offline', 'device.online']);
    const entries = dutyLog.list({}).reverse();
    expect(entries[0]).toMatchObject({ kind: 'equipment.started', deviceId: 'ch1', pointKey: 'ch1.unitStatus', params: { value: 2, rule: 'A3' } });
    expect(entries[2]).toMatchObject({ kind: 'device.offline', params: { detail: 'timeout' } });
    store.close();
  });

  it('P2: the chiller log is taken at start, before stop and every hour while running', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rw-eq-'));
    dirs.push(dir);
    const store = openStore(dir, silentLogger);
    const dutyLog = createDutyLog(store);
    const events = createEquipmentEvents({ site, dutyLog });
    const water = (value: number, ts: number): Reading => ({ pointKey: 'ch1.leavingWater', roomId: 'plant', deviceId: 'ch1', point: 'leavingWater', value, unit: '°C', quality: 'good', ts });
    const h = 3_600_000;
    events.evaluate([status(1, 0), water(12, 0)]);
    events.evaluate([status(3, 1000), water(11.5, 1000)]); // start: the readings at start
    events.tick(1000 + h - 1);
    events.evaluate([status(3, h), water(7.1, h)]);
    events.tick(1000 + h); // one hour after start
    events.evaluate([status(3, 2 * h), water(7.2, 2 * h)]);
    events.evaluate([status(1, 2 * h + 1000), water(9, 2 * h + 1000)]); // stop: the readings before it
    events.tick(10 * h); // stopped: no run log
    expect(dutyLog.list({}).reverse().map((e) => [e.kind, e.params.readings])).toEqual([
      ['equipment.started', 'unitStatus 3 · leavingWater 11.5 °C'],
      ['equipment.runLog', 'unitStatus 3 · leavingWater 7.1 °C'],
      ['equipment.stopped', 'unitStatus 3 · leavingWater 7.2 °C'],
    ]);
    store.close();
  });

  it('P2: equipment already running when the gateway starts or restarts gets its run log at once and every hour', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rw-eq-'));
    dirs.push(dir);
    const store = openStore(dir, silentLogger);
    const dutyLog = createDutyLog(store);
    const h = 3_600_000;
    const water = (value: number, ts: number): Reading => ({ pointKey: 'ch1.leavingWater', roomId: 'plant', deviceId: 'ch1', point: 'leavingWater', value, unit: '°C', quality: 'good', ts });
    // A first run of the gateway that finds the chiller running, then a restart (a fresh instance, same store).
    for (const start of [0, 5 * h]) {
      const events = createEquipmentEvents({ site, dutyLog });
      events.evaluate([status(3, start), water(7, start)]);
      events.tick(start + h - 1);
      events.evaluate([status(3, start + h), water(7.3, start + h)]);
      events.tick(start + h);
    }
    expect(dutyLog.list({}).reverse().map((e) => [e.kind, e.ts, e.params.readings])).toEqual([
      ['equipment.runLog', 0, 'unitStatus 3 · leavingWater 7 °C'],
      ['equipment.runLog', h, 'unitStatus 3 · leavingWater 7.3 °C'],
      ['equipment.runLog', 5 * h, 'unitStatus 3 · leavingWater 7 °C'],
      ['equipment.runLog', 6 * h, 'unitStatus 3 · leavingWater 7.3 °C'],
    ]);
    store.close();
  });

  it('gives the console the texts of enumerated values, so a status or fault code reads as the manual names it', () => {
    const points = siteView(site).points;
    expect(points.find((p) => p.key === 'ch1.unitStatus')!.values!['3']).toEqual({ en: 'Run', 'zh-CN': '运行' });
    expect(points.find((p) => p.key === 'ch1.leavingWater')!.values).toBeUndefined();
  });

  it('knows when equipment runs: listed values, a boolean, a threshold', () => {
    expect(isRunning({ when: [2, 3, 4] }, 3)).toBe(true);
    expect(isRunning({ when: [2, 3, 4] }, 5)).toBe(false);
    expect(isRunning({ when: true }, true)).toBe(true);
    expect(isRunning({ above: 0 }, 0)).toBe(false);
    expect(isRunning({ above: 0 }, 2650)).toBe(true);
  });
});

describe('stale readings', () => {
  const r: Reading = { pointKey: 'th1.temperature', roomId: 'dist', deviceId: 'th1', point: 'temperature', value: 26.5, unit: '°C', quality: 'good', ts: 1_000_000 };

  it('keeps a reading up to three poll intervals (at least 5 s) old, then shows it stale without its value', () => {
    expect(staleAfterMs(1000)).toBe(5000);
    expect(staleAfterMs(10_000)).toBe(30_000);
    expect(freshOrStale(r, 1_005_000, 5000)).toBe(r);
    expect(freshOrStale(r, 1_012_000, 5000)).toEqual({ ...r, value: null, quality: 'stale', detail: 'no reading for 12 s' });
  });
});
