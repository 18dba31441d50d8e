// The handover (S3–S7): what the outgoing shift hands over, and the two signatures. A refused handover
// answers 409 RW_HANDOVER_REFUSED with every reason (S5), each translated by the console.
import type { FastifyReply } from 'fastify';
import { IncomingSignRequest, OutgoingSignRequest, routes } from '../../contract/api.ts';
import type { SignResult } from '../../duty/handover.ts';
import { requireUser, type ConsoleModule } from '../context.ts';
import { DomainError } from '../../core/errors.ts';
import { throttled } from './session.ts';

function send(reply: FastifyReply, result: SignResult): FastifyReply {
  if (result.ok) return reply.send(result.record);
  return reply.code(409).send({ error: { code: 'RW_HANDOVER_REFUSED', message: `handover refused: ${result.refusals.map((r) => r.code).join(', ')}` }, refusals: result.refusals });
}

export const handoverModule: ConsoleModule = {
  routes(app, { handover, loginThrottle }) {
    app.get(routes.handover, { config: { access: 'console.view' } }, async () => handover.view());
    app.post<{ Body: OutgoingSignRequest }>(routes.handoverOutgoing, { schema: { body: OutgoingSignRequest }, config: { access: 'handover.sign' } }, async (req, reply) => send(reply, handover.signOutgoing(req.body, requireUser(req))));
    // Signing happens on a logged-in console with the incoming person's own password: a password check, so it is
    // throttled like logging in (issue 13 medium 4), per named account and per console.
    app.post<{ Body: IncomingSignRequest }>(routes.handoverIncoming, { schema: { body: IncomingSignRequest }, config: { access: 'handover.sign' } }, async (req, reply) => {
      throttled(loginThrottle, req.body.username, req.ip, reply);
      try {
        const result = await handover.signIncoming(req.body);
        loginThrottle.succeeded(req.body.username, req.ip);
        return send(reply, result);
      } catch (err) {
        if (err instanceof DomainError && err.code === 'RW_BAD_CREDENTIALS') loginThrottle.failed(req.body.username, req.ip);
        throw err;
      }
    });
  },
};
