// Log in and out. Logging in is the only API call that works without a session.
import type { FastifyReply } from 'fastify';
import { LoginRequest, SESSION_COOKIE, routes } from '../../contract/api.ts';
import { DomainError } from '../../core/errors.ts';
import { requireUser, type ConsoleModule } from '../context.ts';

export function sessionModule(options: { secureCookies: boolean }): ConsoleModule {
  return {
    routes(app, { users, dutyLog, logger, clock }) {
      // A relative lifetime (Max-Age), never an absolute Expires: the browser would read an Expires date
      // by the PC's clock, and a PC running days ahead of the gateway (no time server, L6) would drop the
      // cookie at once and never log in. The server enforces the expiry by the gateway's clock.
      const setSessionCookie = (reply: FastifyReply, token: string, expiresAt: number): void => {
        void reply.setCookie(SESSION_COOKIE, token, {
          httpOnly: true,
          sameSite: 'strict',
          secure: options.secureCookies,
          path: '/',
          maxAge: Math.max(0, Math.floor((expiresAt - clock.now()) / 1000)),
        });
      };

      app.post<{ Body: LoginRequest }>(routes.session, { schema: { body: LoginRequest } }, async (req, reply) => {
        const session = await users.login(req.body.username, req.body.password);
        if (!session) {
          logger.warn('login refused', { username: req.body.username, ip: req.ip });
          throw new DomainError('RW_BAD_CREDENTIALS', 'unknown user or wrong password', 401);
        }
        setSessionCookie(reply, session.token, session.expiresAt);
        dutyLog.append({ ts: clock.now(), kind: 'user.login', username: session.user.username, params: { user: session.user.displayName } });
        return session.user;
      });

      app.get(routes.session, async (req) => requireUser(req));

      app.delete(routes.session, async (req, reply) => {
        const user = requireUser(req);
        const token = req.cookies[SESSION_COOKIE];
        if (token) users.logout(token);
        dutyLog.append({ ts: clock.now(), kind: 'user.logout', username: user.username, params: { user: user.displayName } });
        void reply.clearCookie(SESSION_COOKIE, { path: '/' });
        return reply.code(204).send();
      });
    },
  };
}
