// The real poller against the real simulator on loopback, with the XY-MD02 profile (devices.md §1a):
// values, negative temperatures, Modbus exceptions, a device that goes away and comes back, and a
// third-party client (Debian's mbpoll) reading the simulator. Assertions are on what happened, not timing.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';
import { defaultProfilesDir, parseSite, type SiteDevice } from '../../src/config/load.ts';
import { loadProfiles, modbusProfile } from '../../src/devices/profiles.ts';
import { createLogger, silentLogger } from '../../src/core/logger.ts';
import { systemClock } from '../../src/core/clock.ts';
import type { Reading } from '../../src/core/reading.ts';
import { createModbusSource, type ModbusSource } from '../../src/sources/modbus/source.ts';
import { startModbusSimulator, type ModbusSimulator } from '../../src/simulators/modbus-simulator.ts';
import { oneSensorSiteYaml } from '../helpers/gateway.ts';
import { waitFor } from '../helpers/wait.ts';

const profiles = loadProfiles(defaultProfilesDir);
const xyMd02 = modbusProfile(profiles, 'xy-md02');

function siteDevice(port: number, unitId = 1): SiteDevice {
  return parseSite('poller-test.yaml', oneSensorSiteYaml({ port, unitId, pollIntervalMs: 100 }), profiles).modbusDevices[0]!;
}

const startSim = (port = 0): Promise<ModbusSimulator> =>
  startModbusSimulator({ profile: xyMd02, host: '127.0.0.1', port, unitId: 1, logger: silentLogger });

