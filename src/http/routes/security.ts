// The admin's security view (issue 13): live sessions, revoking one or all of a user's, and the login
// throttles with a way to let an account in again. Revoking disconnects the sockets at once.
import { Type } from '@sinclair/typebox';
import { SESSION_COOKIE, routes, type LoginThrottleView, type SessionListView } from '../../contract/api.ts';
import { DomainError } from '../../core/errors.ts';
import { requireUser, type ConsoleModule } from '../context.ts';

const idParams = Type.Object({ id: Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER }) }, { additionalProperties: false });
const userParams = Type.Object({ username: Type.String({ pattern: '^[A-Za-z0-9._-]{1,64}$' }) }, { additionalProperties: false });
const ClearThrottles = Type.Object({ key: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })) }, { additionalProperties: false });

export const securityModule: ConsoleModule = {
  routes(app, { users, bus, logger, loginThrottle }) {
    app.get<{ Querystring: { username?: string } }>(
      routes.securitySessions,
      { schema: { querystring: Type.Object({ username: Type.Optional(userParams.properties.username) }, { additionalProperties: false }) }, config: { access: 'security.admin' } },
      async (req): Promise<SessionListView> => {
        const own = users.sessionIdForToken(req.cookies[SESSION_COOKIE]);
        return users.sessions(req.query.username).map((s) => ({ ...s, current: s.id === own }));
      },
    );
    app.delete<{ Params: { id: number } }>('/api/security/sessions/:id', { schema: { params: idParams }, config: { access: 'security.admin' } }, async (req, reply) => {
      const username = users.revokeSession(req.params.id);
      if (!username) throw new DomainError('RW_NOT_FOUND', `no session ${req.params.id}`, 404);
      logger.warn('session revoked', { by: requireUser(req).username, session: req.params.id, username });
      bus.emit('sessionsEnded', { usernames: [username] });
      return reply.code(204).send();
    });
    app.delete<{ Params: { username: string } }>('/api/security/users/:username/sessions', { schema: { params: userParams }, config: { access: 'security.admin' } }, async (req) => {
      const revoked = users.revokeUser(req.params.username);
      logger.warn('sessions revoked', { by: requireUser(req).username, username: req.params.username, revoked });
      bus.emit('sessionsEnded', { usernames: [req.params.username] });
      return { revoked };
    });
    app.get(routes.loginThrottles, { config: { access: 'security.admin' } }, async (): Promise<LoginThrottleView> => loginThrottle.list());
    app.post<{ Body: { key?: string } }>(`${routes.loginThrottles}/clear`, { schema: { body: ClearThrottles }, config: { access: 'security.admin' } }, async (req) => ({
      cleared: loginThrottle.clear(req.body.key),
    }));
  },
};
