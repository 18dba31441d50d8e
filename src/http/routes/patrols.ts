// Patrols (P1, P3, P4): schedules with their current period, rounds, and each schedule's QR code, which
// opens its patrol form in the console on a phone (after the same login as everywhere: deny by default).
import { PatrolRoundRequest, routes } from '../../contract/api.ts';
import { requireUser, type ConsoleModule } from '../context.ts';

const idParams = { params: { type: 'object', properties: { id: { type: 'string', pattern: '^[a-z0-9][a-z0-9-]{0,40}$' } } } } as const;

export const patrolsModule: ConsoleModule = {
  routes(app, { patrols, publicUrl }) {
    app.get(routes.patrols, { config: { access: 'console.view' } }, async () => patrols.status());
    app.get<{ Params: { id: string }; Querystring: { limit?: number } }>(
      '/api/patrols/:id/rounds',
      { schema: { ...idParams, querystring: { type: 'object', properties: { limit: { type: 'integer', minimum: 1, maximum: 200 } }, additionalProperties: false } }, config: { access: 'console.view' } },
      async (req) => patrols.rounds(req.params.id, req.query.limit ?? 20),
    );
    app.post<{ Params: { id: string }; Body: PatrolRoundRequest }>('/api/patrols/:id/rounds', { schema: { ...idParams, body: PatrolRoundRequest }, config: { access: 'patrol.record' } }, async (req) =>
      patrols.record(req.params.id, req.body, requireUser(req)),
    );
    app.get<{ Params: { id: string } }>('/api/patrols/:id/qr.svg', { schema: idParams, config: { access: 'console.view' } }, async (req, reply) => {
      // The code names the console's configured public address (http.publicUrl), never the request's Host header:
      // a client choosing Host would otherwise print a QR code pointing phones at its own server.
      const svg = await patrols.qrSvg(req.params.id, publicUrl());
      return reply.header('content-type', 'image/svg+xml; charset=utf-8').header('x-content-type-options', 'nosniff').send(svg);
    });
  },
};
