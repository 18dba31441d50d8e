// Simulator control of the MQTT devices (loopback only, like the rest of control-server.ts):
//   GET  /mqtt-devices                          list with point values and link
//   PUT  /mqtt-devices/:id/points/:point        {"value": true}  open/close a contact, raise a fault
//   PUT  /mqtt-devices/:id/link                 {"online": false} drop the connection (the will fires) / come back
//   POST /mqtt-devices/:id/garbage              publish a payload no decoder accepts
import type { FastifyInstance } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import { DomainError } from '../core/errors.ts';
import type { Logger } from '../core/logger.ts';
import type { MqttSimulator } from './mqtt-simulator.ts';

export const SetMqttPointRequest = Type.Object({ value: Type.Union([Type.Boolean(), Type.Integer()]) }, { additionalProperties: false });
export type SetMqttPointRequest = Static<typeof SetMqttPointRequest>;
export const SetLinkRequest = Type.Object({ online: Type.Boolean() }, { additionalProperties: false });
export type SetLinkRequest = Static<typeof SetLinkRequest>;

export interface SimulatedMqttDeviceView {
  id: string;
  profile: string;
  online: boolean;
  points: { name: string; value: boolean | number }[];
}

export interface MqttDevicesResponse {
  devices: SimulatedMqttDeviceView[];
}

const view = (sim: MqttSimulator): SimulatedMqttDeviceView => ({
  id: sim.deviceId,
  profile: sim.profile.id,
  online: sim.online,
  points: Object.keys(sim.profile.points).map((name) => ({ name, value: sim.get(name) })),
});

export function registerMqttSimulatorRoutes(app: FastifyInstance, sims: ReadonlyMap<string, MqttSimulator>, logger: Logger): void {
  const simOf = (id: string): MqttSimulator => {
    const sim = sims.get(id);
    if (!sim) throw new DomainError('RW_NOT_FOUND', `no simulated MQTT device "${id}" (simulated MQTT devices: ${[...sims.keys()].join(', ') || 'none'})`, 404);
    return sim;
  };
  const offline = (id: string): never => {
    throw new DomainError('RW_INVALID_REQUEST', `simulated device "${id}" is offline; bring it back first (link online)`, 409);
  };

  app.get('/mqtt-devices', async (): Promise<MqttDevicesResponse> => ({ devices: [...sims.values()].map(view) }));

  app.put<{ Params: { id: string; point: string }; Body: SetMqttPointRequest }>(
    '/mqtt-devices/:id/points/:point',
    { schema: { body: SetMqttPointRequest } },
    async (req): Promise<SimulatedMqttDeviceView> => {
      const sim = simOf(req.params.id);
      try {
        await sim.set(req.params.point, req.body.value);
      } catch (err) {
        if (err instanceof RangeError) throw new DomainError('RW_INVALID_REQUEST', err.message, 400);
        throw err;
      }
      logger.info('simulated mqtt point set', { device: req.params.id, point: req.params.point, value: req.body.value });
      return view(sim);
    },
  );

  app.put<{ Params: { id: string }; Body: SetLinkRequest }>('/mqtt-devices/:id/link', { schema: { body: SetLinkRequest } }, async (req): Promise<SimulatedMqttDeviceView> => {
    const sim = simOf(req.params.id);
    if (req.body.online) await sim.comeBack();
    else await sim.goOffline();
    logger.info('simulated mqtt link set', { device: req.params.id, online: req.body.online });
    return view(sim);
  });

  app.post<{ Params: { id: string } }>('/mqtt-devices/:id/garbage', async (req): Promise<SimulatedMqttDeviceView> => {
    const sim = simOf(req.params.id);
    if (!sim.online) offline(req.params.id);
    await sim.publishGarbage();
    logger.info('simulated mqtt garbage published', { device: req.params.id });
    return view(sim);
  });
}
