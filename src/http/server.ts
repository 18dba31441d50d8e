// The console's server: fastify for REST and the static console, socket.io for live updates.
// Building the app is separate from listen() so tests can inject requests (style.md: fastify).
// Deny by default: every /api route and every socket needs a session, except logging in.
import { resolve } from 'node:path';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import fastifyCookie from '@fastify/cookie';
import fastifyStatic from '@fastify/static';
import { Server as SocketServer } from 'socket.io';
import {
  AckRequest,
  DutyLogQuery,
  LoginRequest,
  SESSION_COOKIE,
  routes,
  type ConsoleToServerEvents,
  type ErrorBody,
  type ServerToConsoleEvents,
  type UserView,
} from '../contract/api.ts';
import { DomainError } from '../core/errors.ts';
import type { Logger } from '../core/logger.ts';
import type { Clock } from '../core/clock.ts';
import type { Bus } from '../core/bus.ts';
import type { Users } from '../auth/users.ts';
import type { AlarmService } from '../alarms/alarm-service.ts';
import type { DutyLog } from '../sinks/duty-log/duty-log.ts';
import type { Site } from '../config/load.ts';
import type { Reading } from '../core/reading.ts';
import { projectRoot } from '../config/load.ts';
import { siteView } from './site-view.ts';

export interface ConsoleServerDeps {
  site: Site;
  users: Users;
  alarms: AlarmService;
  dutyLog: DutyLog;
  bus: Bus;
  logger: Logger;
  clock: Clock;
  latestReadings: () => Reading[];
  /** Cookies get `Secure` when the console is served over HTTPS (behind a TLS proxy). */
  secureCookies?: boolean;
  consoleDir?: string;
}

export interface ConsoleServer {
  app: FastifyInstance;
  listen(host: string, port: number): Promise<string>;
  close(): Promise<void>;
}

declare module 'fastify' {
  interface FastifyRequest {
    user: UserView | null;
  }
}

const errorBody = (code: ErrorBody['error']['code'], message: string): ErrorBody => ({ error: { code, message } });

