// Modbus framing for the simulators: the PDU answer of a unit (Modbus Application Protocol 1.1b §6), the
// MBAP header of Modbus TCP (Messaging on TCP/IP Implementation Guide §3.1.3) and RTU frames with CRC-16
// (Modbus over Serial Line 1.02 §2.5.1). Written here rather than using modbus-serial's servers so one
// simulated bus can hold many units, stay silent for a dead one and answer slowly, as real buses do.
import type { Duplex } from 'node:stream';
import type { RegisterTable } from '../devices/profile-schema.ts';
import { crc16 } from '../sources/modbus/rtu-frames.ts';
import type { SimulatedUnit } from './modbus-unit.ts';

export { crc16 };

const readTables: Readonly<Record<number, RegisterTable>> = { 1: 'coil', 2: 'discrete', 3: 'holding', 4: 'input' };

const exceptionPdu = (fc: number, code: number): Buffer => Buffer.from([fc | 0x80, code & 0xff]);

/** The response PDU of `unit` to a request PDU, or `silent` (no such unit, unit offline). */
export function answerPdu(unit: SimulatedUnit | undefined, pdu: Buffer): Buffer | 'silent' {
  if (!unit || pdu.length < 1) return 'silent';
  const fc = pdu[0]!;
  const table = readTables[fc];
  if (!table) return unit.offline ? 'silent' : exceptionPdu(fc, unit.exception ?? 1); // writes: read-only (R4)
  if (pdu.length < 5) return exceptionPdu(fc, 3);
  const address = pdu.readUInt16BE(1);
  const count = pdu.readUInt16BE(3);
  const bits = fc <= 2;
  if (count < 1 || count > (bits ? 2000 : 125)) return exceptionPdu(fc, 3); // §6.1–6.4 quantity limits
  const answer = unit.read(table, address, count);
  if (answer === 'silent') return 'silent';
  if ('exception' in answer) return exceptionPdu(fc, answer.exception);
  if (bits) {
    const bytes = Buffer.alloc(Math.ceil(count / 8));
    answer.words.forEach((b, i) => {
      if (b) bytes[i >> 3]! |= 1 << (i & 7);
    });
    return Buffer.concat([Buffer.from([fc, bytes.length]), bytes]);
  }
  const out = Buffer.alloc(2 + count * 2);
  out[0] = fc;
  out[1] = count * 2;
  answer.words.forEach((w, i) => out.writeUInt16BE(w, 2 + i * 2));
  return out;
}

/** Length of the RTU request frame at the start of `buf`, 0 if more bytes are needed, -1 if unknown. */
function rtuRequestLength(buf: Buffer): number {
  if (buf.length < 2) return 0;
  const fc = buf[1]!;
  if (fc >= 1 && fc <= 6) return 8; // unit, fc, address, count/value, crc
  if (fc === 15 || fc === 16) return buf.length < 7 ? 0 : 9 + buf[6]!;
  return -1;
}

type Lookup = (unitId: number) => SimulatedUnit | undefined;

/** Requests waiting for their answer on one listener, and the most at once: shows a client's concurrency. */
export interface PendingStats {
  pending: number;
  maxPending: number;
}

const answerLater = (unit: SimulatedUnit | undefined, stats: PendingStats, send: () => void): void => {
  const delay = unit?.delayMs ?? 0;
  stats.pending++;
  stats.maxPending = Math.max(stats.maxPending, stats.pending);
  const done = (): void => {
    stats.pending--;
    send();
  };
  if (delay > 0) setTimeout(done, delay).unref();
  else done();
};

/** What an RTU listener does besides answering: the concurrency seen, and every request as it arrived. */
export interface RtuServing {
  stats?: PendingStats;
  /** Every request with a good CRC as it arrived: the emulator's own log, for asserting a client's cadence. */
  requestLog?: { unitId: number; at: number }[];
  /**
   * Real character timing of a serial line: answers go out a byte at a time, one character time apart (11 bits
   * per character: start, 8 data, parity or a second stop, stop), one frame after the other on the line.
   */
  baudRate?: number;
}

/**
 * Serves RTU frames on a stream (a TCP socket to a "serial device server", or a serial port). Each unit takes
 * its requests one at a time in arrival order and answers after its own delay, independently of the other
 * units on the line, as separate slaves on one RS-485 bus do: a slow unit's late answer comes after the
 * master has moved on, and may meet a later request (issue 12 §1b). A frame with a bad CRC is ignored, as a
 * slave ignores noise (Serial Line §2.5.1.2); a unit set to `badCrc` sends its answers with a broken CRC.
 */
