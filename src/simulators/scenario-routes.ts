// Scenario control of the simulators beyond set/exception (issue 3): ramp a value, write raw register words
// (fault sentinels such as 0x8000 / 0xFFFF), take a unit offline (no answer at all), answer slowly, answer with a
// broken CRC (RTU).
// Loopback only, like the rest of the control server.
import type { FastifyInstance } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import { DomainError } from '../core/errors.ts';
import type { Logger } from '../core/logger.ts';
import type { ModbusSimulator } from './modbus-simulator.ts';

export const RampRequest = Type.Object({ to: Type.Number(), seconds: Type.Number({ exclusiveMinimum: 0, maximum: 86_400 }) }, { additionalProperties: false });
export type RampRequest = Static<typeof RampRequest>;
export const RawRequest = Type.Object({ words: Type.Array(Type.Integer({ minimum: 0, maximum: 0xffff }), { minItems: 1, maxItems: 2 }) }, { additionalProperties: false });
export type RawRequest = Static<typeof RawRequest>;
export const OfflineRequest = Type.Object({ offline: Type.Boolean() }, { additionalProperties: false });
export type OfflineRequest = Static<typeof OfflineRequest>;
export const DelayRequest = Type.Object({ ms: Type.Integer({ minimum: 0, maximum: 60_000 }) }, { additionalProperties: false });
export type DelayRequest = Static<typeof DelayRequest>;
export const CrcRequest = Type.Object({ bad: Type.Boolean() }, { additionalProperties: false });
export type CrcRequest = Static<typeof CrcRequest>;

type Params = { id: string; point: string };

export function addScenarioRoutes<V>(
  app: FastifyInstance,
  simulatorOf: (id: string) => ModbusSimulator,
  view: (id: string, sim: ModbusSimulator) => V,
  logger: Logger,
): void {
  /** Runs a change on a point; a value the registers cannot hold is the caller's mistake (400). */
  const onPoint = (id: string, point: string, change: (sim: ModbusSimulator) => void): V => {
    const sim = simulatorOf(id);
    if (!Object.hasOwn(sim.profile.points, point)) {
      throw new DomainError('RW_NOT_FOUND', `device "${id}" (profile ${sim.profile.id}) has no point "${point}" (points: ${Object.keys(sim.profile.points).join(', ')})`, 404);
    }
    try {
      change(sim);
    } catch (err) {
      if (err instanceof RangeError) throw new DomainError('RW_INVALID_REQUEST', `${id}.${point}: ${err.message}`, 400);
      throw err;
    }
    return view(id, sim);
  };

  app.put<{ Params: Params; Body: RampRequest }>('/devices/:id/points/:point/ramp', { schema: { body: RampRequest } }, async (req) => {
    const { id, point } = req.params;
    const result = onPoint(id, point, (sim) => sim.ramp(point, req.body.to, req.body.seconds));
    logger.info('simulated point ramping', { device: id, point, ...req.body });
    return result;
  });

  app.put<{ Params: Params; Body: RawRequest }>('/devices/:id/points/:point/raw', { schema: { body: RawRequest } }, async (req) => {
    const { id, point } = req.params;
    const result = onPoint(id, point, (sim) => sim.setRaw(point, req.body.words));
    logger.info('simulated raw registers set', { device: id, point, words: req.body.words });
    return result;
  });

  app.put<{ Params: { id: string }; Body: OfflineRequest }>('/devices/:id/offline', { schema: { body: OfflineRequest } }, async (req) => {
    const sim = simulatorOf(req.params.id);
    sim.setOffline(req.body.offline);
    logger.info('simulated device offline changed', { device: req.params.id, offline: req.body.offline });
    return view(req.params.id, sim);
  });

  app.put<{ Params: { id: string }; Body: DelayRequest }>('/devices/:id/delay', { schema: { body: DelayRequest } }, async (req) => {
    const sim = simulatorOf(req.params.id);
    sim.setDelay(req.body.ms);
    logger.info('simulated answer delay set', { device: req.params.id, ms: req.body.ms });
    return view(req.params.id, sim);
  });

  // RTU framing only (a serial device server's line): Modbus TCP has no CRC to break.
  app.put<{ Params: { id: string }; Body: CrcRequest }>('/devices/:id/crc', { schema: { body: CrcRequest } }, async (req) => {
    const sim = simulatorOf(req.params.id);
    if (sim.framing !== 'rtu') throw new DomainError('RW_INVALID_REQUEST', `device "${req.params.id}" is served over Modbus TCP, which has no CRC to break (only RTU framing has one)`, 400);
    sim.setBadCrc(req.body.bad);
    logger.info('simulated answer CRC changed', { device: req.params.id, bad: req.body.bad });
    return view(req.params.id, sim);
  });
}
