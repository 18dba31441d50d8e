// Several units behind one Modbus TCP gateway (issue 12 §1, the most common topology): one socket, four units,
// unit 4 first answering too late, then silent, then making the gateway drop the connection. The healthy
// units' cadence is read from the server's own request log (counts per window, no timing of our code); they
// never go offline, and the dead unit logs one line down and none per retry (§4).
import { afterEach, describe, expect, it } from 'vitest';
import { defaultProfilesDir } from '../../src/config/load.ts';
import type { DeviceStatus } from '../../src/core/bus.ts';
import { systemClock } from '../../src/core/clock.ts';
import { createLogger } from '../../src/core/logger.ts';
import type { Reading } from '../../src/core/reading.ts';
import { loadProfiles, modbusProfile } from '../../src/devices/profiles.ts';
import { startBusSimulator, type BusSimulator } from '../../src/simulators/modbus-simulator.ts';
import { createModbusSource, type ModbusSource } from '../../src/sources/modbus/source.ts';
import { distributionSite } from '../helpers/modbus-site.ts';
import { waitFor } from '../helpers/wait.ts';

const profiles = loadProfiles(defaultProfilesDir);
const unitIds = [1, 2, 3, 4];
const intervalMs = 200;
const healthy = ['th1', 'th2', 'th3'];