export function createConsoleServer(deps: ConsoleServerDeps): ConsoleServer {
  const { site, users, alarms, dutyLog, bus, logger, clock } = deps;
  const app = Fastify({ logger: false, bodyLimit: 64 * 1024, trustProxy: false });
  app.decorateRequest('user', null);
  void app.register(fastifyCookie);
  void app.register(fastifyStatic, {
    root: deps.consoleDir ?? resolve(projectRoot, 'dashboards', 'console', 'dist'),
    prefix: '/',
    index: ['index.html'],
  });

  app.addHook('onRequest', async (req, reply) => {
    if (!req.url.startsWith('/api/')) return;
    req.user = users.userForToken(req.cookies[SESSION_COOKIE]);
    const isLogin = req.url === routes.session && req.method === 'POST';
    if (!req.user && !isLogin) return reply.code(401).send(errorBody('RW_AUTH_REQUIRED', 'log in first'));
  });

  app.setErrorHandler((err: unknown, req, reply) => {
    if (err instanceof DomainError) return reply.code(err.status).send(errorBody(err.code, err.message));
    const e = err as { statusCode?: number; message?: string; validation?: unknown };
    if (e.statusCode && e.statusCode >= 400 && e.statusCode < 500) {
      logger.warn('request rejected', { method: req.method, url: req.url, status: e.statusCode, reason: e.message });
      return reply.code(e.statusCode).send(errorBody('RW_INVALID_REQUEST', e.message ?? 'invalid request'));
    }
    logger.error('request failed', { method: req.method, url: req.url, err: String((err as Error)?.stack ?? err) });
    return reply.code(500).send(errorBody('RW_INTERNAL', 'internal error; see the gateway log'));
  });

  app.setNotFoundHandler((req, reply) => reply.code(404).send(errorBody('RW_NOT_FOUND', `no route ${req.method} ${req.url.split('?')[0]}`)));

  const setSessionCookie = (reply: FastifyReply, token: string, expiresAt: number): void => {
    void reply.setCookie(SESSION_COOKIE, token, {
      httpOnly: true,
      sameSite: 'strict',
      secure: deps.secureCookies ?? false,
      path: '/',
      expires: new Date(expiresAt),
    });
  };
  const requireUser = (req: FastifyRequest): UserView => {
    if (!req.user) throw new DomainError('RW_AUTH_REQUIRED', 'log in first', 401);
    return req.user;
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

  app.get(routes.site, async () => siteView(site));
  app.get(routes.readings, async () => deps.latestReadings());
  app.get(routes.alarms, async () => alarms.open());
  app.post<{ Params: { id: string }; Body: AckRequest }>(
    '/api/alarms/:id/ack',
    { schema: { body: AckRequest, params: { type: 'object', properties: { id: { type: 'integer', minimum: 1 } } } } },
    async (req) => alarms.acknowledge(Number(req.params.id), requireUser(req), req.body.note),
  );
  app.get<{ Querystring: DutyLogQuery }>(routes.dutyLog, { schema: { querystring: DutyLogQuery } }, async (req) =>
    dutyLog.list({ limit: req.query.limit ?? 100, ...(req.query.beforeId ? { beforeId: req.query.beforeId } : {}) }),
  );

  let io: SocketServer<ConsoleToServerEvents, ServerToConsoleEvents> | undefined;

  const attachSockets = (): void => {
    io = new SocketServer<ConsoleToServerEvents, ServerToConsoleEvents>(app.server, { serveClient: false, maxHttpBufferSize: 64 * 1024 });
    io.use((socket, next) => {
      const cookies = app.parseCookie(socket.request.headers.cookie ?? '');
      const user = users.userForToken(cookies[SESSION_COOKIE]);
      if (!user) return next(new Error('RW_AUTH_REQUIRED'));
      socket.data.token = cookies[SESSION_COOKIE];
      next();
    });
    io.on('connection', (socket) => {
      socket.on('alarm:ack', (request, reply) => {
        if (typeof reply !== 'function') return;
        // The session is checked on every event, not only at connect: a logout or expiry ends rights at once.
        const user = users.userForToken(socket.data.token as string | undefined);
        if (!user) {
          reply({ ok: false, error: { code: 'RW_AUTH_REQUIRED', message: 'session ended; log in again' } });
          socket.disconnect(true);
          return;
        }
        const id = Number((request as { id?: unknown } | null)?.id);
        const note = (request as { note?: unknown } | null)?.note;
        if (!Number.isInteger(id) || typeof note !== 'string' || note.length > 500) {
          reply({ ok: false, error: { code: 'RW_INVALID_REQUEST', message: 'expected { id: integer, note: string ≤ 500 }' } });
          return;
        }
        try {
          reply({ ok: true, alarm: alarms.acknowledge(id, user, note) });
        } catch (err) {
          if (err instanceof DomainError) reply({ ok: false, error: { code: err.code, message: err.message } });
          else {
            logger.error('socket ack failed', { err: String((err as Error)?.stack ?? err) });
            reply({ ok: false, error: { code: 'RW_INTERNAL', message: 'internal error' } });
          }
        }
      });
    });
    bus.on('readings', 'console', (readings) => io?.emit('readings', [...readings]));
    bus.on('alarm', 'console', (t) => io?.emit('alarm', t.alarm));
    bus.on('dutyLog', 'console', (entry) => io?.emit('dutyLog', entry));
  };

  return {
    app,
    async listen(host, port) {
      await app.ready();
      attachSockets();
      await app.listen({ host, port });
      const address = app.server.address();
      const actualPort = typeof address === 'object' && address ? address.port : port;
      return `http://${host.includes(':') ? `[${host}]` : host}:${actualPort}`;
    },
    async close() {
      bus.off('console');
      if (io) await new Promise<void>((done) => io!.close(() => done()));
      await app.close();
    },
  };
}
