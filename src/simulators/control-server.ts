// HTTP control of the built-in simulators (`npm run sim`): list devices, set a point, force an exception.
// It has no login, so it only ever binds to loopback (style.md §9, deny by default); unknown routes 404.
// Building the app is separate from listen() so tests can inject requests (style.md: fastify).
import { isIP } from 'node:net';
import Fastify, { type FastifyInstance } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import type { ErrorBody } from '../contract/api.ts';
import { DomainError } from '../core/errors.ts';
import type { Logger } from '../core/logger.ts';
import type { ModbusSimulator } from './modbus-simulator.ts';
import type { MqttSimulator } from './mqtt-simulator.ts';
import { registerMqttSimulatorRoutes } from './mqtt-control.ts';
import { addScenarioRoutes } from './scenario-routes.ts';

// DTOs of this API, shared with src/cli/sim.ts.
export const SetPointRequest = Type.Object({ value: Type.Number() }, { additionalProperties: false });
export type SetPointRequest = Static<typeof SetPointRequest>;

export const SetExceptionRequest = Type.Object(
  { code: Type.Union([Type.Integer({ minimum: 1, maximum: 255 }), Type.Null()]) },
  { additionalProperties: false },
);
export type SetExceptionRequest = Static<typeof SetExceptionRequest>;

export interface SimulatedPointView {
  name: string;
  unit: string;
  value: number;
}

export interface SimulatedDeviceView {
  id: string;
  profile: string;
  port: number;
  unitId: number;
  exception: number | null;
  /** Sends no answer at all (a dead slave). */
  offline: boolean;
  /** Answers this many ms late. */
  delayMs: number;
  /** RTU: answers with a broken CRC. */
  badCrc: boolean;
  points: SimulatedPointView[];
}

export interface DevicesResponse {
  devices: SimulatedDeviceView[];
}

export interface SimulatorControlOptions {
  simulators: ReadonlyMap<string, ModbusSimulator>;
  /** Simulated MQTT devices, controlled under /mqtt-devices (mqtt-control.ts). */
  mqttSimulators?: ReadonlyMap<string, MqttSimulator>;
  host: string;
  /** 0 picks a free port; the bound one is returned. */
  port: number;
  logger: Logger;
}

export interface SimulatorControl {
  port: number;
  stop(): Promise<void>;
}

const errorBody = (code: ErrorBody['error']['code'], message: string): ErrorBody => ({ error: { code, message } });

export function isLoopback(host: string): boolean {
  if (host === 'localhost') return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  return host === '::1' || host === '::ffff:127.0.0.1';
}

function deviceView(id: string, sim: ModbusSimulator): SimulatedDeviceView {
  return {
    id,
    profile: sim.profile.id,
    port: sim.port,
    unitId: sim.unitId,
    exception: sim.exception,
    offline: sim.offline,
    delayMs: sim.delayMs,
    badCrc: sim.badCrc,
    points: Object.entries(sim.profile.points).map(([name, spec]) => ({ name, unit: spec.unit, value: sim.get(name) })),
  };
}

export function buildSimulatorControl(simulators: ReadonlyMap<string, ModbusSimulator>, logger: Logger, mqttSimulators: ReadonlyMap<string, MqttSimulator> = new Map()): FastifyInstance {
  // No type coercion: `"value": "41"` or `true` is a client mistake to report, not to guess.
  const app = Fastify({ logger: false, bodyLimit: 4 * 1024, ajv: { customOptions: { coerceTypes: false, removeAdditional: false } } });

  const simulatorOf = (id: string): ModbusSimulator => {
    const sim = simulators.get(id);
    if (!sim) {
      const known = [...simulators.keys()].join(', ') || 'none';
      throw new DomainError('RW_NOT_FOUND', `no simulated device "${id}" (simulated devices: ${known})`, 404);
    }
    return sim;
  };

  app.setErrorHandler((err: unknown, req, reply) => {
    if (err instanceof DomainError) return reply.code(err.status).send(errorBody(err.code, err.message));
    const e = err as { statusCode?: number; message?: string };
    if (e.statusCode && e.statusCode >= 400 && e.statusCode < 500) {
      return reply.code(e.statusCode).send(errorBody('RW_INVALID_REQUEST', e.message ?? 'invalid request'));
    }
    logger.error('simulator control request failed', { method: req.method, url: req.url, err: String((err as Error)?.stack ?? err) });
    return reply.code(500).send(errorBody('RW_INTERNAL', 'internal error; see the gateway log'));
  });
  app.setNotFoundHandler((req, reply) => reply.code(404).send(errorBody('RW_NOT_FOUND', `no route ${req.method} ${req.url.split('?')[0]}`)));

  app.get('/devices', async (): Promise<DevicesResponse> => ({
    devices: [...simulators].map(([id, sim]) => deviceView(id, sim)),
  }));

  app.put<{ Params: { id: string; point: string }; Body: SetPointRequest }>(
    '/devices/:id/points/:point',
    { schema: { body: SetPointRequest } },
    async (req): Promise<SimulatedDeviceView> => {
      const { id, point } = req.params;
      const sim = simulatorOf(id);
      if (!Object.hasOwn(sim.profile.points, point)) {
        throw new DomainError('RW_NOT_FOUND', `device "${id}" (profile ${sim.profile.id}) has no point "${point}" (points: ${Object.keys(sim.profile.points).join(', ')})`, 404);
      }
      try {
        sim.set(point, req.body.value);
      } catch (err) {
        if (err instanceof RangeError) throw new DomainError('RW_INVALID_REQUEST', `cannot set ${id}.${point} to ${req.body.value}: ${err.message}`, 400);
        throw err;
      }
      logger.info('simulated point set', { device: id, point, value: req.body.value });
      return deviceView(id, sim);
    },
  );

  app.put<{ Params: { id: string }; Body: SetExceptionRequest }>(
    '/devices/:id/exception',
    { schema: { body: SetExceptionRequest } },
    async (req): Promise<SimulatedDeviceView> => {
      const sim = simulatorOf(req.params.id);
      sim.setException(req.body.code);
      logger.info('simulated exception set', { device: req.params.id, code: req.body.code });
      return deviceView(req.params.id, sim);
    },
  );

  registerMqttSimulatorRoutes(app, mqttSimulators, logger);
  addScenarioRoutes(app, simulatorOf, deviceView, logger);
  return app;
}

export async function startSimulatorControl(options: SimulatorControlOptions): Promise<SimulatorControl> {
  const { host, logger } = options;
  if (!isLoopback(host)) throw new Error(`simulator control must listen on loopback (it has no login); got host "${host}"`);
  const app = buildSimulatorControl(options.simulators, logger, options.mqttSimulators);
  await app.listen({ host, port: options.port });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  logger.info('simulator control listening', { url: `http://${host.includes(':') ? `[${host}]` : host}:${port}` });
  return {
    port,
    stop: () => app.close(),
  };
}
