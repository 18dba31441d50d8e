// Built-in Modbus TCP device simulator: serves one device profile's register map with modbus-serial's
// ServerTCP, so the demo and the tests run the real poller against a real socket. Values are set in
// engineering units and encoded with the poller's own codec (decode.ts), so both sides share one truth.
// Behaviour of a real unit (devices.md §5): unknown registers answer exception 02; requests for another
// unit id get no answer (the client times out); writes answer 01, the gateway only reads (R4).
import { Server, type AddressInfo, type Socket } from 'node:net';
import * as modbusSerial from 'modbus-serial';
import type { FCallback, FCallbackVal, IServiceVector } from 'modbus-serial';
import type { Logger } from '../core/logger.ts';
import type { ModbusProfile, RegisterTable } from '../devices/profile-schema.ts';
import { registerCount } from '../devices/profiles.ts';
import { compileCodec, type PointCodec } from '../sources/modbus/decode.ts';

export interface ModbusSimulatorOptions {
  profile: ModbusProfile;
  host: string;
  /** 0 picks a free port; read the real one from `ModbusSimulator.port`. */
  port: number;
  unitId: number;
  logger: Logger;
}

export interface ModbusSimulator {
  /** The port actually bound. */
  readonly port: number;
  readonly unitId: number;
  readonly profile: ModbusProfile;
  /** The exception code every request currently answers with, or null. */
  readonly exception: number | null;
  /** Sets a point in engineering units. Throws for an unknown point, or RangeError if the registers cannot hold it. */
  set(point: string, value: number): void;
  /** The point's value as a client would decode it (after the register's resolution), in engineering units. */
  get(point: string): number;
  /** Makes every request answer this Modbus exception code (1–255), or behave normally again with null. */
  setException(code: number | null): void;
  stop(): Promise<void>;
}

/** One lookup: the words, the exception to answer, or `drop` = send nothing (another unit id). */
type Lookup = { words: number[] } | { error: Error } | 'drop';

const exceptionError = (code: number, message: string): Error => Object.assign(new Error(message), { modbusErrorCode: code });