describe('Modbus poller against the simulator (XY-MD02)', () => {
  let sim: ModbusSimulator;
  let poller: ModbusSource;
  const readings: Reading[] = [];
  const logs: { level: string; msg: string; detail?: string }[] = [];
  let startedAt = 0;
  const since = (mark: number, point: string): Reading[] => readings.slice(mark).filter((r) => r.point === point);
  const latest = (point: string): Reading | undefined => readings.findLast((r) => r.point === point);

  beforeAll(async () => {
    sim = await startSim();
    const logger = createLogger('debug', {}, (line) => logs.push(JSON.parse(line) as (typeof logs)[number]));
    poller = createModbusSource({ devices: [siteDevice(sim.port)], clock: systemClock, logger, emit: (batch) => readings.push(...batch) });
    startedAt = Date.now();
    await poller.start();
  });

  afterAll(async () => {
    await poller?.stop();
    await sim?.stop();
  });

  it('emits one good reading per point with the profile values, key, room, unit and acquisition time', async () => {
    await waitFor(() => latest('temperature')?.quality === 'good' && latest('humidity')?.quality === 'good', 'first good readings');
    expect(latest('temperature')).toMatchObject({
      pointKey: 'dist-b1-th1.temperature',
      deviceId: 'dist-b1-th1',
      roomId: 'dist-room-b1',
      point: 'temperature',
      value: 26.5,
      unit: '°C',
      quality: 'good',
    });
    expect(latest('humidity')).toMatchObject({ pointKey: 'dist-b1-th1.humidity', value: 48, unit: '%RH', quality: 'good' });
    expect(latest('temperature')!.detail).toBeUndefined();
    // Acquisition time from the injected clock: after the poller started, not in the future.
    expect(latest('temperature')!.ts).toBeGreaterThanOrEqual(startedAt);
    expect(latest('temperature')!.ts).toBeLessThanOrEqual(Date.now());
    expect(logs.filter((l) => l.msg === 'modbus connected')).toHaveLength(1);
  });

  it('reads a negative temperature after the simulator is set to −5.2 °C', async () => {
    const mark = readings.length;
    sim.set('temperature', -5.2);
    await waitFor(() => since(mark, 'temperature').some((r) => r.value === -5.2), 'a reading of −5.2');
    const first = since(mark, 'temperature').findIndex((r) => r.value === -5.2);
    await waitFor(() => since(mark, 'temperature').length > first + 3, 'more readings');
    // Once the new value is read, it stays; nothing in between is a different number.
    expect(since(mark, 'temperature').slice(first).every((r) => r.value === -5.2 && r.quality === 'good')).toBe(true);
    expect(since(mark, 'temperature').every((r) => r.value === -5.2 || r.value === 26.5)).toBe(true);
  });

  it('marks the points bad with the exception text when the device answers exception 02, then recovers', async () => {
    let mark = readings.length;
    sim.setException(2);
    const badBoth = (): boolean =>
      ['temperature', 'humidity'].every((p) => since(mark, p).some((r) => r.quality === 'bad'));
    await waitFor(badBoth, 'bad readings for both points');
    for (const r of readings.slice(mark).filter((x) => x.quality !== 'good')) {
      expect(r).toMatchObject({ quality: 'bad', value: null, detail: 'Modbus exception 2: illegal data address' });
    }
    // Every register refused at once is a unit-wide exception, not a gap in the merged read: the read is not
    // split for good (issue 12 §1), so it is merged again once the device answers normally.
    expect(logs.filter((l) => l.msg.includes('rejected a merged read'))).toHaveLength(0);
    // An exception is a device answer, not a lost connection.
    expect(logs.filter((l) => l.msg === 'modbus connection lost')).toHaveLength(0);

    sim.setException(null);
    mark = readings.length;
    await waitFor(() => latest('temperature')?.quality === 'good' && latest('humidity')?.quality === 'good', 'good readings again');
    expect(latest('temperature')!.value).toBe(-5.2);
  });

  it('reports comm_lost with no value while the device is gone, and recovers by itself when it returns', async () => {
    const port = sim.port;
    await sim.stop();
    const mark = readings.length;
    await waitFor(
      () => ['temperature', 'humidity'].every((p) => since(mark, p).filter((r) => r.quality === 'comm_lost').length >= 3),
      'several comm_lost cycles',
    );
    const lost = readings.slice(mark).filter((r) => r.quality !== 'good');
    expect(lost.length).toBeGreaterThan(0);
    for (const r of lost) {
      expect(r.quality).toBe('comm_lost');
      expect(r.value).toBeNull(); // never the last value (−5.2) as if it were fresh
      expect(r.detail).toBeTruthy();
    }
    expect(logs.filter((l) => l.msg === 'modbus connection lost')).toHaveLength(1);

    sim = await startSim(port); // a fresh device: back to the profile's initial 26.5 °C
    const back = readings.length;
    await waitFor(() => since(back, 'temperature').some((r) => r.quality === 'good'), 'recovery after restart', 60_000);
    expect(since(back, 'temperature').find((r) => r.quality === 'good')!.value).toBe(26.5);
    expect(logs.filter((l) => l.msg === 'modbus connection recovered')).toHaveLength(1);
    expect(logs.filter((l) => l.msg === 'modbus connection lost')).toHaveLength(1); // logged once, not per cycle
  });

  const hasMbpoll = existsSync('/usr/bin/mbpoll');
  const mbpollTitle = 'Debian mbpoll reads 415 from input register [2] after set(temperature, 41.5)';
  if (hasMbpoll || process.env.CI) {
    it(mbpollTitle, async () => {
      if (!hasMbpoll) throw new Error('/usr/bin/mbpoll is required in CI (apt-get install mbpoll)');
      sim.set('temperature', 41.5);
      // execFile, not execFileSync: the simulator answers from this very event loop.
      const { stdout } = await promisify(execFile)('/usr/bin/mbpoll', ['-m', 'tcp', '-p', String(sim.port), '-a', '1', '-t', '3', '-r', '2', '-c', '2', '-1', '127.0.0.1'], {
        encoding: 'utf8',
        timeout: 20_000,
      });
      expect(stdout).toMatch(/\[2\]:\s+415\b/);
      expect(stdout).toMatch(/\[3\]:\s+480\b/);
    });
  } else {
    it.skip(`${mbpollTitle} — SKIPPED: /usr/bin/mbpoll is not installed (apt-get install mbpoll)`, () => {});
  }

  it('gets no answer for another unit id: comm_lost with a timeout, no value', async () => {
    const other: Reading[] = [];
    const p = createModbusSource({ devices: [siteDevice(sim.port, 2)], clock: systemClock, logger: silentLogger, emit: (b) => other.push(...b) });
    await p.start();
    try {
      await waitFor(() => other.some((r) => r.quality === 'comm_lost'), 'comm_lost for unit 2');
      expect(other.find((r) => r.quality === 'comm_lost')).toMatchObject({ value: null, detail: expect.stringContaining('timeout') });
      expect(other.some((r) => r.quality === 'good')).toBe(false);
    } finally {
      await p.stop();
    }
  });

  it('stops promptly and emits nothing after stop()', async () => {
    await poller.stop();
    const count = readings.length;
    await new Promise((r) => setTimeout(r, 400)); // four poll intervals
    expect(readings.length).toBe(count);
    await poller.stop(); // idempotent
  });
});
