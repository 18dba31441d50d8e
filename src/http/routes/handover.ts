// The handover (S3–S7): what the outgoing shift hands over, and the two signatures. A refused handover
// answers 409 RW_HANDOVER_REFUSED with every reason (S5), each translated by the console.
import type { FastifyReply } from 'fastify';
import { IncomingSignRequest, OutgoingSignRequest, routes } from '../../contract/api.ts';
import type { SignResult } from '../../duty/handover.ts';
import { requireUser, type ConsoleModule } from '../context.ts';
import { withPasswordCheck } from './session.ts';

function send(reply: FastifyReply, result: SignResult): FastifyReply {
  if (result.ok) return reply.send(result.record);
  return reply.code(409).send({ error: { code: 'RW_HANDOVER_REFUSED', message: `handover refused: ${result.refusals.map((r) => r.code).join(', ')}` }, refusals: result.refusals });
}

export const handoverModule: ConsoleModule = {
  routes(app, { handover, loginThrottle }) {
    app.get(routes.handover, { config: { access: 'console.view' } }, async () => handover.view());
    app.post<{ Body: OutgoingSignRequest }>(routes.handoverOutgoing, { schema: { body: OutgoingSignRequest }, config: { access: 'handover.sign' } }, async (req, reply) => send(reply, handover.signOutgoing(req.body, requireUser(req))));
    // S3: the incoming person reports arrival from their own console; the time on record is the server's.
    app.post(routes.handoverArrived, { config: { access: 'handover.sign' } }, async (req) => handover.arrive(requireUser(req)));
    // Signing happens on a logged-in console with the incoming person's own password (a throttled password check).
    app.post<{ Body: IncomingSignRequest }>(routes.handoverIncoming, { schema: { body: IncomingSignRequest }, config: { access: 'handover.sign' } }, async (req, reply) =>
      send(reply, await withPasswordCheck(loginThrottle, req.body.username, req.ip, reply, () => handover.signIncoming(req.body))),
    );
  },
};
