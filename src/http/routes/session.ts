// Log in and out. Logging in is the only API call that works without a session. Failed logins are throttled
// per account and per source (src/auth/login-throttle.ts) and logged at most once a minute per source.
import type { FastifyReply } from 'fastify';
import { LoginRequest, SESSION_COOKIE, routes, type SessionView, type UserView } from '../../contract/api.ts';
import { DomainError } from '../../core/errors.ts';
import { createLogLimiter } from '../../core/log-limiter.ts';
import { permissionsOf } from '../../auth/permissions.ts';
import type { LoginThrottle } from '../../auth/login-throttle.ts';
import { requireUser, type ConsoleModule } from '../context.ts';

export const sessionView = (user: UserView): SessionView => ({ ...user, permissions: permissionsOf(user.role) });

/** Refuses an attempt while its account or source waits; the refusal names how long (Retry-After). */
export function throttled(throttle: LoginThrottle, username: string, source: string, reply: FastifyReply): void {
  const wait = throttle.attempt(username, source);
  if (wait <= 0) return;
  const seconds = Math.ceil(wait / 1000);
  void reply.header('retry-after', String(seconds));
  throw new DomainError('RW_LOGIN_THROTTLED', `too many failed attempts; try again in ${seconds} s`, 429);
}

/**
 * A password confirmed on someone else's logged-in console (the incoming signature S6, a supervisor approving a room
 * entry R3) is a password check: throttled like logging in (issue 13 medium 4), per named account and per console.
 */
export async function withPasswordCheck<T>(throttle: LoginThrottle, username: string, source: string, reply: FastifyReply, check: () => Promise<T>): Promise<T> {
  throttled(throttle, username, source, reply);
  try {
    const result = await check();
    throttle.succeeded(username, source);
    return result;
  } catch (err) {
    if (err instanceof DomainError && err.code === 'RW_BAD_CREDENTIALS') throttle.failed(username, source);
    throw err;
  }
}

export function sessionModule(options: { secureCookies: boolean }): ConsoleModule {
  return {
    routes(app, { users, dutyLog, logger, clock, bus, loginThrottle }) {
      const refusals = createLogLimiter(clock);
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

      app.post<{ Body: LoginRequest }>(routes.session, { schema: { body: LoginRequest }, config: { access: 'public' } }, async (req, reply) => {
        const { username } = req.body;
        throttled(loginThrottle, username, req.ip, reply);
        const session = await users.login(username, req.body.password, req.ip);
        if (!session) {
          loginThrottle.failed(username, req.ip);
          refusals.maybe(req.ip, (held) => logger.warn('login refused', { username, ip: req.ip, ...(held > 0 ? { refusedSinceLastLine: held } : {}) }));
          throw new DomainError('RW_BAD_CREDENTIALS', 'unknown user or wrong password', 401);
        }
        loginThrottle.succeeded(username, req.ip);
        setSessionCookie(reply, session.token, session.expiresAt);
        dutyLog.append({ ts: clock.now(), kind: 'user.login', username: session.user.username, params: { user: session.user.displayName } });
        return sessionView(session.user);
      });

      app.get(routes.session, { config: { access: 'session' } }, async (req) => sessionView(requireUser(req)));

      app.delete(routes.session, { config: { access: 'session' } }, async (req, reply) => {
        const user = requireUser(req);
        const token = req.cookies[SESSION_COOKIE];
        if (token) users.logout(token);
        bus.emit('sessionsEnded', { usernames: [user.username] });
        dutyLog.append({ ts: clock.now(), kind: 'user.logout', username: user.username, params: { user: user.displayName } });
        void reply.clearCookie(SESSION_COOKIE, { path: '/' });
        return reply.code(204).send();
      });
    },
  };
}
