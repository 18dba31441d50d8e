// A lean Modbus TCP client (MBAP framing, Modbus Messaging on TCP/IP Implementation Guide 1.0b §3.1) for the
// reads the poller makes, over a socket the link has opened. It replaces modbus-serial on `type: tcp` links
// (issue 17, docs/decisions.md): modbus-serial parses Modbus TCP through its RTU path, so every answer was copied,
// given a CRC, checked for it and logged through `debug` with a fresh object, about a third of the gateway's
// CPU per point at 2,000 points/s. Several requests may be on the wire at once (a TCP gateway in front of
// several units); answers are matched by transaction id, and an answer whose request has ended (timed out) is
// dropped, so a late answer can never be taken for another request's (issue 12). Errors are shaped as the link
// classifies modbus-serial's: `modbusCode` for an exception, `errno: 'ETIMEDOUT'` for no answer, a plain
// message for a garbled stream (the link closes and reopens the connection).
import type { Socket } from 'node:net';
import type { RegisterTable } from '../../devices/profile-schema.ts';

export interface TcpAnswer {
  data: (number | boolean)[];
  /** The data bytes of the answer (after the byte count). */
  buffer: Buffer;
}

interface Pending {
  unitId: number;
  fc: number;
  resolve: (answer: TcpAnswer) => void;
  reject: (err: Error) => void;
  timer: NodeJS.Timeout;
}

const FUNCTION_CODE: Readonly<Record<RegisterTable, number>> = { coil: 1, discrete: 2, holding: 3, input: 4 };
const MBAP = 7; // transaction id, protocol id, length, unit id
/** The longest PDU (253 bytes) plus the unit id: a larger length field is not Modbus TCP. */
const MAX_LENGTH = 254;

function onTimeout(client: ModbusTcpClient, tid: number): void {
  client.timedOut(tid);
}

export class ModbusTcpClient {
  private readonly pending = new Map<number, Pending>();
  private nextTid = 0;
  private rest: Buffer | null = null;
  private open = true;
  private readonly socket: Socket;
  private readonly timeoutMs: number;

  constructor(socket: Socket, timeoutMs: number) {
    this.socket = socket;
    this.timeoutMs = timeoutMs;
    socket.on('data', (chunk: Buffer) => this.input(chunk));
    // A socket error is followed by 'close'; the link watches 'close' and fails what is on the wire.
    socket.on('error', () => this.destroy('connection error'));
    socket.on('close', () => this.destroy('connection closed'));
  }

  get isOpen(): boolean {
    return this.open && !this.socket.destroyed;
  }

  /** Requests on the wire (diagnostics: at most the link's concurrency). */
  held(): number {
    return this.pending.size;
  }

  read(unitId: number, table: RegisterTable, address: number, count: number): Promise<TcpAnswer> {
    if (!this.isOpen) return Promise.reject(new Error('Port Not Open'));
    const tid = this.nextTid;
    this.nextTid = (tid + 1) & 0xffff;
    const fc = FUNCTION_CODE[table];
    const frame = Buffer.allocUnsafe(12);
    frame.writeUInt16BE(tid, 0);
    frame.writeUInt16BE(0, 2); // protocol id: Modbus
    frame.writeUInt16BE(6, 4); // unit id + PDU
    frame[6] = unitId;
    frame[7] = fc;
    frame.writeUInt16BE(address, 8);
    frame.writeUInt16BE(count, 10);
    return new Promise<TcpAnswer>((resolve, reject) => {
      // 65,536 requests on the wire at once cannot happen (the link's concurrency bounds them); an id still in
      // use would be a bug, and its old request is failed rather than given the new answer.
      this.pending.get(tid)?.reject(new Error('transaction id reused'));
      this.pending.set(tid, { unitId, fc, resolve, reject, timer: setTimeout(onTimeout, this.timeoutMs, this, tid) });
      this.socket.write(frame);
    });
  }

  /** No answer within the timeout: the request ends; its answer, if it comes later, is dropped by its id. */
  timedOut(tid: number): void {
    const p = this.pending.get(tid);
    if (!p) return;
    this.pending.delete(tid);
    p.reject(Object.assign(new Error('Timed out'), { errno: 'ETIMEDOUT' }));
  }

  /** Fails every request on the wire with `reason` and closes the socket. */
  destroy(reason: string): void {
    this.open = false;
    this.rest = null;
    for (const p of this.pending.values()) {
      clearTimeout(p.timer);
      p.reject(new Error(reason));
    }
    this.pending.clear();
    this.socket.destroy();
  }

  private input(chunk: Buffer): void {
    const buf = this.rest === null ? chunk : Buffer.concat([this.rest, chunk]);
    this.rest = null;
    let at = 0;
    while (buf.length - at >= MBAP + 1) {
      const length = buf.readUInt16BE(at + 4);
      if (buf.readUInt16BE(at + 2) !== 0 || length < 2 || length > MAX_LENGTH) {
        // Not Modbus TCP (noise, another protocol): nothing after this can be framed.
        this.destroy('garbled Modbus TCP frame (bad protocol id or length)');
        return;
      }
      const end = at + 6 + length;
      if (buf.length < end) break;
      this.answer(buf, at, end);
      if (!this.open) return;
      at = end;
    }
    if (at < buf.length) this.rest = at === 0 ? buf : buf.subarray(at);
  }

  private answer(buf: Buffer, at: number, end: number): void {
    const tid = buf.readUInt16BE(at);
    const p = this.pending.get(tid);
    if (!p) return; // a late answer to a request that timed out, or another master's: dropped by its id
    this.pending.delete(tid);
    clearTimeout(p.timer);
    const unitId = buf[at + 6]!;
    const fc = buf[at + 7]!;
    if (unitId !== p.unitId || (fc & 0x7f) !== p.fc) {
      p.reject(new Error(`Unexpected data error: answer of unit ${unitId}, function ${fc} to a request of unit ${p.unitId}, function ${p.fc}`));
      return;
    }
    if (fc & 0x80) {
      const code = buf[at + 8] ?? 0;
      p.reject(Object.assign(new Error(`Modbus exception ${code}`), { modbusCode: code }));
      return;
    }
    const byteCount = buf[at + 8] ?? 0;
    if (at + 9 + byteCount !== end) {
      p.reject(new Error(`Data length error: byte count ${byteCount} in a frame of ${end - at - 9} data bytes`));
      return;
    }
    const bytes = buf.subarray(at + 9, end);
    let data: (number | boolean)[];
    if (fc <= 2) {
      data = new Array<boolean>(byteCount * 8);
      for (let i = 0; i < data.length; i++) data[i] = ((bytes[i >> 3]! >> (i & 7)) & 1) === 1;
    } else {
      data = new Array<number>(byteCount >> 1);
      for (let i = 0; i < data.length; i++) data[i] = bytes.readUInt16BE(2 * i);
    }
    p.resolve({ data, buffer: bytes });
  }
}
