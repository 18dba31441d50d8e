// Open alarms and their acknowledgement, over REST and the socket (same service, same checks).
import { AckRequest, routes } from '../../contract/api.ts';
import { requireUser, type ConsoleModule } from '../context.ts';
import { answer } from '../socket-answer.ts';

export const alarmsModule: ConsoleModule = {
  routes(app, { alarms }) {
    app.get(routes.alarms, async () => alarms.open());
    app.post<{ Params: { id: number }; Body: AckRequest }>(
      '/api/alarms/:id/ack',
      { schema: { body: AckRequest, params: { type: 'object', properties: { id: { type: 'integer', minimum: 1 } } } } },
      async (req) => alarms.acknowledge(req.params.id, requireUser(req), req.body.note),
    );
  },
  socket(socket, deps, user) {
    socket.on('alarm:ack', (request, reply) =>
      answer(deps.logger, socket, user, reply, () => {
        const id = Number((request as { id?: unknown } | null)?.id);
        const note = (request as { note?: unknown } | null)?.note;
        if (!Number.isInteger(id) || typeof note !== 'string' || note.length > 500) return { invalid: 'expected { id: integer, note: string ≤ 500 }' };
        return { alarm: deps.alarms.acknowledge(id, user()!, note) };
      }),
    );
  },
};