export async function startModbusSimulator(options: ModbusSimulatorOptions): Promise<ModbusSimulator> {
  const { profile, host, unitId } = options;
  const logger = options.logger.child({ simulator: profile.id, unitId });
  const tables: Record<RegisterTable, Map<number, number>> = { coil: new Map(), discrete: new Map(), holding: new Map(), input: new Map() };
  const codecs = new Map<string, PointCodec>();
  let exception: number | null = null;

  const pointOf = (name: string): { spec: ModbusProfile['points'][string]; codec: PointCodec } => {
    const spec = Object.hasOwn(profile.points, name) ? profile.points[name] : undefined;
    const codec = codecs.get(name);
    if (!spec || !codec) throw new Error(`profile ${profile.id} has no point "${name}" (points: ${Object.keys(profile.points).join(', ')})`);
    return { spec, codec };
  };

  const write = (name: string, words: number[]): void => {
    const { spec } = pointOf(name);
    words.forEach((w, i) => tables[spec.table].set(spec.address + i, w));
  };

  // Profiles reaching the simulator come from loadProfiles, so addresses are PDU addresses already.
  for (const [name, spec] of Object.entries(profile.points)) {
    const codec = compileCodec(spec);
    codecs.set(name, codec);
    let words: number[];
    try {
      words = codec.encode(profile.simulator?.initial[name] ?? 0);
    } catch {
      words = new Array<number>(registerCount(spec.type)).fill(0); // e.g. 0 °C below a uint16's offset
    }
    write(name, words);
  }

  const lookup = (table: RegisterTable, address: number, length: number, unit: number): Lookup => {
    if (unit !== unitId) return 'drop';
    if (exception !== null) return { error: exceptionError(exception, `simulated exception ${exception}`) };
    const words: number[] = [];
    const map = tables[table];
    for (let a = address; a < address + length; a++) {
      const w = map.get(a);
      if (w === undefined) return { error: exceptionError(2, `no ${table} register ${a}`) };
      words.push(w);
    }
    return { words };
  };

  const one =
    (table: RegisterTable) =>
    (address: number, unit: number, cb: FCallbackVal<number>): void => {
      const r = lookup(table, address, 1, unit);
      if (r === 'drop') return;
      if ('error' in r) cb(r.error, 0);
      else cb(null, r.words[0] ?? 0);
    };
  const many =
    (table: RegisterTable) =>
    (address: number, length: number, unit: number, cb: FCallbackVal<number[]>): void => {
      const r = lookup(table, address, length, unit);
      if (r === 'drop') return;
      if ('error' in r) cb(r.error, []);
      else cb(null, r.words);
    };
  const bit =
    (table: RegisterTable) =>
    (address: number, unit: number, cb: FCallbackVal<boolean>): void => {
      const r = lookup(table, address, 1, unit);
      if (r === 'drop') return;
      if ('error' in r) cb(r.error, false);
      else cb(null, r.words[0] === 1);
    };
  const refuseWrite = (unit: number, cb: FCallback): void => {
    if (unit !== unitId) return;
    cb(exceptionError(exception ?? 1, 'the simulator is read-only over Modbus'));
  };

  // Callback-style handlers (arity 3/4): modbus-serial then lets us not answer at all, as a real
  // device on a shared bus ignores frames for other unit ids.
  const vector: IServiceVector = {
    getCoil: bit('coil'),
    getDiscreteInput: bit('discrete'),
    getHoldingRegister: one('holding'),
    getInputRegister: one('input'),
    getMultipleHoldingRegisters: many('holding'),
    getMultipleInputRegisters: many('input'),
    setCoil: (_address: number, _value: boolean, unit: number, cb: FCallback) => refuseWrite(unit, cb),
    setRegister: (_address: number, _value: number, unit: number, cb: FCallback) => refuseWrite(unit, cb),
    setRegisterArray: (_address: number, _value: number[], unit: number, cb: FCallback) => refuseWrite(unit, cb),
  };

  // ServerTCP treats port 0 as "use 502" (`options.port || 502`, servers/servertcp.js); the string '0'
  // passes that test and net.Server.listen accepts it, so the OS picks a free port without a race.
  const listenPort = (options.port === 0 ? '0' : options.port) as number;
  const server = new modbusSerial.ServerTCP(vector, { host, port: listenPort, unitID: unitId, debug: false });
  // ServerTCP keeps its net.Server private (`_server`) and does not expose the bound address.
  const net = (server as unknown as { _server?: unknown })._server;
  if (!(net instanceof Server)) throw new Error('modbus-serial ServerTCP has no _server; the library changed, update the simulator');
  // TCP_NODELAY on accepted sockets, as modbus-serial's client does on its side (ports/tcpport.js):
  // small request/response frames should not wait for Nagle's algorithm.
  net.on('connection', (socket: Socket) => socket.setNoDelay(true));

  try {
    await new Promise<void>((resolve, reject) => {
      const onError = (err: unknown): void => reject(err instanceof Error ? err : new Error(String(err)));
      server.once('serverError', onError);
      server.once('initialized', () => {
        server.off('serverError', onError);
        resolve();
      });
    });
  } catch (err) {
    server.close(() => {});
    throw new Error(`Modbus simulator for ${profile.id} cannot listen on ${host}:${options.port}: ${(err as Error).message}`, { cause: err });
  }
  server.on('serverError', (err: unknown) => logger.error('modbus simulator server error', { err: String(err) }));
  server.on('error', (err: unknown) => logger.error('modbus simulator error', { err: String(err) }));
  server.on('socketError', (err: unknown) => logger.debug('modbus simulator client socket error', { err: String(err) }));

  const port = (net.address() as AddressInfo).port;
  logger.info('modbus simulator listening', { host, port });
  let stopped: Promise<void> | null = null;

  return {
    port,
    unitId,
    profile,
    get exception() {
      return exception;
    },
    set(name, value) {
      const { codec } = pointOf(name);
      write(name, codec.encode(value));
      logger.debug('simulator value set', { point: name, value });
    },
    get(name) {
      const { spec, codec } = pointOf(name);
      const words: number[] = [];
      for (let i = 0; i < registerCount(spec.type); i++) words.push(tables[spec.table].get(spec.address + i) ?? 0);
      return codec.toEngineering(words, 0);
    },
    setException(code) {
      if (code !== null && (!Number.isInteger(code) || code < 1 || code > 255)) {
        throw new RangeError(`exception code must be an integer 1–255 or null (got ${code})`);
      }
      exception = code;
      logger.info(code === null ? 'simulator answers normally' : 'simulator answers with an exception', { code });
    },
    stop() {
      // ServerTCP.close closes the listener and destroys the open client sockets.
      stopped ??= new Promise<void>((resolve) => server.close(() => resolve())).then(() => logger.info('modbus simulator stopped', { port }));
      return stopped;
    },
  };
}
