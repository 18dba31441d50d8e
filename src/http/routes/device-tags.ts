// Out of service: maintenance tags (R5, 挂牌) and fire-device isolations (A6), with a supervisor's
// approval for isolations. Over REST and the socket, through the alarm service's one set of checks.
import { DeviceTagRequest, routes, type DeviceTagView, type UserView } from '../../contract/api.ts';
import { Value } from '@sinclair/typebox/value';
import { requireUser, type ConsoleDeps, type ConsoleModule } from '../context.ts';
import { answer } from '../socket-answer.ts';

const deviceParams = { type: 'object', properties: { id: { type: 'string', minLength: 1, maxLength: 64 } }, required: ['id'] } as const;

const tagActions = {
  tag: (d: ConsoleDeps, id: string, u: UserView, body: DeviceTagRequest): DeviceTagView | null => d.alarms.tag(id, u, body),
  approveTag: (d: ConsoleDeps, id: string, u: UserView): DeviceTagView | null => d.alarms.approveTag(id, u),
  untag: (d: ConsoleDeps, id: string, u: UserView): DeviceTagView | null => (d.alarms.untag(id, u), null),
};

export const deviceTagsModule: ConsoleModule = {
  routes(app, deps) {
    app.get(routes.deviceTags, { config: { access: 'console.view' } }, async () => deps.alarms.tags());
    app.post<{ Params: { id: string }; Body: DeviceTagRequest }>('/api/devices/:id/tag', { schema: { body: DeviceTagRequest, params: deviceParams }, config: { access: 'device.tag' } }, async (req) =>
      tagActions.tag(deps, req.params.id, requireUser(req), req.body),
    );
    app.post<{ Params: { id: string } }>('/api/devices/:id/tag/approve', { schema: { params: deviceParams }, config: { access: 'device.approveTag' } }, async (req) =>
      tagActions.approveTag(deps, req.params.id, requireUser(req)),
    );
    app.delete<{ Params: { id: string } }>('/api/devices/:id/tag', { schema: { params: deviceParams }, config: { access: 'device.untag' } }, async (req, reply) => {
      tagActions.untag(deps, req.params.id, requireUser(req));
      return reply.code(204).send();
    });
  },
  socket(socket, deps, user) {
    for (const name of ['tag', 'approveTag', 'untag'] as const) {
      socket.on(`device:${name}` as 'device:tag', (request: unknown, reply: unknown) =>
        answer(deps.logger, socket, user, reply, () => {
          const { deviceId, ...body } = (request ?? {}) as { deviceId?: unknown };
          if (typeof deviceId !== 'string' || deviceId === '') return { invalid: 'expected a deviceId' };
          if (name === 'tag' && !Value.Check(DeviceTagRequest, body)) return { invalid: 'expected { kind, reason, plannedEnd? }' };
          return { tag: tagActions[name](deps, deviceId, user()!, body as DeviceTagRequest) };
        }),
      );
    }
  },
};
