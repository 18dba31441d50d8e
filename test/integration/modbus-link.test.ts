// A Modbus TCP link keeps nothing of a finished request (issue 3: RSS at 500 devices). modbus-serial holds each
// transaction until its MBAP id comes round again, 256 requests later; the link drops it once it has ended,
// so a device polled for hours holds only what is on the wire. Real simulator on loopback.
import { afterEach, describe, expect, it } from 'vitest';
import { defaultProfilesDir } from '../../src/config/load.ts';
import { silentLogger } from '../../src/core/logger.ts';
import { loadProfiles, modbusProfile } from '../../src/devices/profiles.ts';
import { startBusSimulator, type BusSimulator } from '../../src/simulators/modbus-simulator.ts';
import { createModbusLink, type ModbusLink } from '../../src/sources/modbus/link.ts';

const profiles = loadProfiles(defaultProfilesDir);

describe('Modbus TCP link: finished requests are not held', () => {
  let bus: BusSimulator | undefined;
  let link: ModbusLink | undefined;
  afterEach(async () => {
    await link?.close();
    await bus?.stop();
  });

  it('after 300 reads (more than the 256 MBAP ids) and a timed-out one, the client holds no request', async () => {
    bus = await startBusSimulator({ host: '127.0.0.1', port: 0, framing: 'tcp', units: [{ profile: modbusProfile(profiles, 'xy-md02'), unitId: 1 }], logger: silentLogger });
    link = createModbusLink({ key: 'tcp:test', endpoint: `127.0.0.1:${bus.port}`, type: 'tcp', host: '127.0.0.1', port: bus.port, concurrency: 1, timeoutMs: 300, silentTimeoutsBeforeReconnect: 5 }, silentLogger);
    const signal = new AbortController().signal;
    bus.units.get(1)!.set('temperature', 23.4);
    for (let i = 0; i < 300; i++) expect(await link.read(1, 'input', 1, 2, signal)).toEqual([234, expect.any(Number)]);
    expect(link.status()).toMatchObject({ state: 'connected', requestsHeld: 0 });

    // One in flight is held while it is on the wire, and dropped when it times out.
    bus.units.get(1)!.setDelay(1000);
    const slow = link.read(1, 'input', 1, 2, signal).catch((err: unknown) => err);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(link.status().requestsHeld).toBe(1);
    expect(String(await slow)).toMatch(/timeout/);
    expect(link.status().requestsHeld).toBe(0);
  });
});
