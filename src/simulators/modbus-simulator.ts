// Built-in Modbus device simulators: a TCP listener speaking Modbus TCP (one device, or a gateway with
// several unit ids) or RTU over TCP (a serial device server with an RS-485 bus of units behind it), so the
// demo and the tests run the real poller against a real socket. The units and their scenarios are in
// modbus-unit.ts, the framing in modbus-frames.ts.
import { createServer, type AddressInfo, type Socket } from 'node:net';
import type { Logger } from '../core/logger.ts';
import type { ModbusProfile } from '../devices/profile-schema.ts';
import { serveMbap, serveRtu, type GatewayBehaviour, type PendingStats } from './modbus-frames.ts';
import { createSimulatedUnit, type SimulatedUnit } from './modbus-unit.ts';

/** One simulated device as the control server and the tests see it: its unit, where it listens, stop. */
export interface ModbusSimulator extends SimulatedUnit {
  /** The port actually bound. */
  readonly port: number;
  /** How its listener frames Modbus: `tcp` (MBAP) or `rtu` (RTU frames with CRC, a serial device server). */
  readonly framing: 'tcp' | 'rtu';
  /** Stops the listener this device is served on (and with it every unit on that bus). */
  stop(): Promise<void>;
}

export interface BusSimulatorOptions {
  host: string;
  /** 0 picks a free port; read the real one from `port`. */
  port: number;
  /** `tcp`: Modbus TCP (MBAP); `rtu`: RTU frames over TCP, as a serial device server forwards them. */
  framing: 'tcp' | 'rtu';
  units: readonly { profile: ModbusProfile; unitId: number }[];
  logger: Logger;
  /** How the gateway treats its units: request log (both framings); one serialized bus, dropping (Modbus TCP). */
  gateway?: GatewayBehaviour;
}

export interface BusSimulator {
  readonly port: number;
  /** The most requests that waited for their answer at once (a client's concurrency, with slow answers). */
  readonly maxPending: number;
  readonly units: ReadonlyMap<number, ModbusSimulator>;
  stop(): Promise<void>;
}

export async function startBusSimulator(options: BusSimulatorOptions): Promise<BusSimulator> {
  const { host, framing } = options;
  const logger = options.logger.child({ simulator: framing, units: options.units.map((u) => u.unitId) });
  const units = new Map<number, SimulatedUnit>();
  for (const u of options.units) {
    if (units.has(u.unitId)) throw new Error(`two simulated units with id ${u.unitId} on one bus`);
    units.set(u.unitId, createSimulatedUnit(u.profile, u.unitId));
  }
  const sockets = new Set<Socket>();
  const stats: PendingStats = { pending: 0, maxPending: 0 };
  const server = createServer((socket) => {
    // TCP_NODELAY: small request/response frames should not wait for Nagle's algorithm / delayed ACK.
    socket.setNoDelay(true);
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', (err) => logger.debug('modbus simulator client socket error', { err: String(err) }));
    if (framing === 'tcp') serveMbap(socket, (id) => units.get(id), stats, options.gateway);
    else serveRtu(socket, (id) => units.get(id), { stats, ...(options.gateway?.requestLog ? { requestLog: options.gateway.requestLog } : {}) });
  });
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (err) {
    throw new Error(`Modbus simulator cannot listen on ${host}:${options.port}: ${(err as Error).message}`, { cause: err });
  }
  server.on('error', (err) => logger.error('modbus simulator error', { err: String(err) }));
  const port = (server.address() as AddressInfo).port;
  logger.info('modbus simulator listening', { host, port });

  let stopped: Promise<void> | null = null;
  const stop = (): Promise<void> => {
    stopped ??= new Promise<void>((resolve) => {
      for (const u of units.values()) u.dispose();
      server.close(() => resolve());
      for (const s of sockets) s.destroy();
    }).then(() => logger.info('modbus simulator stopped', { port }));
    return stopped;
  };
  // Each device's handle is its unit plus the listener's port and stop (prototype keeps the unit's getters live).
  const handles = new Map<number, ModbusSimulator>();
  for (const [id, unit] of units) handles.set(id, Object.assign(Object.create(unit) as SimulatedUnit, { port, stop, framing }) as ModbusSimulator);
  return {
    port,
    units: handles,
    stop,
    get maxPending() {
      return stats.maxPending;
    },
  };
}

export interface ModbusSimulatorOptions {
  profile: ModbusProfile;
  host: string;
  port: number;
  unitId: number;
  logger: Logger;
  framing?: 'tcp' | 'rtu';
}

/** One device on its own Modbus TCP port. */
export async function startModbusSimulator(options: ModbusSimulatorOptions): Promise<ModbusSimulator> {
  const bus = await startBusSimulator({
    host: options.host,
    port: options.port,
    framing: options.framing ?? 'tcp',
    units: [{ profile: options.profile, unitId: options.unitId }],
    logger: options.logger,
  });
  return bus.units.get(options.unitId)!;
}
