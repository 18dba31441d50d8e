// A merged read after a transient unit-wide exception (issue 12 §1): a unit answering 02 to everything for a few
// cycles (booting, a gateway's route missing) must not leave its points read one by one for good. Real poller,
// real Modbus TCP simulator; the requests per cycle are read from the diagnostics' own counters.
import { afterAll, describe, expect, it } from 'vitest';
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

describe('a merged read and a transient unit-wide exception 02', () => {
  let bus: BusSimulator | undefined;
  let source: ModbusSource | undefined;
  afterAll(async () => {
    await source?.stop();
    await bus?.stop();
  });

  it('is read point by point while every read is refused, and merged again once the unit answers', async () => {
    bus = await startBusSimulator({ host: '127.0.0.1', port: 0, framing: 'tcp', logger: silentLogger, units: [{ profile: modbusProfile(profiles, 'xy-md02'), unitId: 1 }] });
    const site = distributionSite(`  - { id: th1, room: dist, profile: xy-md02, pollIntervalMs: 100, connection: { type: tcp, host: 127.0.0.1, port: ${bus.port}, timeoutMs: 500 } }`, profiles);
    const readings: Reading[] = [];
    source = createModbusSource({ devices: site.modbusDevices, clock: systemClock, logger: silentLogger, emit: (b) => readings.push(...b) });
    await source.start();
    const th1 = () => source!.diagnostics().devices[0]!;
    /** Requests per cycle over the next `cycles` cycles (1: temperature and humidity in one read; 2: split). */
    const requestsPerCycle = async (cycles: number): Promise<number> => {
      const from = th1();
      await waitFor(() => th1().cycles >= from.cycles + cycles, `${cycles} cycles`);
      const to = th1();
      return (to.requests - from.requests) / (to.cycles - from.cycles);
    };
    await waitFor(() => readings.some((r) => r.point === 'humidity' && r.quality === 'good'), 'first good cycle');
    expect(await requestsPerCycle(10)).toBeLessThan(1.3);

    const unit = bus.units.get(1)!;
    unit.setException(2); // every read refused, the single ones too: unit-wide, not a gap in the map
    await waitFor(() => (th1().exceptions.find((e) => e.code === 2)?.count ?? 0) >= 9, 'three cycles of 02, merged and single reads');
    unit.setException(null);
    const back = readings.length;
    await waitFor(() => readings.slice(back).some((r) => r.point === 'humidity' && r.quality === 'good'), 'answering again');
    expect(await requestsPerCycle(10)).toBeLessThan(1.3); // merged again, not split for good
    expect(th1().configProblem).toBeNull();
  });
});