export function serveRtu(stream: Duplex, units: Lookup, serving: RtuServing = {}): void {
  const stats = serving.stats ?? { pending: 0, maxPending: 0 };
  const charMs = serving.baudRate ? (11 * 1000) / serving.baudRate : 0;
  /** The transmitter: frames leave one after the other, paced at the character time when one is given. */
  let line: Promise<void> = Promise.resolve();
  const transmit = (out: Buffer): void => {
    if (charMs === 0) {
      if (stream.writable) stream.write(out);
      return;
    }
    line = line.then(async () => {
      for (const byte of out) {
        if (!stream.writable) return;
        stream.write(Buffer.from([byte]));
        await new Promise<void>((resolve) => setTimeout(resolve, charMs).unref());
      }
    });
  };
  let buf: Buffer = Buffer.alloc(0);
  /** Per unit, the end of its previous answer: a unit answers in order, one request after the other. */
  const unitBusy = new Map<number, Promise<void>>();
  const pump = (): void => {
    for (;;) {
      const len = rtuRequestLength(buf);
      if (len === 0 || buf.length < len) return;
      if (len < 0) {
        buf = Buffer.alloc(0); // unknown function: resynchronise on the next frame
        return;
      }
      const frame = Buffer.from(buf.subarray(0, len));
      buf = buf.subarray(len);
      if (crc16(frame, len - 2) !== frame.readUInt16LE(len - 2)) continue;
      const unitId = frame[0]!;
      serving.requestLog?.push({ unitId, at: performance.now() });
      const unit = units(unitId);
      const previous = unitBusy.get(unitId) ?? Promise.resolve();
      const done = previous.then(
        () =>
          new Promise<void>((resolve) => {
            const pdu = answerPdu(unit, frame.subarray(1, len - 2)); // read when its turn comes, as a slave does
            if (pdu === 'silent') return resolve();
            answerLater(unit, stats, () => {
              const out = Buffer.alloc(pdu.length + 3);
              out[0] = unitId;
              pdu.copy(out, 1);
              out.writeUInt16LE(crc16(out, out.length - 2) ^ (unit?.badCrc ? 0xffff : 0), out.length - 2);
              transmit(out);
              resolve();
            });
          }),
      );
      unitBusy.set(unitId, done);
    }
  };
  stream.on('data', (chunk: Buffer) => {
    buf = buf.length === 0 ? chunk : Buffer.concat([buf, chunk]);
    pump();
  });
}

/** How a Modbus TCP gateway behaves towards the units behind it (tests of issue 12). */
export interface GatewayBehaviour {
  /** Every request as it arrived: the server's own log, for asserting a client's cadence (RTU framing too). */
  requestLog?: { unitId: number; at: number }[];
  /**
   * One RS-485 bus behind the gateway: requests are served one at a time in arrival order; a silent unit
   * holds the bus for this long (the gateway's own response timeout), then the gateway answers 0x0B.
   */
  serializedBusTimeoutMs?: number;
  /** Units whose request makes the gateway drop the TCP connection (a gateway resetting on a missing slave). */
  disconnectOn?: Set<number>;
}

/** Serves Modbus TCP (MBAP) on a socket; requests may overlap, each answered when its unit is ready. */
export function serveMbap(stream: Duplex, units: Lookup, stats: PendingStats = { pending: 0, maxPending: 0 }, gateway: GatewayBehaviour = {}): void {
  let buf: Buffer = Buffer.alloc(0);
  let bus: Promise<void> = Promise.resolve(); // serialized mode: the RS-485 line behind the gateway
  stream.on('data', (chunk: Buffer) => {
    buf = buf.length === 0 ? chunk : Buffer.concat([buf, chunk]);
    while (buf.length >= 7) {
      const len = buf.readUInt16BE(4); // unit id + PDU
      if (buf.readUInt16BE(2) !== 0 || len < 2 || len > 254) {
        stream.destroy(); // not Modbus (protocol id ≠ 0) or a broken length: a real server drops it
        return;
      }
      if (buf.length < 6 + len) return;
      const header = Buffer.from(buf.subarray(0, 7));
      const unitId = header[6]!;
      gateway.requestLog?.push({ unitId, at: performance.now() });
      if (gateway.disconnectOn?.has(unitId)) {
        stream.destroy();
        return;
      }
      const unit = units(unitId);
      const request = Buffer.from(buf.subarray(7, 6 + len));
      buf = buf.subarray(6 + len);
      const reply = (pdu: Buffer): void => {
        const out = Buffer.alloc(7 + pdu.length);
        header.copy(out, 0, 0, 7);
        out.writeUInt16BE(pdu.length + 1, 4);
        pdu.copy(out, 7);
        if (stream.writable) stream.write(out);
      };
      const busTimeout = gateway.serializedBusTimeoutMs;
      if (busTimeout !== undefined) {
        bus = bus.then(
          () =>
            new Promise<void>((resolve) => {
              const pdu = answerPdu(unit, request); // asked when its turn on the line comes
              const hold = pdu === 'silent' ? busTimeout : (unit?.delayMs ?? 0);
              setTimeout(() => {
                reply(pdu === 'silent' ? exceptionPdu(request[0]!, 11) : pdu);
                resolve();
              }, hold).unref();
            }),
        );
        continue;
      }
      const pdu = answerPdu(unit, request);
      if (pdu === 'silent') continue;
      answerLater(unit, stats, () => reply(pdu));
    }
  });
}
