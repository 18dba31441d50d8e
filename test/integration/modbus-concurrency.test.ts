// `concurrency` on a Modbus TCP connection (issue 3: "configurable concurrency on TCP"): four units behind
// one Modbus TCP gateway that answers slowly. With concurrency 4 the poller keeps several transactions in
// flight on the one connection (MBAP transaction ids; 4 is the default); with 1 it never has more than one.
// The simulator counts the requests waiting for their answer at once; no timing is asserted.
import { afterEach, describe, expect, it } from 'vitest';
import { defaultProfilesDir } from '../../src/config/load.ts';
import { systemClock } from '../../src/core/clock.ts';
import { silentLogger } from '../../src/core/logger.ts';
import type { Reading } from '../../src/core/reading.ts';
import { loadProfiles, modbusProfile } from '../../src/devices/profiles.ts';
import { startBusSimulator, type BusSimulator } from '../../src/simulators/modbus-simulator.ts';
import { createModbusSource, type ModbusSource } from '../../src/sources/modbus/source.ts';
import { distributionSite } from '../helpers/modbus-site.ts';
import { waitFor } from '../helpers/wait.ts';

const profiles = loadProfiles(defaultProfilesDir);
const unitIds = [1, 2, 3, 4];

describe('requests in flight on one Modbus TCP connection', () => {
  let bus: BusSimulator | undefined;
  let source: ModbusSource | undefined;
  afterEach(async () => {
    await source?.stop();
    await bus?.stop();
  });

  const run = async (concurrency: number): Promise<{ maxPending: number; readings: Reading[] }> => {
    bus = await startBusSimulator({ host: '127.0.0.1', port: 0, framing: 'tcp', units: unitIds.map((unitId) => ({ profile: modbusProfile(profiles, 'xy-md02'), unitId })), logger: silentLogger });
    for (const id of unitIds) {
      bus.units.get(id)!.setDelay(150);
      bus.units.get(id)!.set('temperature', 20 + id); // a different value per unit: a mixed-up answer shows
    }
    const devices = unitIds
      .map((u) => `  - { id: th${u}, room: dist, profile: xy-md02, pollIntervalMs: 200, connection: { type: tcp, host: 127.0.0.1, port: ${bus!.port}, unitId: ${u}, timeoutMs: 2000, concurrency: ${concurrency} } }`)
      .join('\n');
    const site = distributionSite(devices, profiles);
    const readings: Reading[] = [];
    source = createModbusSource({ devices: site.modbusDevices, clock: systemClock, logger: silentLogger, emit: (b) => readings.push(...b) });
    await source.start();
    await waitFor(() => unitIds.every((u) => readings.filter((r) => r.deviceId === `th${u}` && r.quality === 'good').length >= 6), 'three good cycles of every unit');
    return { maxPending: bus.maxPending, readings };
  };

  it('concurrency 4: several transactions in flight at once, every answer matched to its unit', async () => {
    const { maxPending, readings } = await run(4);
    expect(maxPending).toBeGreaterThan(1);
    expect(maxPending).toBeLessThanOrEqual(4);
    expect(readings.every((r) => r.quality === 'good' && r.value === (r.point === 'temperature' ? 20 + Number(r.deviceId.slice(2)) : 48))).toBe(true);
  });

  it('concurrency 1 (for a gateway that takes one request at a time): one transaction at a time', async () => {
    const { maxPending } = await run(1);
    expect(maxPending).toBe(1);
  });
});
