// A Modbus TCP link keeps nothing of a finished request (issue 3: RSS at 500 devices): a device polled for hours
// holds only what is on the wire. And its own MBAP client (tcp-client.ts, issue 17) frames answers however TCP
// cuts them. Real simulator and real sockets on loopback.
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
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

describe('Modbus TCP link: answers however TCP delivers them (tcp-client.ts)', () => {
  let server: Server | undefined;
  let link: ModbusLink | undefined;
  afterEach(async () => {
    await link?.close();
    await new Promise((r) => (server ? server.close(r) : r(undefined)));
  });

  /** A device that gathers requests and answers them all at once, cut into pieces of `piece` bytes. */
  const device = async (piece: number, batch: number): Promise<{ port: number }> => {
    const answer = (req: Buffer): Buffer => {
      const fc = req[7]!;
      const count = req.readUInt16BE(10);
      const data = fc <= 2 ? Buffer.from([0b00000101]) : Buffer.alloc(2 * count);
      if (fc > 2) for (let i = 0; i < count; i++) data.writeUInt16BE(100 + req.readUInt16BE(8) + i, 2 * i);
      const head = Buffer.from([req[0]!, req[1]!, 0, 0, 0, 3 + data.length, req[6]!, fc, data.length]);
      return Buffer.concat([head, data]);
    };
    server = createServer((socket: Socket) => {
      let held: Buffer[] = [];
      socket.on('data', (chunk) => {
        for (let at = 0; at + 12 <= chunk.length; at += 12) held.push(answer(chunk.subarray(at, at + 12)));
        if (held.length < batch) return;
        const all = Buffer.concat(held);
        held = [];
        for (let at = 0; at < all.length; at += piece) socket.write(all.subarray(at, at + piece));
      });
      socket.on('error', () => {});
    });
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    return { port: (server.address() as AddressInfo).port };
  };

  it('an answer cut in two, two answers in one piece, and coils: each to its own request', async () => {
    const { port } = await device(5, 2);
    link = createModbusLink({ key: 'tcp:pieces', endpoint: `127.0.0.1:${port}`, type: 'tcp', host: '127.0.0.1', port, concurrency: 2, timeoutMs: 1000, silentTimeoutsBeforeReconnect: 5 }, silentLogger);
    const signal = new AbortController().signal;
    const [a, b] = await Promise.all([link.read(1, 'holding', 10, 3, signal), link.read(1, 'input', 20, 2, signal)]);
    expect([a, b]).toEqual([[110, 111, 112], [120, 121]]);
    const [c, d] = await Promise.all([link.read(1, 'coil', 0, 3, signal), link.read(1, 'holding', 0, 1, signal)]);
    expect(c.slice(0, 3)).toEqual([true, false, true]);
    expect(d).toEqual([100]);
    expect(link.status()).toMatchObject({ state: 'connected', requestsHeld: 0, reconnects: 0 });
  });
});
