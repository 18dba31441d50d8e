// Modbus TCP poller: one connection per device, reads the planned blocks every poll interval and emits one
// reading per point. A failed read never repeats the last value (style.md: HA modbus; Reading.value).
// Error classes follow devices.md §5: Modbus exceptions mark the points bad and keep the connection;
// transport errors (socket, TCP timeout, garbled frame) mark them comm_lost and reconnect with backoff.
import { Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import * as modbusSerial from 'modbus-serial';
import type { SiteDevice, SitePoint } from '../../config/load.ts';
import type { Clock } from '../../core/clock.ts';
import type { Logger } from '../../core/logger.ts';
import type { Quality, Reading } from '../../core/reading.ts';
import type { RegisterTable } from '../../devices/profile-schema.ts';
import { compileCodec, planReads, splitBlock, type PointCodec, type ReadBlock } from './decode.ts';

export interface ModbusPollerDeps {
  device: SiteDevice;
  clock: Clock;
  logger: Logger;
  emit: (readings: Reading[]) => void;
}

export interface ModbusPoller {
  start(): Promise<void>;
  stop(): Promise<void>;
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

export function describeException(code: number): string {
  return `Modbus exception ${code}: ${exceptionMeanings[code] ?? 'unknown exception code'}`;
}

/**
 * Reconnect delay after `failures` consecutive transport failures: 500 ms doubling up to 30 s, plus up to
 * 20 % jitter (capped at 30 s) so many gateways restarting together do not reconnect in lock-step.
 */
export function reconnectDelay(failures: number, random: () => number = Math.random): number {
  const nominal = Math.min(30_000, 500 * 2 ** Math.min(failures, 16));
  return Math.min(30_000, nominal * (1 + 0.2 * random()));
}

/**
 * Connection states as a table (style.md §7). A state change is logged once, not every cycle; a
 * transition missing from the table is a bug and throws.
 */
export type LinkState = 'idle' | 'connecting' | 'connected' | 'disconnected' | 'stopped';
export type LinkEvent = 'start' | 'up' | 'down' | 'stop';
type LogAt = 'info' | 'warn';
export const linkTransitions: Readonly<Record<LinkState, Partial<Record<LinkEvent, { to: LinkState; log?: [LogAt, string] }>>>> = {
  idle: { start: { to: 'connecting' }, stop: { to: 'stopped' } },
  connecting: {
    up: { to: 'connected', log: ['info', 'modbus connected'] },
    down: { to: 'disconnected', log: ['warn', 'modbus device unreachable'] },
    stop: { to: 'stopped' },
  },
  connected: {
    up: { to: 'connected' },
    down: { to: 'disconnected', log: ['warn', 'modbus connection lost'] },
    stop: { to: 'stopped', log: ['info', 'modbus poller stopped'] },
  },
  disconnected: {
    up: { to: 'connected', log: ['info', 'modbus connection recovered'] },
    down: { to: 'disconnected' },
    stop: { to: 'stopped', log: ['info', 'modbus poller stopped'] },
  },
  stopped: { start: { to: 'connecting' }, stop: { to: 'stopped' } },
};

interface PlannedPoint {
  spec: SitePoint['spec'];
  codec: PointCodec;
  pointKey: string;
  point: string;
  unit: string;
}

type Block = ReadBlock<PlannedPoint>;

/** What a failed request means for its points and for the connection. */
interface Failure {
  quality: Quality;
  detail: string;
  /** Transport failure: the connection is closed and reopened with backoff. */
  transport: boolean;
  exceptionCode?: number;
}

// modbus-serial is CommonJS (`module.exports = ModbusRTU`) while its typings say `export default`: for an
// ES module the class is the namespace's `default`, which TypeScript types as the module itself.
const ModbusRTU = modbusSerial.default as unknown as typeof modbusSerial.default.default;
type ModbusRTU = InstanceType<typeof ModbusRTU>;

const abortedError = (): Error => Object.assign(new Error('poller stopped'), { name: 'AbortError' });

/** Resolves or rejects with `p`, or rejects as soon as `signal` aborts; leaves no listener behind. */
function abortable<T>(p: Promise<T>, signal: AbortSignal): Promise<T> {
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

function isAbort(err: unknown): boolean {
  return err instanceof Error && err.name === 'AbortError';
}

function classify(err: unknown, timeoutMs: number): Failure {
  const e = err as { modbusCode?: unknown; errno?: unknown; message?: unknown };
  if (typeof e.modbusCode === 'number') {
    const detail = describeException(e.modbusCode);
    // 0x0B: a gateway answered but the device behind it did not; a per-device timeout, keep the TCP link.
    return { quality: e.modbusCode === 11 ? 'comm_lost' : 'bad', detail, transport: false, exceptionCode: e.modbusCode };
  }
  if (e.errno === 'ETIMEDOUT') return { quality: 'comm_lost', detail: `timeout: no response within ${timeoutMs} ms`, transport: true };
  const message = typeof e.message === 'string' && e.message !== '' ? e.message : String(err);
  if (message === 'Port Not Open') return { quality: 'comm_lost', detail: 'connection closed', transport: true };
  // Socket errors, CRC/length/unexpected-data errors: the stream cannot be trusted any more, reconnect.
  return { quality: 'comm_lost', detail: message, transport: true };
}

export function createModbusPoller(deps: ModbusPollerDeps): ModbusPoller {
  const { device, clock, emit } = deps;
  const { host, port } = device.config.connection;
  const unitId = device.config.connection.unitId ?? device.profile.defaults.unitId;
  const timeoutMs = device.config.connection.timeoutMs ?? 1000;
  const intervalMs = device.config.pollIntervalMs ?? 1000;
  const endpoint = `${host}:${port}`;
  const logger = deps.logger.child({ endpoint, unitId });

  let state: LinkState = 'idle';
  let plan: Block[] = [];
  let allPoints: PlannedPoint[] = [];
  let allItems: { point: PlannedPoint }[] = [];
  let client: ModbusRTU | null = null;
  /** Rejects the pending read when the device closes the connection, so it fails at once instead of timing out. */
  let failPending: ((err: Error) => void) | null = null;
  let abort: AbortController | null = null;
  let loop: Promise<void> | null = null;
  let failures = 0;
  let nextConnectAt = 0; // performance.now() time; scheduling uses the monotonic clock, readings the injected one
  let lastFailure = 'not connected yet';
  /** Last logged problem per block (by address), so a persistent exception is logged once. */
  const blockProblems = new Map<string, string>();

  const move = (event: LinkEvent, fields: Record<string, unknown> = {}): void => {
    const t = linkTransitions[state][event];
    if (!t) throw new Error(`modbus poller ${device.config.id}: no transition from ${state} on ${event}`);
    if (t.to !== state && t.log) logger[t.log[0]](t.log[1], { device: device.config.id, ...fields });
    state = t.to;
  };

  const reading = (p: PlannedPoint, value: number | boolean | null, quality: Quality, ts: number, detail?: string): Reading =>
    detail === undefined
      ? { pointKey: p.pointKey, roomId: device.config.room, deviceId: device.config.id, point: p.point, value, unit: p.unit, quality, ts }
      : { pointKey: p.pointKey, roomId: device.config.room, deviceId: device.config.id, point: p.point, value, unit: p.unit, quality, ts, detail };

  const failed = (points: readonly { point: PlannedPoint }[], f: Pick<Failure, 'quality' | 'detail'>, ts: number, out: Reading[]): void => {
    for (const { point } of points) out.push(reading(point, null, f.quality, ts, f.detail));
  };

  const closeClient = (): void => {
    const c = client;
    client = null;
    // destroy(), not close(): close() waits for the peer's FIN, which a hung device may never send.
    if (c) c.destroy(() => {});
  };

  /**
   * The link counts as up once the device answers, not when TCP connects: a port that accepts and then
   * stays silent (a hung device, a gateway without its slave) must not log "recovered" every cycle,
   * and its reconnect backoff must keep growing.
   */
  const answered = (): void => {
    if (state === 'connected') return;
    failures = 0;
    move('up');
  };

  const dropConnection = (detail: string): void => {
    closeClient();
    lastFailure = detail;
    nextConnectAt = performance.now() + reconnectDelay(failures);
    failures++;
    move('down', { detail, retryInMs: Math.round(nextConnectAt - performance.now()) });
  };

  const connect = async (signal: AbortSignal): Promise<boolean> => {
    // We open the socket ourselves and hand it to modbus-serial (`connectTCP` with `socket`), so we own
    // its connect timeout, TCP_NODELAY and its 'close' event: modbus-serial reports neither a reset nor
    // a close to a pending request, which would then wait for the full timeout.
    const socket = new Socket();
    socket.setNoDelay(true); // request/response frames of a few bytes must not wait for Nagle's algorithm
    const c = new ModbusRTU();
    c.on('error', (err: unknown) => logger.debug('modbus client error', { err: String(err) })); // never an unhandled 'error'
    c.setID(unitId);
    let timer: NodeJS.Timeout | undefined;
    try {
      const connected = new Promise<void>((resolve, reject) => {
        socket.once('connect', resolve);
        socket.once('error', reject);
        timer = setTimeout(() => reject(new Error(`no connection within ${timeoutMs} ms`)), timeoutMs);
      });
      socket.connect({ host, port });
      await c.connectTCP(host, { port, socket }); // resolves at once: the socket is already opening
      await abortable(connected, signal);
      // Set after connecting: set before, modbus-serial would also arm an idle timeout on the socket.
      c.setTimeout(timeoutMs);
      client = c;
      socket.on('close', () => {
        if (client === c) failPending?.(new Error('connection closed by the device'));
      });
      plan = planReads(allPoints); // a fresh connection retries merged reads split after exception 02
      return true;
    } catch (err) {
      c.destroy(() => {});
      socket.destroy();
      if (isAbort(err)) throw err;
      const e = err as { message?: unknown };
      dropConnection(`connect to ${endpoint} failed: ${typeof e.message === 'string' ? e.message : String(err)}`);
      return false;
    } finally {
      clearTimeout(timer);
    }
  };

  const request = (c: ModbusRTU, table: RegisterTable, address: number, count: number): Promise<{ data: (number | boolean)[] }> => {
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

  const noteBlock = (block: Block, problem: string): void => {
    const key = `${block.table}:${block.address}`;
    const before = blockProblems.get(key) ?? '';
    if (before === problem) return;
    blockProblems.set(key, problem);
    const where = { device: device.config.id, table: block.table, address: block.address, count: block.count };
    if (problem === '') logger.info('modbus read ok again', where);
    else logger.warn('modbus read failed', { ...where, detail: problem });
  };

  /** Reads one block into `out`; after a transport failure the later blocks of the cycle are not requested. */
  const readBlock = async (block: Block, signal: AbortSignal, out: Reading[]): Promise<void> => {
    const c = client;
    if (!c) {
      failed(block.items, { quality: 'comm_lost', detail: lastFailure }, clock.now(), out);
      return;
    }
    try {
      const pending = new Promise<{ data: (number | boolean)[] }>((resolve, reject) => {
        failPending = reject;
        request(c, block.table, block.address, block.count).then(resolve, reject);
      });
      const result = await abortable(pending, signal).finally(() => (failPending = null));
      const ts = clock.now(); // acquisition time: when the answer arrived (L6: the gateway's one clock)
      for (const { point, offset } of block.items) {
        const d = point.codec.decode(result.data, offset);
        out.push(d.quality === 'good' ? reading(point, d.value, 'good', ts) : reading(point, null, d.quality, ts, d.detail));
      }
      answered();
      noteBlock(block, '');
    } catch (err) {
      if (isAbort(err)) throw err;
      const f = classify(err, timeoutMs);
      if (f.exceptionCode !== undefined) answered(); // an exception is an answer: the link works
      if (f.exceptionCode === 2 && block.items.length > 1) {
        // The device may refuse a merged read that spans registers it does not have (devices.md §5
        // implication 3): read these points one by one from now on, starting with this cycle.
        logger.info('modbus device rejected a merged read; reading its points one by one', { device: device.config.id, table: block.table, address: block.address, count: block.count });
        const singles = splitBlock(block);
        plan = plan.flatMap((b) => (b === block ? singles : [b]));
        for (const single of singles) await readBlock(single, signal, out);
        return;
      }
      failed(block.items, f, clock.now(), out);
      if (f.transport) dropConnection(f.detail);
      else noteBlock(block, f.detail);
    }
  };

  const cycle = async (signal: AbortSignal): Promise<Reading[]> => {
    const out: Reading[] = [];
    if (client && !client.isOpen) {
      // Closed between cycles (many devices drop idle connections): reconnect at once, no penalty.
      closeClient();
      lastFailure = 'connection closed by the device';
      nextConnectAt = 0;
    }
    if (!client && (performance.now() < nextConnectAt || !(await connect(signal)))) {
      failed(allItems, { quality: 'comm_lost', detail: lastFailure }, clock.now(), out);
      return out;
    }
    for (const block of plan) await readBlock(block, signal, out);
    return out;
  };

  const run = async (signal: AbortSignal): Promise<void> => {
    while (!signal.aborted) {
      const started = performance.now();
      try {
        const readings = await cycle(signal);
        if (signal.aborted) return;
        try {
          if (readings.length > 0) emit(readings);
        } catch (err) {
          // A throwing consumer is a bug elsewhere; it must not stop acquisition.
          logger.error('reading consumer threw', { device: device.config.id, err: String(err) });
        }
        // Fixed rate without overlap: a slow cycle delays the next one instead of stacking up.
        await sleep(Math.max(0, started + intervalMs - performance.now()), undefined, { signal });
      } catch (err) {
        if (isAbort(err)) return;
        throw err;
      }
    }
  };

  return {
    async start() {
      if (loop) return;
      allPoints = device.points.map((p) => ({ spec: p.spec, codec: compileCodec(p.spec), pointKey: p.key, point: p.name, unit: p.spec.unit }));
      allItems = allPoints.map((point) => ({ point }));
      plan = planReads(allPoints);
      failures = 0;
      nextConnectAt = 0;
      lastFailure = 'not connected yet';
      blockProblems.clear();
      move('start');
      logger.debug('modbus poller starting', { device: device.config.id, intervalMs, timeoutMs, requests: plan.length });
      const controller = new AbortController();
      abort = controller;
      loop = run(controller.signal).catch((err: unknown) => {
        logger.error('modbus poll loop crashed', { device: device.config.id, err: String(err) });
      });
    },

    async stop() {
      if (!loop || !abort) return;
      abort.abort();
      closeClient();
      await loop;
      loop = null;
      abort = null;
      move('stop');
    },
  };
}
