// One Modbus link: a TCP connection, an RTU-over-TCP connection to a serial device server, or a serial
// port, shared by every device (unit id) on it. It owns the request queue (one transaction at a time on
// RTU; `concurrency` on TCP), the inter-frame pause, the per-request timeout and reconnection with
// exponential backoff and jitter. Error classes (devices.md §5 implication 2; issue 12):
//   - Modbus exception: an answer; the link stays up.
//   - timeout (RTU, RTU over TCP and Modbus TCP alike): that unit did not answer; the link stays up for the
//     others. Behind a Modbus TCP gateway several units share one socket: a late answer is discarded by its
//     MBAP transaction id (tcp-client.ts drops an answer whose request has ended), so it can never be
//     taken for the next request's answer; closing the socket would only cut off the healthy units.
//   - socket/port errors, garbled TCP frames, the peer closing: the link is closed and reopened.
//   - the link itself is reconnected when no unit on it has answered for a while (a device server that
//     died quietly shows only as timeouts).
// A request that never went on the wire (the link waits to reconnect, or connecting failed) is `link-down`:
// a state of the link, not a failure of the unit that happened to ask (the poller keeps them apart).
import { Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import * as modbusSerial from 'modbus-serial';
import type { Logger } from '../../core/logger.ts';
import type { RegisterTable } from '../../devices/profile-schema.ts';
import type { LinkSettings } from '../../config/modbus-connection.ts';
import type { ModbusLinkDiagnosticsView } from '../../contract/api.ts';
import { watchRtuFrames } from './rtu-frames.ts';
import { ModbusTcpClient } from './tcp-client.ts';

// modbus-serial is CommonJS (`module.exports = ModbusRTU`) while its typings say `export default`: for an
// ES module the class is the namespace's `default`, which TypeScript types as the module itself.
const ModbusRTU = modbusSerial.default as unknown as typeof modbusSerial.default.default;
type ModbusRTU = InstanceType<typeof ModbusRTU>;
/** Modbus TCP links use our lean client (tcp-client.ts); RTU and RTU over TCP use modbus-serial. */
type Client = ModbusRTU | ModbusTcpClient;

export type RegisterData = (number | boolean)[];

/** Why a request failed, in the words the poller needs (devices.md §5). */
export class LinkError extends Error {
  /** `exception`: the device answered with a Modbus exception; `no-answer`: the unit did not answer in time
   * (or garbled its RTU frame) on a working link; `transport`: the connection failed while the request was on
   * the wire; `link-down`: the request never went on the wire because the link is down (waiting to reconnect,
   * connecting failed, closed). */
  readonly kind: 'exception' | 'no-answer' | 'transport' | 'link-down';
  readonly exceptionCode: number | undefined;
  /** No answer within the timeout (diagnostics count these as no answer). */
  readonly timeout: boolean;
  /** A frame came but was garbled (CRC, length) or was not this request's answer (unit, function, byte count). */
  readonly badFrame: boolean;
  constructor(kind: LinkError['kind'], message: string, more: { exceptionCode?: number; timeout?: boolean; badFrame?: boolean } = {}) {
    super(message);
    this.name = 'LinkError';
    this.kind = kind;
    this.exceptionCode = more.exceptionCode;
    this.timeout = more.timeout ?? false;
    this.badFrame = more.badFrame ?? false;
  }
}

export interface ModbusLink {
  readonly key: string;
  /**
   * Reads `count` registers/bits of one unit; rejects with LinkError. `signal` cuts short the wait for the
   * queue and the inter-frame pause (AbortError); a request on the wire ends by its answer, its timeout or
   * close(), which fails it at once, so no per-request abort listener is needed.
   */
  read(unitId: number, table: RegisterTable, address: number, count: number, signal: AbortSignal): Promise<RegisterData>;
  /** For diagnostics: the state, how often the link came back after a loss, and the last reason it failed. */
  status(): LinkStatus;
  /** How long the link has been down without coming back (ms), 0 while it is up or has never been tried. */
  outageMs(): number;
  close(): Promise<void>;
}

export interface LinkStatus {
  state: LinkState;
  reconnects: number;
  lastError: string | null;
  /** Requests the Modbus client holds: those on the wire, at most the link's concurrency (see forgetTransaction). */
  requestsHeld: number;
  /** Opening or reopening the connection or port failed this often (each one, not only the first). */
  connectFailures: number;
  /**
   * RTU: bytes received that were no request's answer and were thrown away: late answers (flushed before a
   * request, or skipped while another unit's answer was awaited), stray frames, noise, frames with a bad CRC.
   */
  staleBytesDropped: number;
  /** RTU: answers that came after their request had timed out, thrown away (issue 12 §1b). */
  lateAnswersDropped: number;
}

/** Short meanings of the standard exception codes (Modbus Application Protocol 1.1b §7; devices.md §5). */
const exceptionMeanings: Readonly<Record<number, string>> = {
  1: 'illegal function',
  2: 'illegal data address',
  3: 'illegal data value',
  4: 'server device failure',
  5: 'acknowledge',
  6: 'server device busy',
  8: 'memory parity error',
  10: 'gateway path unavailable',
  11: 'gateway target device failed to respond',
};

export function exceptionMeaning(code: number): string {
  return exceptionMeanings[code] ?? 'unknown exception code';
}

export function describeException(code: number): string {
  return `Modbus exception ${code}: ${exceptionMeaning(code)}`;
}

/**
 * `nominal` with up to 20 % jitter that survives the cap: below the cap it adds up to 20 %, at the cap it takes
 * up to 20 % off. (Adding and then capping left every long wait exactly at the cap, so several dead units or
 * links retried in lock-step: issue 12.)
 */
export function jittered(nominal: number, cap: number, random: () => number): number {
  return nominal >= cap ? cap * (1 - 0.2 * random()) : Math.min(cap, nominal * (1 + 0.2 * random()));
}

/**
 * Reconnect delay after `failures` consecutive transport failures: 500 ms doubling up to 30 s, with jitter
 * at every step so many gateways restarting together do not reconnect in lock-step.
 */
export function reconnectDelay(failures: number, random: () => number = Math.random): number {
  return jittered(500 * 2 ** Math.min(failures, 16), 30_000, random);
}

const abortedError = (): Error => Object.assign(new Error('poller stopped'), { name: 'AbortError' });

export function isAbort(err: unknown): boolean {
  return err instanceof Error && err.name === 'AbortError';
}

/** Resolves or rejects with `p`, or rejects as soon as `signal` aborts; leaves no listener behind. */
export function abortable<T>(p: Promise<T>, signal: AbortSignal): Promise<T> {
  p.catch(() => {}); // a request abandoned by stop() may still reject later; nobody waits for it
  if (signal.aborted) return Promise.reject(abortedError());
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(abortedError());
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}

/**
 * Link states as a table (style.md §7). A change is logged once, not per request; a transition missing
 * from the table is a bug and throws.
 */
export type LinkState = ModbusLinkDiagnosticsView['state'];
export type LinkEvent = 'open' | 'up' | 'down' | 'close';
type LogAt = 'info' | 'warn';
export const linkTransitions: Readonly<Record<LinkState, Partial<Record<LinkEvent, { to: LinkState; log?: [LogAt, string] }>>>> = {
  idle: { open: { to: 'connecting' }, close: { to: 'closed' } },
  connecting: {
    up: { to: 'connected', log: ['info', 'modbus connected'] },
    down: { to: 'disconnected', log: ['warn', 'modbus link unreachable'] },
    close: { to: 'closed' },
  },
  connected: {
    up: { to: 'connected' },
    down: { to: 'disconnected', log: ['warn', 'modbus connection lost'] },
    close: { to: 'closed', log: ['info', 'modbus link closed'] },
  },
  disconnected: {
    open: { to: 'disconnected' },
    up: { to: 'connected', log: ['info', 'modbus connection recovered'] },
    down: { to: 'disconnected' },
    close: { to: 'closed', log: ['info', 'modbus link closed'] },
  },
  closed: { close: { to: 'closed' } },
};

const isRtu = (s: LinkSettings): boolean => s.type !== 'tcp';

/**
 * modbus-serial (RTU links; Modbus TCP links use tcp-client.ts) keeps every transaction (request, answer,
 * callbacks) in `_transactions` by transaction id until the id comes round again: on Modbus TCP that was 256
 * requests later, 256 s at a 1 s poll. Per device that held hundreds of finished requests, and with them our
 * promise chains: old-generation garbage that grew the gateway by ~1 MiB/s at 500 devices (docs/benchmarks.md).
 * We drop a transaction once it has ended.
 * Private fields, read defensively: without them nothing is dropped and nothing breaks.
 */
interface ModbusRtuInternals {
  _transactions?: Record<number, unknown>;
  _port?: { _transactionIdWrite?: number; _buffer?: Buffer; _client?: { on(event: 'data', fn: (d: Buffer) => void): unknown } };
}
const transactionId = (c: ModbusRTU): number | undefined => (c as unknown as ModbusRtuInternals)._port?._transactionIdWrite;
const forgetTransaction = (c: ModbusRTU, tid: number | undefined): void => {
  const transactions = (c as unknown as ModbusRtuInternals)._transactions;
  if (tid !== undefined && transactions) delete transactions[tid];
};
/**
 * RTU (serial and over TCP): modbus-serial's RTU ports keep what they received in `_buffer` and take the
 * first frame in it with the right unit, function and length, so a late answer would become the next same-
 * shaped request's answer (issue 12: the humidity read as the temperature). Empty it before each request and
 * return how many bytes were thrown away (they count in `staleBytesDropped` through the input tally).
 */
const flushStaleInput = (c: ModbusRTU): number => {
  const port = (c as unknown as ModbusRtuInternals)._port;
  const stale = port?._buffer?.length ?? 0;
  if (port && stale > 0) port._buffer = Buffer.alloc(0);
  return stale;
};
const bufferedInput = (c: ModbusRTU | null): number => (c ? ((c as unknown as ModbusRtuInternals)._port?._buffer?.length ?? 0) : 0);

/** Bytes of the RTU answer frame to a read: unit, function, byte count, the data, CRC (Serial Line §2.5.1). */
const answerFrameBytes = (table: RegisterTable, count: number): number => 5 + (table === 'coil' || table === 'discrete' ? Math.ceil(count / 8) : 2 * count);
/** The byte count an answer to a read must carry (Modbus Application Protocol 1.1b §6.1–6.4). */
const expectedByteCount = (table: RegisterTable, count: number): number => (table === 'coil' || table === 'discrete' ? Math.ceil(count / 8) : 2 * count);

export function createModbusLink(settings: LinkSettings, logger: Logger): ModbusLink {
  const log = logger.child({ link: settings.key });
  const timeoutMs = settings.timeoutMs;
  const slots = settings.type === 'tcp' ? settings.concurrency : 1; // RTU has no transaction ids: one at a time
  const frameGapMs = settings.type === 'tcp' ? 0 : settings.interFrameDelayMs;
  let state: LinkState = 'idle';
  let client: Client | null = null;
  let connecting: Promise<Client> | null = null;
  let failures = 0;
  let nextConnectAt = 0; // performance.now(): scheduling uses the monotonic clock
  let lastFailure = 'not connected yet';
  let reconnects = 0;
  let failedEver = false;
  let connectFailures = 0;
  /**
   * RTU input tally: every byte received, and the bytes of the frames taken as an answer (data or exception).
   * What is neither taken nor still buffered was thrown away, wherever that happened: our flush, or
   * modbus-serial's frame search skipping a late answer, or dropping one that came after its timeout.
   */
  let bytesIn = 0;
  let bytesTaken = 0;
  /** performance.now() when the link went down and has not come back since; null while up. */
  let downSince: number | null = null;
  /** Rejects the requests in flight when the peer closes, so they fail at once instead of timing out. */
  const inFlight = new Set<(err: Error) => void>();
  let busy = 0;
  const waiting: (() => void)[] = [];
  let lastFrameEnd = 0;
  /** Timeouts in a row with no answer from any unit, and when any unit last answered. */
  let silentTimeouts = 0;
  let lastAnswerAt = performance.now();
  /**
   * RTU late answers (issue 12 §1b). An RTU answer carries no request id, so a late answer could pass for the
   * next same-shaped request's (the humidity read as the temperature). Per unit:
   *   - `owed`: when its timed-out requests were sent, while their answers have not been seen (forgotten after
   *     `lateHorizonMs`: a unit that never answers owes nothing for ever);
   *   - `lateAnswerGuard`: its next request waits until then (performance.now()): after a timeout, one more
   *     timeout, or 1.25 × the lateness seen from it, so the late answer arrives first and is thrown away;
   *   - an answer that comes while the unit still owes one, later than the unit usually answers, is taken for
   *     the late one: discarded, counted, and the unit waits its lateness before it is asked again. One that
   *     comes as promptly as usual is its own (the request before it was lost to noise, the common case on
   *     RS-485: its answer is never coming). Only that unit waits; the others keep the line.
   * Frames are seen wherever they land (rtu-frames.ts), also while another unit is being asked.
   */
  const owed = new Map<number, number[]>();
  const lateness = new Map<number, number>();
  /** How long the unit's own answers take (ms, a moving average): an answer much later than that is suspect. */
  const usualLatency = new Map<number, number>();
  /** Whether the unit still owes an answer for a request that timed out within the horizon (forgets older ones). */
  const owes = (unitId: number): boolean => {
    const sent = owed.get(unitId);
    while (sent && sent.length > 0 && performance.now() - sent[0]! > lateHorizonMs) sent.shift();
    return (sent?.length ?? 0) > 0;
  };
  const lateAnswerGuard = new Map<number, number>();
  const lateHorizonMs = 5 * timeoutMs;
  /** RTU: the unit whose request is on the wire (one at a time), whose frame modbus-serial will take. */
  let onWire: number | null = null;
  /** Takes the oldest answer `unitId` still owes as come now; returns how late it was, or undefined. */
  const lateAnswerCame = (unitId: number): number | undefined => {
    if (!owes(unitId)) return undefined;
    const late = performance.now() - owed.get(unitId)!.shift()!;
    lateness.set(unitId, Math.max(lateness.get(unitId) ?? 0, late));
    return late;
  };
  const frames = watchRtuFrames((unitId) => {
    if (unitId !== onWire && lateAnswerCame(unitId) !== undefined) lateAnswersDropped++;
  });
  let lateAnswersDropped = 0;
  /** Settles when the serial port closed last has released the device (its lock), so reopening can take it. */
  let portReleased: Promise<void> = Promise.resolve();

  const move = (event: LinkEvent, fields: Record<string, unknown> = {}): void => {
    const t = linkTransitions[state][event];
    if (!t) throw new Error(`modbus link ${settings.key}: no transition from ${state} on ${event}`);
    if (t.to !== state && t.log) log[t.log[0]](t.log[1], fields);
    if (state === 'disconnected' && t.to === 'connected') reconnects++;
    if (t.to === 'disconnected') {
      failedEver = true;
      downSince ??= performance.now();
    }
    if (t.to === 'connected') downSince = null;
    state = t.to;
  };

  /**
   * Closes the connection or port and fails every request still on it with `reason`. modbus-serial's destroy()
   * cancels the timeouts of the requests in flight without failing them: they hung for ever, holding the link's
   * slots, so after the link was dropped for silence no unit behind it was asked again, none went offline
   * and none came back (issue 12: a Modbus TCP gateway whose units all fell silent at once).
   */
  const closeClient = (reason: string): void => {
    for (const fail of [...inFlight]) fail(new Error(reason));
    const c = client;
    client = null;
    if (!c) return;
    if (c instanceof ModbusTcpClient) {
      c.destroy(reason); // fails what it has on the wire and destroys the socket at once
      return;
    }
    if (settings.type === 'rtu') {
      // modbus-serial's destroy() does nothing for its RTU serial ports: the port stayed open and locked, and
      // every reopen failed with "Cannot lock port" until a restart (issue 12). close() releases it; a port
      // already gone answers with an error, which is as good. Bounded, so a hung driver cannot stall the link.
      portReleased = Promise.race([
        new Promise<void>((resolve) => {
          try {
            c.close(() => resolve());
          } catch {
            resolve();
          }
        }),
        sleep(2000),
      ]);
      return;
    }
    // destroy(), not close(): close() waits for the peer's FIN, which a hung device may never send.
    c.destroy(() => {});
  };

  const drop = (detail: string): void => {
    closeClient(detail);
    lastFailure = detail;
    nextConnectAt = performance.now() + reconnectDelay(failures);
    failures++;
    move('down', { detail, retryInMs: Math.round(nextConnectAt - performance.now()) });
  };

  const openSocket = async (host: string, port: number): Promise<Socket> => {
    const socket = new Socket();
    socket.setNoDelay(true); // frames of a few bytes must not wait for Nagle's algorithm / delayed ACK
    let timer: NodeJS.Timeout | undefined;
    try {
      await new Promise<void>((resolve, reject) => {
        socket.once('connect', resolve);
        socket.once('error', reject);
        timer = setTimeout(() => reject(new Error(`no connection within ${timeoutMs} ms`)), timeoutMs);
        socket.connect({ host, port });
      });
      socket.removeAllListeners('error');
      return socket;
    } catch (err) {
      socket.destroy();
      throw err;
    } finally {
      clearTimeout(timer);
    }
  };

  /** Many devices drop idle or reset connections: when `c`'s connection closes, it is reopened on the next
   *  request, without a penalty. */
  const reopenWhenClosed = (closing: { on(event: 'close', fn: () => void): unknown }, c: Client): void => {
    closing.on('close', () => {
      if (client !== c) return;
      closeClient('connection closed by the device');
      lastFailure = 'connection closed by the device';
      move('down', { detail: lastFailure });
    });
  };

  const connectTcp = async (host: string, port: number): Promise<ModbusTcpClient> => {
    try {
      const socket = await openSocket(host, port);
      const c = new ModbusTcpClient(socket, timeoutMs);
      reopenWhenClosed(socket, c);
      client = c;
      return c;
    } catch (err) {
      connectFailures++;
      drop(`connect to ${settings.endpoint} failed: ${err instanceof Error ? err.message : String(err)}`);
      throw new LinkError('link-down', lastFailure);
    }
  };

  const connect = async (): Promise<Client> => {
    move('open');
    if (settings.type === 'tcp') return connectTcp(settings.host, settings.port);
    const c = new ModbusRTU();
    c.on('error', (err: unknown) => log.debug('modbus client error', { err: String(err) })); // never an unhandled 'error'
    try {
      // We open TCP sockets ourselves and link them (modbus-serial's linkTelnet), so we own
      // the connect timeout, TCP_NODELAY and the 'close' event: modbus-serial does not fail a pending
      // request when the peer resets, which would then wait for the full timeout.
      let closing: { on(event: 'close', fn: () => void): unknown };
      if (settings.type === 'rtu') {
        await portReleased;
        await c.connectRTUBuffered(settings.path, {
          baudRate: settings.baudRate,
          dataBits: settings.dataBits,
          parity: settings.parity,
          stopBits: settings.stopBits,
        });
        closing = (c as unknown as { _port: { on(event: 'close', fn: () => void): unknown } })._port;
        frames.reset();
        (c as unknown as ModbusRtuInternals)._port?._client?.on('data', (d) => {
          bytesIn += d.length;
          frames.input(d);
        });
      } else {
        const socket = await openSocket(settings.host, settings.port);
        // RTU over TCP = raw RTU frames (with CRC) on the socket: modbus-serial's "telnet" port.
        await c.linkTelnet(socket, { port: settings.port });
        frames.reset();
        socket.on('data', (d: Buffer) => {
          bytesIn += d.length;
          frames.input(d);
        });
        closing = socket;
      }
      // Set after connecting: set before, modbus-serial would also arm an idle timeout on the socket.
      c.setTimeout(timeoutMs);
      reopenWhenClosed(closing, c);
      client = c;
      return c;
    } catch (err) {
      if (settings.type === 'rtu') {
        client = c;
        closeClient('connect failed'); // a port half opened keeps its lock otherwise
      } else c.destroy(() => {});
      connectFailures++; // every failed reopen is counted and its reason shown, not only the first one
      const e = err as { message?: unknown };
      drop(`connect to ${settings.endpoint} failed: ${typeof e.message === 'string' ? e.message : String(err)}`);
      throw new LinkError('link-down', lastFailure);
    }
  };

  const ensureClient = async (): Promise<Client> => {
    if (state === 'closed') throw new LinkError('link-down', 'link closed');
    if (client?.isOpen) return client;
    if (client) {
      closeClient('connection closed by the device'); // closed between requests (idle timeout of the device): reopen at once
      lastFailure = 'connection closed by the device';
      move('down', { detail: lastFailure });
    }
    if (performance.now() < nextConnectAt) throw new LinkError('link-down', lastFailure);
    connecting ??= connect().finally(() => (connecting = null));
    return connecting;
  };

  const acquire = async (signal: AbortSignal): Promise<void> => {
    if (busy < slots && waiting.length === 0) {
      busy++;
      return;
    }
    // Wait for release() to hand over its slot (busy stays counted); an abort leaves the queue cleanly.
    let handOver: (() => void) | undefined;
    const turn = new Promise<void>((resolve) => {
      handOver = resolve;
      waiting.push(resolve);
    });
    try {
      await abortable(turn, signal);
    } catch (err) {
      const i = waiting.indexOf(handOver!);
      if (i >= 0) waiting.splice(i, 1);
      else release(); // the slot was handed over just as we gave up: pass it on
      throw err;
    }
  };
  const release = (): void => {
    const next = waiting.shift();
    if (next) next(); // the slot goes straight to the next in line
    else busy--;
  };

  const request = (c: ModbusRTU, table: RegisterTable, address: number, count: number): Promise<{ data: RegisterData; buffer: Buffer }> => {
    switch (table) {
      case 'coil':
        return c.readCoils(address, count);
      case 'discrete':
        return c.readDiscreteInputs(address, count);
      case 'holding':
        return c.readHoldingRegisters(address, count);
      case 'input':
        return c.readInputRegisters(address, count);
    }
  };

  const classify = (err: unknown): LinkError => {
    if (err instanceof LinkError) return err;
    const e = err as { modbusCode?: unknown; errno?: unknown; message?: unknown };
    if (typeof e.modbusCode === 'number') return new LinkError('exception', describeException(e.modbusCode), { exceptionCode: e.modbusCode });
    const message = typeof e.message === 'string' && e.message !== '' ? e.message : String(err);
    if (e.errno === 'ETIMEDOUT') return new LinkError('no-answer', `timeout: no response within ${timeoutMs} ms`, { timeout: true });
    // A CRC or length error on RTU is one garbled frame from one slave (noise, a collision); on TCP the
    // stream cannot be trusted any more. Port errors are transport errors everywhere.
    if (isRtu(settings) && /CRC error|Data length error|Unexpected data error/.test(message)) return new LinkError('no-answer', message, { badFrame: true });
    if (message === 'Port Not Open') return new LinkError('transport', 'connection closed');
    return new LinkError('transport', message);
  };

  /**
   * The answer must be this request's: modbus-serial checks the unit, the function and the frame length; the
   * byte count inside it must be the one asked for too (2 × count for registers), so a frame of the right
   * length that says otherwise is not taken (issue 12 §1b).
   */
  const belongs = (table: RegisterTable, count: number, r: { data: RegisterData; buffer: Buffer }): boolean =>
    r.buffer.length === expectedByteCount(table, count) && (table === 'coil' || table === 'discrete' ? r.data.length >= count : r.data.length === count);

  return {
    key: settings.key,

    async read(unitId, table, address, count, signal) {
      const guard = lateAnswerGuard.get(unitId);
      if (guard !== undefined) {
        const wait = guard - performance.now();
        if (wait > 0) await sleep(wait, undefined, { signal });
        lateAnswerGuard.delete(unitId);
      }
      if (busy < slots && waiting.length === 0) busy++; // a free slot: no promise to wait on (the common case)
      else await acquire(signal);
      let fail: ((err: Error) => void) | null = null;
      let sentAt = performance.now(); // when the request went on the wire
      try {
        const c = client?.isOpen && state !== 'closed' ? client : await ensureClient(); // no await when connected
        if (frameGapMs > 0) {
          // Silence between frames on a serial line (devices.md §5: ≥ 30 ms is what HA waits by default).
          const wait = lastFrameEnd + frameGapMs - performance.now();
          if (wait > 0) await sleep(wait, undefined, { signal });
        }
        if (isRtu(settings)) {
          onWire = unitId;
          const stale = flushStaleInput(c as ModbusRTU);
          if (stale > 0) log.debug('modbus stale input dropped before a request', { unitId, bytes: stale });
        }
        sentAt = performance.now();
        const pending = c instanceof ModbusTcpClient ? c.read(unitId, table, address, count) : new Promise<{ data: RegisterData; buffer: Buffer }>((resolve, reject) => {
          fail = reject;
          inFlight.add(reject);
          c.setID(unitId); // read synchronously when the frame is written below
          const tid = transactionId(c); // the id this request's frame is written with, synchronously below
          const done = (): void => forgetTransaction(c, tid);
          request(c, table, address, count).then(
            (r) => (done(), resolve(r)),
            (e: unknown) => (done(), reject(e)),
          );
        });
        const result = await pending;
        failures = 0;
        silentTimeouts = 0;
        lastAnswerAt = performance.now();
        move('up');
        if (isRtu(settings)) {
          const took = performance.now() - sentAt;
          const usual = usualLatency.get(unitId);
          if (owes(unitId) && (usual === undefined || took > Math.min(0.75 * timeoutMs, 3 * usual + 200))) {
            const late = lateAnswerCame(unitId)!;
            lateAnswersDropped++;
            lateAnswerGuard.set(unitId, sentAt + Math.max(2 * timeoutMs, 1.25 * late));
            throw new LinkError('no-answer', `late answer discarded: unit ${unitId} answered an earlier request ${Math.round(late)} ms after it (timeout ${timeoutMs} ms)`, { badFrame: true });
          }
          usualLatency.set(unitId, usual === undefined ? took : 0.8 * usual + 0.2 * took);
          if (!owes(unitId)) lateness.delete(unitId); // answered in time with nothing owed: no longer a late unit
        }
        if (!belongs(table, count, result)) {
          throw new LinkError('no-answer', `answer does not match the request: byte count ${result.buffer.length} for ${count} ${table === 'coil' || table === 'discrete' ? 'bits' : 'registers'} asked`, { badFrame: true });
        }
        bytesTaken += answerFrameBytes(table, count);
        return result.data;
      } catch (err) {
        if (isAbort(err)) throw err;
        const e = classify(err);
        if (e.kind === 'exception') {
          bytesTaken += 5; // unit, function | 0x80, code, CRC
          silentTimeouts = 0;
          failures = 0;
          lastAnswerAt = performance.now();
          move('up'); // an exception is an answer: the link works
        } else if (e.kind === 'no-answer') {
          if (e.timeout && isRtu(settings)) {
            const list = owed.get(unitId) ?? [];
            list.push(sentAt);
            owed.set(unitId, list);
            lateAnswerGuard.set(unitId, sentAt + Math.max(2 * timeoutMs, 1.25 * (lateness.get(unitId) ?? 0)));
          }
          // Nobody on this link answered for a while: the device server or the adapter may be gone. One dead
          // unit among answering ones never gets here (their answers reset the count).
          if (++silentTimeouts >= settings.silentTimeoutsBeforeReconnect && performance.now() - lastAnswerAt >= 2 * timeoutMs) {
            silentTimeouts = 0;
            drop(`no device on ${settings.endpoint} answered ${settings.silentTimeoutsBeforeReconnect} requests in a row`);
          }
        } else if (e.kind === 'transport' && client) {
          drop(e.message);
        }
        throw e;
      } finally {
        onWire = null;
        if (fail) inFlight.delete(fail);
        lastFrameEnd = performance.now();
        release();
      }
    },

    status() {
      const held = client instanceof ModbusTcpClient ? null : client ? (client as unknown as ModbusRtuInternals)._transactions : undefined;
      return {
        state,
        reconnects,
        lastError: failedEver ? lastFailure : null,
        requestsHeld: client instanceof ModbusTcpClient ? client.held() : held ? Object.keys(held).length : 0,
        connectFailures,
        staleBytesDropped: isRtu(settings) ? bytesIn - bytesTaken - bufferedInput(client as ModbusRTU | null) : 0,
        lateAnswersDropped,
      };
    },

    outageMs() {
      return downSince === null ? 0 : performance.now() - downSince;
    },

    async close() {
      closeClient('link closed');
      move('close');
      await portReleased;
    },
  };
}
