// Garbage on the wire must never crash the poller or be read as a value (non-negotiable: bad input is a
// clear error, never a crash, never a silent drop): a "device" answering noise over Modbus TCP, and a serial
// device server whose RTU answers have a bad CRC. Each poll cycle still reports every point, comm_lost with
// a reason, and polling goes on.
import { createServer, type AddressInfo, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { defaultProfilesDir, parseSite } from '../../src/config/load.ts';
import { systemClock } from '../../src/core/clock.ts';
import { silentLogger } from '../../src/core/logger.ts';
import type { Reading } from '../../src/core/reading.ts';
import { loadProfiles } from '../../src/devices/profiles.ts';
import { crc16 } from '../../src/simulators/modbus-frames.ts';
import { createModbusSource, type ModbusSource } from '../../src/sources/modbus/source.ts';
import { waitFor } from '../helpers/wait.ts';

const profiles = loadProfiles(defaultProfilesDir);

const device = (type: 'tcp' | 'rtu-over-tcp', port: number) =>
  parseSite('garbage.yaml', `
site: { id: g, name: { en: G, zh-CN: G }, demo: true }
rooms: [{ id: dist, kind: distribution, name: { en: D, zh-CN: 配电房 } }]
devices:
  - { id: th1, room: dist, profile: xy-md02, pollIntervalMs: 100, connection: { type: ${type}, host: 127.0.0.1, port: ${port}, timeoutMs: 200 } }
users: [{ username: duty, displayName: Duty, role: duty, password: duty }]
`, profiles).modbusDevices;

/** A TCP server answering every chunk it receives with `answer(chunk)`. */
async function liar(answer: (request: Buffer) => Buffer): Promise<Server> {
  const server = createServer((socket) => {
    socket.on('data', (chunk) => socket.write(answer(chunk)));
    socket.on('error', () => {});
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

describe('garbage answers', () => {
  let server: Server | undefined;
  let source: ModbusSource | undefined;
  afterEach(async () => {
    await source?.stop();
    await new Promise((r) => (server ? server.close(r) : r(undefined)));
  });

  const poll = async (type: 'tcp' | 'rtu-over-tcp'): Promise<Reading[]> => {
    const readings: Reading[] = [];
    source = createModbusSource({ devices: device(type, (server!.address() as AddressInfo).port), clock: systemClock, logger: silentLogger, emit: (b) => readings.push(...b) });
    await source.start();
    await waitFor(() => readings.filter((r) => r.point === 'temperature').length >= 5, 'five cycles despite the garbage');
    return readings;
  };

  it('Modbus TCP: noise, answers to other transactions and truncated frames are comm_lost, never a value; polling goes on', async () => {
    let n = 0;
    server = await liar((req) => {
      n++;
      if (n % 3 === 0) return Buffer.from('HTTP/1.1 400 Bad Request\r\n\r\n');
      // A well-formed answer to a transaction that was never asked (another master's, a stale one).
      if (n % 3 === 1) return Buffer.from([req[0]! ^ 0xff, req[1]! ^ 0xff, 0x00, 0x00, 0x00, 0x07, 0x01, 0x04, 0x04, 0x01, 0x31, 0x02, 0x22]);
      return req.subarray(0, 9); // a truncated echo
    });
    const readings = await poll('tcp');
    expect(readings.every((r) => r.quality !== 'good' && r.value === null)).toBe(true);
    expect(readings.every((r) => typeof r.detail === 'string' && r.detail.length > 0)).toBe(true);
  });

  it('RTU over TCP: an answer with a bad CRC is not a value', async () => {
    server = await liar((req) => {
      // The XY-MD02 answer of devices.md §1a (30.5 °C, 54.6 %RH) with its CRC spoilt.
      const frame = Buffer.from([req[0]!, 0x04, 0x04, 0x01, 0x31, 0x02, 0x22, 0x00, 0x00]);
      frame.writeUInt16LE(crc16(frame, 7) ^ 0xffff, 7);
      return frame;
    });
    const readings = await poll('rtu-over-tcp');
    expect(readings.every((r) => r.quality === 'comm_lost' && r.value === null)).toBe(true);
  });
});
