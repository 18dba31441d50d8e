// Late and garbled RTU answers (issue 12 §1b), on a serial pty at 9600 8N1 (socat) and on RTU over TCP (a
// serial device server): two XY-MD02 units on one line, unit 1 read with two identically shaped requests
// (`maxRegisters: 1`: temperature, then humidity), unit 2 healthy. Seen in the field: with unit 1 answering
// 1.1 s late (timeout 1 s) its temperature read its humidity (55 °C, good: a false R1 alarm), and a unit
// 1.5 s late never went offline and showed values one poll old as good. Here unit 1 answers late, then with
// a broken CRC; the emulator answers each unit in order and independently, as separate slaves on one bus do,
// so a late answer really meets a later request. The healthy unit's cadence is read from the emulator's own
// request log (counts, no timing of our code).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultProfilesDir } from '../../src/config/load.ts';
import type { DeviceStatus } from '../../src/core/bus.ts';
import { systemClock } from '../../src/core/clock.ts';
import { silentLogger } from '../../src/core/logger.ts';
import type { Reading } from '../../src/core/reading.ts';
import { loadProfiles, modbusProfile } from '../../src/devices/profiles.ts';
import { startBusSimulator } from '../../src/simulators/modbus-simulator.ts';
import { createSimulatedUnit, type SimulatedUnit } from '../../src/simulators/modbus-unit.ts';
import { createModbusSource, type ModbusSource } from '../../src/sources/modbus/source.ts';
import { distributionSite } from '../helpers/modbus-site.ts';
import { socatPart, startSerialLine } from '../helpers/serial-pty.ts';
import { waitFor } from '../helpers/wait.ts';

const profiles = loadProfiles(defaultProfilesDir);
const xyMd02 = modbusProfile(profiles, 'xy-md02');
const intervalMs = 300;

interface Line {
  /** The `connection` keys of a device on this line, without its unit id. */
  connection: string;
  units: ReadonlyMap<number, SimulatedUnit>;
  requestLog: { unitId: number; at: number }[];
  close(): Promise<void>;
}

const lines: { name: string; skip: boolean; open: () => Promise<Line> }[] = [
  {
    name: 'a serial pty at 9600 8N1',
    skip: socatPart().skip,
    open: async () => {
      const units = new Map([1, 2].map((id) => [id, createSimulatedUnit(xyMd02, id)]));
      const requestLog: Line['requestLog'] = [];
      const line = await startSerialLine(units, { requestLog });
      return { connection: `type: rtu, path: ${line.path}`, units, requestLog, close: () => line.close() };
    },
  },
  {
    name: 'RTU over TCP (a serial device server)',
    skip: false,
    open: async () => {
      const requestLog: Line['requestLog'] = [];
      const bus = await startBusSimulator({ host: '127.0.0.1', port: 0, framing: 'rtu', logger: silentLogger, units: [1, 2].map((unitId) => ({ profile: xyMd02, unitId })), gateway: { requestLog } });
      return { connection: `type: rtu-over-tcp, host: 127.0.0.1, port: ${bus.port}`, units: bus.units, requestLog, close: () => bus.stop() };
    },
  },
];

