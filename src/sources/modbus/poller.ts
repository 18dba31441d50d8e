// Modbus poller: one per device (unit), reading its planned blocks through a shared link every poll interval
// and emitting one reading per point. A failed read never repeats the last value (style.md: HA modbus).
// Per-unit backoff: a unit that stops answering is asked less and less often, so one dead slave does not
// take the bus time of the others (the complaint "a timed-out slave stalls the others", issue 3).
// After `commLossAfterCycles` failed cycles the device is offline (DeviceStatus → communication-loss alarm);
// the first answer brings it back, logged both ways. The first judgement after start is reported too, like the
// configuration's: found online, it clears a communication-loss alarm an earlier run left open. An exception
// 01/02/03/0A is a configuration mismatch (DeviceConfigStatus → configuration alarm), never retried. Counters
// for diagnostics: ./diagnostics.ts.
import { setTimeout as sleep } from 'node:timers/promises';
import type { SiteDevice, SitePoint } from '../../config/load.ts';
import { resolveUnit } from '../../config/modbus-connection.ts';
import type { Clock } from '../../core/clock.ts';
import type { Logger } from '../../core/logger.ts';
import type { Quality, Reading } from '../../core/reading.ts';
import type { DeviceConfigStatus, DeviceStatus } from '../../core/bus.ts';
import { compileCodec, planReads, splitBlock, type PointCodec, type ReadBlock } from './decode.ts';
import { countFailure, newModbusCounters, type ModbusDeviceCounters } from './diagnostics.ts';
import { isAbort, jittered, LinkError, type ModbusLink, type RegisterData } from './link.ts';

export { describeException, reconnectDelay } from './link.ts';

export interface ModbusPollerDeps {
  device: SiteDevice;
  link: ModbusLink;
  clock: Clock;
  logger: Logger;
  emit: (readings: Reading[]) => void;
  /** Offline/online changes of this device, and the first judgement after start (DeviceStatus). */
  status?: (status: DeviceStatus) => void;
  /** Configuration mismatch found or gone (only changes, and the first judgement after start). */
  config?: (status: DeviceConfigStatus) => void;
  /** For tests of the backoff: jitter source. */
  random?: () => number;
  /** Wait before the first cycle, so many devices do not all ask at the same moment of the interval. */
  firstCycleDelayMs?: number;
  /** Called after every cycle, for benchmarks and diagnostics: how long it took and how late it started. */
  onCycle?: (cycle: CycleStats) => void;
}

export interface CycleStats {
  deviceId: string;
  durationMs: number;
  /** Start minus the scheduled start (0 when on time). */
  lagMs: number;
}