describe('four units behind one Modbus TCP gateway, one of them failing', () => {
  let bus: BusSimulator | undefined;
  let source: ModbusSource | undefined;
  afterEach(async () => {
    await source?.stop();
    await bus?.stop();
  });

  const start = async (serializedBusTimeoutMs?: number) => {
    const requestLog: { unitId: number; at: number }[] = [];
    const disconnectOn = new Set<number>();
    bus = await startBusSimulator({
      host: '127.0.0.1', port: 0, framing: 'tcp', logger: createLogger('error', {}, () => {}),
      units: unitIds.map((unitId) => ({ profile: modbusProfile(profiles, 'xy-md02'), unitId })),
      gateway: { requestLog, disconnectOn, ...(serializedBusTimeoutMs !== undefined ? { serializedBusTimeoutMs } : {}) },
    });
    for (const id of unitIds) {
      bus.units.get(id)!.set('temperature', 20 + id);
      bus.units.get(id)!.set('humidity', 60 + id); // a humidity read as a temperature would show
    }
    // Unit 4 reads its two points with two identically shaped requests, so a late answer matched to the next
    // request would put its humidity into its temperature (issue 12 §1b; on TCP the transaction id decides).
    const devices = unitIds
      .map((u) => `  - { id: th${u}, room: dist, profile: xy-md02, pollIntervalMs: ${intervalMs}, connection: { type: tcp, host: 127.0.0.1, port: ${bus!.port}, unitId: ${u}, timeoutMs: 300${u === 4 ? ', maxRegisters: 1, maxGap: 0' : ''} } }`)
      .join('\n');
    const site = distributionSite(devices, profiles);
    const readings: Reading[] = [];
    const statuses: DeviceStatus[] = [];
    const logLines: { level: string; msg: string; device?: string }[] = [];
    const logger = createLogger('info', {}, (line) => logLines.push(JSON.parse(line) as { level: string; msg: string; device?: string }));
    source = createModbusSource({ devices: site.modbusDevices, clock: systemClock, logger, emit: (b) => readings.push(...b), status: (s) => statuses.push(s) });
    await source.start();
    await waitFor(() => unitIds.every((u) => statuses.some((s) => s.deviceId === `th${u}` && s.online)), 'every unit answers once');
    return { bus: bus, requestLog, disconnectOn, readings, statuses, logLines };
  };

  /** Requests each healthy unit received between two moments of the server's log. */
  const perUnit = (log: { unitId: number; at: number }[], from: number, to: number): number[] =>
    [1, 2, 3].map((u) => log.filter((r) => r.unitId === u && r.at >= from && r.at <= to).length);

  it('slow, then silent, then dropping the connection: the healthy units keep their cycle and never go offline', async () => {
    const g = await start();
    const unit4 = g.bus.units.get(4)!;
    const probesOf4 = (): number => g.requestLog.filter((r) => r.unitId === 4).length;

    // 1. Unit 4 answers 450 ms late (timeout 300 ms): its late answers are dropped by transaction id.
    unit4.setDelay(450);
    const slowFrom = performance.now();
    await waitFor(() => g.statuses.some((s) => s.deviceId === 'th4' && !s.online), 'the slow unit offline', 30_000);
    // 2. Silent.
    unit4.setDelay(0);
    unit4.setOffline(true);
    const silentFrom = probesOf4();
    await waitFor(() => probesOf4() >= silentFrom + 4, 'four probes of the silent unit', 60_000);
    // 3. Every request to unit 4 makes the gateway drop the connection.
    unit4.setOffline(false);
    g.disconnectOn.add(4);
    const dropFrom = probesOf4();
    await waitFor(() => probesOf4() >= dropFrom + 3, 'three connection drops caused by unit 4', 60_000);
    const until = performance.now();

    // Cadence from the server's log: at least half the nominal number of requests per healthy unit.
    const nominal = (until - slowFrom) / intervalMs;
    for (const n of perUnit(g.requestLog, slowFrom, until)) expect(n).toBeGreaterThanOrEqual(Math.floor(nominal / 2));
    // The dead unit was probed at its own backoff, far less often than the healthy ones.
    expect(g.requestLog.filter((r) => r.unitId === 4 && r.at >= slowFrom).length).toBeLessThan(Math.min(...perUnit(g.requestLog, slowFrom, until)) / 2);
    // No healthy unit ever went offline; the dead one once, naming its own error.
    expect(g.statuses.filter((s) => healthy.includes(s.deviceId) && !s.online)).toEqual([]);
    expect(g.statuses.filter((s) => s.deviceId === 'th4' && !s.online)).toHaveLength(1);
    expect(g.statuses.find((s) => s.deviceId === 'th4' && !s.online)!.detail).toContain('timeout');
    // Healthy readings stayed good apart from a request in flight when the gateway dropped the connection.
    const bad = g.readings.filter((r) => healthy.includes(r.deviceId) && r.quality !== 'good');
    expect(bad.every((r) => /connection closed/.test(r.detail ?? ''))).toBe(true);
    // A late answer is never taken for the next request's: unit 4's temperature is never its humidity.
    expect(g.readings.filter((r) => r.pointKey === 'th4.temperature' && r.quality === 'good' && r.value !== 24)).toEqual([]);
    // §4: one line when unit 4 went down, none per retry; nothing logged as offline for the healthy units.
    const offlineLines = g.logLines.filter((l) => l.msg === 'modbus device offline');
    expect(offlineLines.map((l) => l.device)).toEqual(['th4']);
    expect(g.logLines.filter((l) => l.level === 'warn' && l.msg !== 'modbus device offline' && l.msg !== 'modbus connection lost').length).toBeLessThanOrEqual(2);

    // Back: unit 4 answers again and comes back once (after the hysteresis' good cycles).
    g.disconnectOn.delete(4);
    await waitFor(() => g.statuses.some((s) => s.deviceId === 'th4' && s.online && s.ts > 0 && g.statuses.indexOf(s) > g.statuses.findIndex((x) => x.deviceId === 'th4' && !x.online)), 'unit 4 back online', 60_000);
    expect(g.logLines.filter((l) => l.msg === 'modbus device back online').map((l) => l.device)).toEqual(['th4']);
  });

  it('gateway serializing one RS-485 bus (0x0B after its own 150 ms bus timeout): the healthy units stay online', async () => {
    const g = await start(150);
    g.bus.units.get(4)!.setOffline(true);
    const from = performance.now();
    const probesOf4 = (): number => g.requestLog.filter((r) => r.unitId === 4).length;
    const first = probesOf4();
    await waitFor(() => g.statuses.some((s) => s.deviceId === 'th4' && !s.online), 'the silent unit offline', 30_000);
    await waitFor(() => probesOf4() >= first + 6, 'six probes of the silent unit', 60_000);
    const until = performance.now();
    const nominal = (until - from) / intervalMs;
    for (const n of perUnit(g.requestLog, from, until)) expect(n).toBeGreaterThanOrEqual(Math.floor(nominal / 2));
    expect(g.statuses.filter((s) => healthy.includes(s.deviceId) && !s.online)).toEqual([]);
    expect(g.readings.filter((r) => healthy.includes(r.deviceId) && r.quality !== 'good')).toEqual([]);
    // The offline reason is the unit's own: the gateway's 0x0B for unit 4, not another unit's error.
    expect(g.statuses.find((s) => s.deviceId === 'th4' && !s.online)!.detail).toBe('Modbus exception 11: gateway target device failed to respond');
  });
});