for (const l of lines) {
  describe.skipIf(l.skip)(`late and garbled RTU answers on ${l.name}`, () => {
    let line: Line;
    let source: ModbusSource;
    const readings: Reading[] = [];
    /** Status changes, each with unit 1's failed cycles in a row as diagnostics showed them at that moment. */
    const statuses: (DeviceStatus & { failedCyclesTotal: number })[] = [];
    const unit1 = (): SimulatedUnit => line.units.get(1)!;
    const th1 = () => source.diagnostics().devices.find((d) => d.deviceId === 'th1')!;

    beforeAll(async () => {
      line = await l.open();
      unit1().set('temperature', 21.5);
      unit1().set('humidity', 55); // read as the temperature, this is a false R1 (40 °C) alarm
      line.units.get(2)!.set('temperature', 23.5);
      line.units.get(2)!.set('humidity', 45);
      const site = distributionSite(
        [
          `  - { id: th1, room: dist, profile: xy-md02, pollIntervalMs: ${intervalMs}, commLossAfterCycles: 2, connection: { ${line.connection}, unitId: 1, timeoutMs: 1000, maxRegisters: 1, maxGap: 0 } }`,
          `  - { id: th2, room: dist, profile: xy-md02, pollIntervalMs: ${intervalMs}, connection: { ${line.connection}, unitId: 2, timeoutMs: 1000 } }`,
        ].join('\n'),
        profiles,
      );
      source = createModbusSource({
        devices: site.modbusDevices,
        clock: systemClock,
        logger: silentLogger,
        emit: (b) => readings.push(...b),
        status: (s) => statuses.push({ ...s, failedCyclesTotal: th1().failedCycles }),
      });
      await source.start();
      await waitFor(() => readings.some((r) => r.pointKey === 'th1.humidity' && r.value === 55) && readings.some((r) => r.pointKey === 'th2.temperature' && r.value === 23.5), 'both units read');
    });
    afterAll(async () => {
      await source?.stop();
      await line?.close();
    });

    /**
     * Unit 1 misbehaves through `trouble` until it went offline and was asked `probes` more times; then it is
     * healed and comes back. Returns what happened meanwhile, and checks what must hold for unit 2.
     */
    const episode = async (trouble: () => void, heal: () => void, probes: number) => {
      const logFrom = line.requestLog.length;
      const readFrom = readings.length;
      const statusFrom = statuses.length;
      const failedBefore = th1().failedCycles;
      const from = performance.now();
      trouble();
      await waitFor(() => statuses.slice(statusFrom).some((s) => s.deviceId === 'th1' && !s.online), 'unit 1 offline', 60_000);
      const offlineAt = readings.length;
      const probesFrom = line.requestLog.filter((r) => r.unitId === 1).length;
      await waitFor(() => line.requestLog.filter((r) => r.unitId === 1).length >= probesFrom + probes, `${probes} more requests to unit 1`, 120_000);
      const healedAt = readings.length;
      const until = performance.now();
      heal();
      await waitFor(() => statuses.slice(statusFrom).some((s) => s.deviceId === 'th1' && s.online), 'unit 1 back online', 60_000);

      // Unit 2 kept its cycle (at least half the nominal requests; unit 1's timeouts hold the half-duplex line
      // for a second per probe) and never went offline, its values its own.
      const unit2Requests = line.requestLog.slice(logFrom).filter((r) => r.unitId === 2 && r.at <= until).length;
      expect(unit2Requests).toBeGreaterThanOrEqual(Math.floor((until - from) / intervalMs / 2));
      expect(statuses.filter((s) => s.deviceId === 'th2' && !s.online)).toEqual([]);
      const th2Good = readings.slice(readFrom).filter((r) => r.deviceId === 'th2' && r.quality === 'good');
      expect(th2Good.length).toBeGreaterThan(0);
      expect(th2Good.filter((r) => r.value !== (r.point === 'temperature' ? 23.5 : 45))).toEqual([]);
      const offline = statuses.slice(statusFrom).find((s) => s.deviceId === 'th1' && !s.online)!;
      return { readFrom, offlineAt, healedAt, offline, failedCycles: offline.failedCyclesTotal - failedBefore };
    };

    /** Unit 1's good readings are its own values, never the other point's (the swap seen in the field). */
    const expectNoSwap = (from: number): void => {
      const th1Good = readings.slice(from).filter((r) => r.deviceId === 'th1' && r.quality === 'good');
      expect(th1Good.filter((r) => r.point === 'temperature' && r.value !== 21.5)).toEqual([]);
      expect(th1Good.filter((r) => r.point === 'humidity' && r.value !== 55)).toEqual([]);
    };

    it('unit 1 losing a request now and then (noise): one failed cycle each, its next answer taken, never offline', async () => {
      const before = { late: source.diagnostics().links[0]!.lateAnswersDropped, bad: th1().badFrames, noAnswer: th1().noAnswer };
      const statusFrom = statuses.length;
      for (let i = 0; i < 4; i++) {
        const lost = th1().noAnswer;
        unit1().loseRequests(1);
        await waitFor(() => th1().noAnswer > lost, 'the lost request timed out');
        const after = readings.length;
        await waitFor(() => readings.slice(after).filter((r) => r.pointKey === 'th1.humidity' && r.quality === 'good').length >= 2, 'two good cycles after it');
      }
      expect(th1().noAnswer).toBe(before.noAnswer + 4);
      expect(th1().badFrames).toBe(before.bad); // the answer after a lost request is its own, not taken for a late one
      expect(source.diagnostics().links[0]!.lateAnswersDropped).toBe(before.late);
      expect(statuses.slice(statusFrom).filter((s) => s.deviceId === 'th1')).toEqual([]); // commLossAfterCycles 2: never offline
      expectNoSwap(0);
    }, 120_000);

    it('unit 1 answering 1.1 s late (timeout 1 s): its temperature never reads its humidity; it goes offline, unit 2 keeps its cadence', async () => {
      const droppedBefore = source.diagnostics().links[0]!.staleBytesDropped;
      const e = await episode(() => unit1().setDelay(1100), () => unit1().setDelay(0), 5);
      expectNoSwap(e.readFrom);
      // While late, not one answer of unit 1 passed for good: every late answer was thrown away, and counted.
      expect(readings.slice(e.offlineAt, e.healedAt).filter((r) => r.deviceId === 'th1' && r.quality === 'good')).toEqual([]);
      expect(e.offline.detail).toContain('timeout');
      expect(source.diagnostics().links[0]!.staleBytesDropped).toBeGreaterThan(droppedBefore);
    }, 300_000);

    it('unit 1 answering 1.5 s late goes offline after the hysteresis instead of showing stale values as good', async () => {
      const e = await episode(() => unit1().setDelay(1500), () => unit1().setDelay(0), 4);
      expectNoSwap(e.readFrom);
      expect(e.failedCycles).toBeGreaterThanOrEqual(2); // its commLossAfterCycles: 2 (no alarm per lost frame)
      expect(readings.slice(e.offlineAt, e.healedAt).filter((r) => r.deviceId === 'th1' && r.quality === 'good')).toEqual([]);
    }, 300_000);

    it('unit 1 answering 2.5 s late (past the wait after its timeout): the late answer meeting its next request is discarded and counted, never taken', async () => {
      const lateBefore = source.diagnostics().links[0]!.lateAnswersDropped;
      const badBefore = th1().badFrames;
      const e = await episode(() => unit1().setDelay(2500), () => unit1().setDelay(0), 4);
      expectNoSwap(e.readFrom);
      expect(readings.slice(e.offlineAt, e.healedAt).filter((r) => r.deviceId === 'th1' && r.quality === 'good')).toEqual([]);
      expect(source.diagnostics().links[0]!.lateAnswersDropped).toBeGreaterThan(lateBefore);
      expect(th1().badFrames).toBeGreaterThan(badBefore); // at least one late answer met a request of unit 1
    }, 300_000);

    it("unit 1's answers with a bad CRC: counted as bad frames, its cycles fail, unit 2 keeps its cadence", async () => {
      const before = th1().badFrames;
      const e = await episode(() => unit1().setBadCrc(true), () => unit1().setBadCrc(false), 4);
      expect(e.offline.detail).toBe('CRC error');
      expect(th1().badFrames).toBeGreaterThanOrEqual(before + 4); // at least every probe after it went offline
      expect(source.diagnostics().devices.find((d) => d.deviceId === 'th2')!.badFrames).toBe(0);
      expect(readings.slice(e.offlineAt, e.healedAt).filter((r) => r.deviceId === 'th1' && r.quality === 'good')).toEqual([]);
      expectNoSwap(e.readFrom);
    }, 300_000);
  });
}