export interface ModbusPoller {
  readonly deviceId: string;
  readonly unitId: number;
  /** Live counters for diagnostics (read, never written, outside the poller). */
  readonly counters: ModbusDeviceCounters;
  start(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Delay before asking a silent unit again after `failedCycles` cycles without an answer: none after the
 * first (one lost frame is common on RS-485), then the poll interval doubling up to ten intervals (at most
 * 30 s), with 20 % jitter at every step, the cap included, so several dead units on one bus do not probe in
 * lock-step (Zigbee2MQTT availability backs off the same way, devices.md §5; issue 12: at the cap the jitter
 * was lost). The cap keeps recovery noticed within ~10 cycles.
 */
export function unitBackoff(failedCycles: number, intervalMs: number, random: () => number = Math.random): number {
  if (failedCycles < 2) return 0;
  return jittered(intervalMs * 2 ** Math.min(failedCycles - 1, 16), Math.min(30_000, 10 * intervalMs), random);
}

interface PlannedPoint {
  spec: SitePoint['spec'];
  codec: PointCodec;
  pointKey: string;
  point: string;
  unit: string;
}

type Block = ReadBlock<PlannedPoint>;

/** Exceptions worth asking again within the cycle: 05 acknowledge, 06 busy (Telegraf retries only busy). */
const retryable = new Set([5, 6]);
/**
 * Exceptions that say the configuration does not match the device (devices.md §5 implication 2): 01 illegal
 * function, 02 illegal data address, 03 illegal data value, 0A gateway path unavailable (the unit id is not in
 * the gateway's table). Asking again cannot help: no retry, a configuration alarm instead.
 */
const configExceptions = new Set([1, 2, 3, 10]);

const tableNames: Readonly<Record<string, string>> = { coil: 'coil', discrete: 'discrete input', holding: 'holding register', input: 'input register' };
/** A protocol (0-based) address as devices.md writes them, 0x0001: not a manual's 1-based 30002. */
const hex = (address: number): string => `0x${address.toString(16).toUpperCase().padStart(4, '0')}`;

export function createModbusPoller(deps: ModbusPollerDeps): ModbusPoller {
  const { device, link, clock, emit } = deps;
  const random = deps.random ?? Math.random;
  const unit = resolveUnit(device.config.connection, device.profile.defaults.unitId);
  const intervalMs = device.config.pollIntervalMs ?? 1000;
  const commLossAfter = device.config.commLossAfterCycles ?? 3;
  const restoreAfter = device.config.commRestoreAfterCycles ?? 2;
  const id = device.config.id;
  const logger = deps.logger.child({ link: link.key, unitId: unit.unitId });

  let plan: Block[] = [];
  let allPoints: PlannedPoint[] = [];
  let abort: AbortController | null = null;
  let loop: Promise<void> | null = null;
  let failedCycles = 0; // in a row; counters.failedCycles is the total
  let goodCycles = 0; // answered cycles in a row (hysteresis of the way back online)
  const counters = newModbusCounters(); // counters.online: unknown (null) until the first answer or commLossAfter failures
  /** Configuration judged at the end of a complete cycle: unknown after start, then ok or a mismatch. */
  let configState: 'unknown' | 'ok' | 'mismatch' = 'unknown';
  /** The first configuration mismatch of the cycle under way. */
  let cycleMismatch: string | null = null;
  let skipUntil = 0; // performance.now(): per-unit backoff
  let lastFailure = 'not polled yet';
  /** Why the link was down the last time a request of this unit could not go on the wire. */
  let linkFailure = '';
  /** Last logged problem per block, so a persistent exception is logged once, not every cycle. */
  const blockProblems = new Map<string, string>();

  const reading = (p: PlannedPoint, value: number | boolean | null, quality: Quality, ts: number, detail?: string): Reading =>
    detail === undefined
      ? { pointKey: p.pointKey, roomId: device.config.room, deviceId: id, point: p.point, value, unit: p.unit, quality, ts }
      : { pointKey: p.pointKey, roomId: device.config.room, deviceId: id, point: p.point, value, unit: p.unit, quality, ts, detail };

  const failed = (points: readonly { point: PlannedPoint }[], quality: Quality, detail: string, ts: number, out: Reading[]): void => {
    for (const { point } of points) out.push(reading(point, null, quality, ts, detail));
  };

  const setOnline = (value: boolean, detail: string | undefined): void => {
    if (counters.online === value) return;
    const was = counters.online;
    counters.online = value;
    // Reported either way: the alarm service clears a communication-loss alarm an earlier run left open, and the
    // duty log's equipment events write no recovery for a device found online at start-up (bus.ts DeviceStatus).
    if (value && was === null) logger.debug('modbus device answers', { device: id });
    else if (value) logger.info('modbus device back online', { device: id });
    else logger.warn('modbus device offline', { device: id, failedCycles, detail });
    deps.status?.({ deviceId: id, roomId: device.config.room, online: value, ts: clock.now(), ...(detail ? { detail } : {}) });
  };

  /** Called at the end of a cycle that asked every block: a mismatch raises, none clears (changes only). */
  const judgeConfig = (mismatch: string | null): void => {
    const next = mismatch === null ? 'ok' : 'mismatch';
    if (next === configState) return;
    const was = configState;
    configState = next;
    counters.configProblem = mismatch;
    if (mismatch !== null) logger.warn('modbus device configuration does not match the device', { device: id, detail: mismatch });
    else if (was === 'mismatch') logger.info('modbus device configuration matches again', { device: id });
    deps.config?.({ deviceId: id, roomId: device.config.room, ok: mismatch === null, ts: clock.now(), ...(mismatch !== null ? { detail: mismatch } : {}) });
  };

  const noteBlock = (block: Block, problem: string): void => {
    const key = `${block.table}:${block.address}`;
    if ((blockProblems.get(key) ?? '') === problem) return;
    blockProblems.set(key, problem);
    const where = { device: id, table: block.table, address: block.address, count: block.count };
    if (problem === '') logger.info('modbus read ok again', where);
    else logger.warn('modbus read failed', { ...where, detail: problem });
  };

  /** One read with busy retries (exception 05/06 only; devices.md §5, Telegraf `busy_retries`). */
  const readWithRetries = async (block: Block, signal: AbortSignal): Promise<RegisterData> => {
    for (let attempt = 0; ; attempt++) {
      counters.requests++;
      try {
        const data = await link.read(unit.unitId, block.table, block.address, block.count, signal);
        counters.answers++;
        return data;
      } catch (err) {
        if (err instanceof LinkError) countFailure(counters, err, clock.now());
        const busy = err instanceof LinkError && err.exceptionCode !== undefined && retryable.has(err.exceptionCode);
        if (!busy || attempt >= unit.busyRetries) throw err;
        counters.busyRetries++;
        await sleep(unit.busyRetryWaitMs, undefined, { signal });
      }
    }
  };

  /** Reads one block into `out`; returns whether the unit answered (data or an exception). */
  const readBlock = async (block: Block, signal: AbortSignal, out: Reading[]): Promise<'answered' | 'silent' | 'not-sent'> => {
    try {
      const data = await readWithRetries(block, signal);
      if (signal.aborted) return 'answered'; // stopped meanwhile: the cycle's readings are dropped anyway
      const ts = clock.now(); // acquisition time: when the answer arrived (L6: the gateway's one clock)
      counters.lastGoodAt = ts;
      for (const { point, offset } of block.items) {
        const d = point.codec.decode(data, offset);
        out.push(d.quality === 'good' ? reading(point, d.value, 'good', ts) : reading(point, null, d.quality, ts, d.detail));
      }
      noteBlock(block, '');
      return 'answered';
    } catch (err) {
      if (isAbort(err) || !(err instanceof LinkError)) throw err;
      if (err.kind === 'link-down') {
        // Never went on the wire: the link is down, which is the link's state, not this unit's failure.
        linkFailure = `link ${link.key} down: ${err.message}`;
        failed(block.items, 'comm_lost', linkFailure, clock.now(), out);
        return 'not-sent';
      }
      if (err.exceptionCode === 2 && block.items.length > 1) {
        // The device may refuse a merged read that spans registers it does not have (devices.md §5
        // implication 3). Read the points one by one this cycle; keep them split only if that proves it: some
        // single reads answer data. If every one is refused too, the exception was unit-wide (a unit still
        // booting, a gateway's route missing), and the merged read is asked again next cycle (issue 12).
        const singles = splitBlock(block);
        const before = out.length;
        let answeredData = false;
        for (const single of singles) {
          const firstOfSingle = out.length;
          if ((await readBlock(single, signal, out)) === 'silent') break;
          if (out.slice(firstOfSingle).some((r) => r.quality !== 'bad' || r.detail !== err.message)) answeredData = true;
        }
        if (answeredData) {
          logger.info('modbus device rejected a merged read; reading its points one by one', { device: id, table: block.table, address: block.address, count: block.count });
          plan = plan.flatMap((b) => (b === block ? singles : [b]));
        }
        const got = out.length - before;
        if (got < block.items.length) failed(block.items.slice(got), 'comm_lost', lastFailure, clock.now(), out);
        return got < block.items.length ? 'silent' : 'answered';
      }
      if (err.exceptionCode !== undefined && configExceptions.has(err.exceptionCode)) {
        // After the split above, 02 here is one point's register (or a lone block) the device does not have.
        const where = `${tableNames[block.table]} ${hex(block.address)}${block.count > 1 ? `–${hex(block.address + block.count - 1)}` : ''}`;
        cycleMismatch ??= `unit ${unit.unitId}, ${where} (${block.items.map((i) => i.point.point).join(', ')}): ${err.message}`;
      }
      // 0x0B: the gateway answered, the device behind it did not: the device is silent (devices.md §5).
      const silent = err.kind !== 'exception' || err.exceptionCode === 11;
      failed(block.items, silent ? 'comm_lost' : 'bad', err.message, clock.now(), out);
      if (silent) lastFailure = err.message;
      else noteBlock(block, err.message);
      return silent ? 'silent' : 'answered';
    }
  };

  const cycle = async (signal: AbortSignal): Promise<Reading[]> => {
    const out: Reading[] = [];
    let answered = false;
    let notSent = false;
    let complete = false; // every block answered: the configuration can be judged
    cycleMismatch = null;
    counters.cycles++;
    if (performance.now() >= skipUntil) {
      complete = true;
      for (let i = 0; i < plan.length; i++) {
        const block = plan[i]!;
        const result = await readBlock(block, signal, out);
        if (result === 'answered') answered = true;
        else {
          // A silent unit will not answer the next block either, and a down link will not carry it: spare the
          // bus (and the others) the wait.
          const rest = plan.slice(i + 1).flatMap((b) => b.items);
          failed(rest, 'comm_lost', result === 'silent' ? lastFailure : linkFailure, clock.now(), out);
          complete = false;
          notSent = result === 'not-sent' && !answered;
          break;
        }
      }
    } else {
      failed(allPoints.map((point) => ({ point })), 'comm_lost', lastFailure, clock.now(), out);
    }
    // A mismatch seen is one even if the unit fell silent later in the cycle; "none" needs every block's answer.
    if (!signal.aborted && (cycleMismatch !== null || complete)) judgeConfig(cycleMismatch);
    if (answered) {
      if (failedCycles > 0) logger.debug('modbus unit answers again', { device: id, failedCycles });
      failedCycles = 0;
      skipUntil = 0;
      goodCycles++;
      // Hysteresis (issue 12): back online after `commRestoreAfterCycles` answered cycles in a row; the first
      // judgement after start needs one.
      if (counters.online === null || goodCycles >= restoreAfter) setOnline(true, undefined);
    } else if (notSent) {
      // The unit never got its turn on the wire: not its failure, no backoff. The device is still noticed as
      // unreachable once the link has stayed down for as long as `commLossAfterCycles` cycles take.
      goodCycles = 0;
      if (link.outageMs() >= commLossAfter * intervalMs) setOnline(false, linkFailure);
    } else {
      goodCycles = 0;
      failedCycles++;
      counters.failedCycles++;
      const wait = unitBackoff(failedCycles, intervalMs, random);
      if (wait > 0 && performance.now() >= skipUntil) skipUntil = performance.now() + wait;
      if (failedCycles >= commLossAfter) setOnline(false, lastFailure);
    }
    return out;
  };

  /**
   * One cycle and its readings handed on. Its own function so the readings die with it: held in run()'s
   * frame, they would live through the pause and get promoted to the old generation (GC work, RSS).
   */
  const pollOnce = async (signal: AbortSignal, started: number, lagMs: number): Promise<void> => {
    const readings = await cycle(signal);
    if (signal.aborted) return;
    deps.onCycle?.({ deviceId: id, durationMs: performance.now() - started, lagMs });
    try {
      if (readings.length > 0) emit(readings);
    } catch (err) {
      // A throwing consumer is a bug elsewhere; it must not stop acquisition.
      logger.error('reading consumer threw', { device: id, err: String(err) });
    }
  };

  const run = async (signal: AbortSignal): Promise<void> => {
    // The wait between cycles: a plain timer that stop() cuts short through one abort listener for the whole
    // run (an abortable sleep per cycle would add and remove an event listener every time).
    let timer: NodeJS.Timeout | undefined;
    let wake: (() => void) | undefined;
    const pause = (ms: number): Promise<void> =>
      new Promise<void>((resolve) => {
        if (signal.aborted) return resolve(); // stopped before the pause began
        wake = resolve;
        timer = setTimeout(resolve, ms);
      });
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      wake?.();
    }, { once: true });
    if (deps.firstCycleDelayMs) await pause(deps.firstCycleDelayMs);
    let scheduled = performance.now();
    while (!signal.aborted) {
      const started = performance.now();
      try {
        await pollOnce(signal, started, Math.max(0, started - scheduled));
        if (signal.aborted) return;
        scheduled = Math.max(started + intervalMs, performance.now());
        // Fixed rate without overlap: a slow cycle delays the next one instead of stacking up. Whole
        // milliseconds: Node keeps one timer list per distinct delay, and a fraction made a new list each cycle.
        await pause(Math.max(0, Math.round(started + intervalMs - performance.now())));
      } catch (err) {
        if (isAbort(err)) return;
        // A bug in a cycle must not end acquisition for good (issue 3: "polling dies and needs a restart").
        logger.error('modbus poll cycle failed', { device: id, err: String((err as Error)?.stack ?? err) });
        await pause(intervalMs);
      }
    }
  };

  return {
    deviceId: id,
    unitId: unit.unitId,
    counters,
    async start() {
      if (loop) return;
      allPoints = device.points.map((p) => ({ spec: p.spec, codec: compileCodec(p.spec), pointKey: p.key, point: p.name, unit: p.spec.unit }));
      plan = planReads(allPoints, { maxGap: unit.maxGap, maxRegisters: unit.maxRegisters });
      failedCycles = 0;
      goodCycles = 0;
      counters.online = null;
      configState = 'unknown';
      counters.configProblem = null;
      skipUntil = 0;
      lastFailure = 'not polled yet';
      blockProblems.clear();
      logger.debug('modbus poller starting', { device: id, intervalMs, requests: plan.length });
      const controller = new AbortController();
      abort = controller;
      loop = run(controller.signal).catch((err: unknown) => {
        logger.error('modbus poll loop crashed', { device: id, err: String(err) });
      });
    },

    async stop() {
      if (!loop || !abort) return;
      abort.abort();
      await loop;
      loop = null;
      abort = null;
    },
  };
}
