// The console's server: fastify for REST and the static console, socket.io for live updates.
// Building the app is separate from listen() so tests can inject requests (style.md: fastify).
// Deny by default, decided on the matched route (issue 13 high 1): every route declares its access in
// `config.access` (src/auth/permissions.ts) and the server refuses to start when one does not; the session
// hook reads the route the router chose, never the URL's spelling. Socket events do the same through
// `socketAccess`. docs/security.md describes the layers.
import { resolve } from 'node:path';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import Fastify, { type FastifyInstance, type FastifySchemaValidationError } from 'fastify';
import fastifyCookie from '@fastify/cookie';
import fastifyStatic from '@fastify/static';
import { Server as SocketServer } from 'socket.io';
import {
  SESSION_COOKIE,
  type ConsoleToServerEvents,
  type ErrorBody,
  type ServerToConsoleEvents,
  type UserView,
  type AlarmView,
  type DutyLogEntryView,
} from '../contract/api.ts';
import { DomainError } from '../core/errors.ts';
import { allows } from '../auth/permissions.ts';
import { collectRoutes, type RouteEntry } from './route-table.ts';
import { socketAccess } from './socket-access.ts';
import { checkOrigin, refusedContentType, securityHeaders } from './request-guards.ts';
import { createValidatorCompiler, describeValidationErrors } from './validation.ts';
import { securityModule } from './routes/security.ts';
import { projectRoot } from '../config/load.ts';
import type { ConsoleDeps, ConsoleModule } from './context.ts';
import { sessionModule } from './routes/session.ts';
import { siteModule } from './routes/site.ts';
import { alarmsModule } from './routes/alarms.ts';
import { dutyLogModule } from './routes/duty-log.ts';
import { deviceTagsModule } from './routes/device-tags.ts';
import { diagnosticsModule } from './routes/diagnostics.ts';
import { rosterModule } from './routes/roster.ts';
import { dutyJournalModule } from './routes/duty-journal.ts';
import { handoverModule } from './routes/handover.ts';
import { patrolsModule } from './routes/patrols.ts';
import { roomEntriesModule } from './routes/room-entries.ts';
import { shiftReportModule } from './routes/shift-report.ts';
import { playbooksModule } from './routes/playbooks.ts';
import { historianModule } from './routes/historian.ts';
import { periodReportModule } from './routes/period-report.ts';

export interface ConsoleServerOptions {
  /** Cookies get `Secure` when the console is served over HTTPS (behind a TLS proxy); always with `https`. */
  secureCookies?: boolean;
  /** Serve the console over HTTPS with this PEM certificate (chain) and key. */
  https?: { cert: Buffer; key: Buffer };
  consoleDir?: string;
  /** Serve the console's source map (`app.js.map`): development only, never in production. */
  serveSourceMaps?: boolean;
}

export interface ConsoleServer {
  app: FastifyInstance;
  /** Every route registered, with its declared access (the authorisation matrix is generated from this). */
  routeTable(): RouteEntry[];
  listen(host: string, port: number): Promise<string>;
  /** With https: a plain HTTP listener that answers every request with a redirect to the HTTPS console. */
  listenRedirect(host: string, port: number): Promise<number>;
  close(): Promise<void>;
}

export type { RouteEntry } from './route-table.ts';

/** A Host header's host name (no port), if it is one: the redirect never sends a browser to arbitrary text. */
const HOST_NAME = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]{1,253})(?::\d{1,5})?$/;

declare module 'fastify' {
  interface FastifyRequest {
    user: UserView | null;
  }
}

const errorBody = (code: ErrorBody['error']['code'], message: string): ErrorBody => ({ error: { code, message } });

/** Sockets are revalidated this often, so an expired session stops receiving within seconds (issue 13 medium 6). */
const SOCKET_SWEEP_MS = 2_000;

export function createConsoleServer(deps: ConsoleDeps, options: ConsoleServerOptions = {}): ConsoleServer {
  const { users, bus, logger } = deps;
  const modules: ConsoleModule[] = [
    sessionModule({ secureCookies: options.https !== undefined || (options.secureCookies ?? false) }),
    securityModule,
    siteModule,
    alarmsModule,
    deviceTagsModule,
    dutyLogModule,
    diagnosticsModule,
    rosterModule,
    dutyJournalModule,
    handoverModule,
    patrolsModule,
    roomEntriesModule,
    shiftReportModule,
    playbooksModule,
    historianModule,
    periodReportModule,
  ];

  // fastify's type for an HTTPS instance differs only in the raw server type; the routes see the same requests.
  const fastifyOptions = {
    logger: false,
    bodyLimit: 64 * 1024,
    trustProxy: false,
    schemaErrorFormatter: (errors: FastifySchemaValidationError[], part: string) => new Error(describeValidationErrors(errors, part)),
  };
  const app = (options.https ? Fastify({ ...fastifyOptions, https: { cert: options.https.cert, key: options.https.key } }) : Fastify(fastifyOptions)) as unknown as FastifyInstance;
  // Bodies are validated strictly (no coercion, no stripping); query strings and path parameters are text and
  // are converted to the declared types (src/http/validation.ts).
  app.setValidatorCompiler(createValidatorCompiler());
  app.decorateRequest('user', null);
  const routeTable = collectRoutes(app);

  void app.register(fastifyCookie);
  // The console's files are public (the login page must load); the plugin's routes are marked so here.
  void app.register(async (files) => {
    files.addHook('onRoute', (route) => void (route.config = { ...(route.config ?? {}), access: 'public' }));
    await files.register(fastifyStatic, {
      root: options.consoleDir ?? resolve(projectRoot, 'dashboards', 'console', 'dist'),
      prefix: '/',
      index: ['index.html'],
      allowedPath: (path) => options.serveSourceMaps === true || !path.endsWith('.map'),
    });
  });

  app.addHook('onSend', async (_req, reply) => void reply.headers(securityHeaders));

  app.addHook('onRequest', async (req, reply) => {
    // The access of the route the router matched: `/%61pi/alarms`, `/API/alarms/` or `/api//alarms` are
    // judged by the route they reach. No route matched: the not-found handler answers without data.
    const access = req.routeOptions.config?.access;
    if (access === undefined) return;
    const origin = checkOrigin(req.headers);
    if (origin) return reply.code(403).send(errorBody('RW_FORBIDDEN', origin));
    const contentType = refusedContentType(req.method, req.headers['content-type']);
    if (contentType) return reply.code(415).send(errorBody('RW_INVALID_REQUEST', contentType));
    req.user = users.userForToken(req.cookies[SESSION_COOKIE]);
    if (allows(access, req.user?.role ?? null)) return;
    if (!req.user) return reply.code(401).send(errorBody('RW_AUTH_REQUIRED', 'log in first'));
    return reply.code(403).send(errorBody('RW_FORBIDDEN', `${access} is not allowed for the role ${req.user.role}`));
  });

  app.setErrorHandler((err: unknown, req, reply) => {
    if (err instanceof DomainError) return reply.code(err.status).send(errorBody(err.code, err.message));
    const e = err as { statusCode?: number; message?: string };
    if (e.statusCode && e.statusCode >= 400 && e.statusCode < 500) {
      logger.warn('request rejected', { method: req.method, url: req.url, status: e.statusCode, reason: e.message });
      return reply.code(e.statusCode).send(errorBody('RW_INVALID_REQUEST', e.message ?? 'invalid request'));
    }
    logger.error('request failed', { method: req.method, url: req.url, err: String((err as Error)?.stack ?? err) });
    return reply.code(500).send(errorBody('RW_INTERNAL', 'internal error; see the gateway log'));
  });

  app.setNotFoundHandler((req, reply) => reply.code(404).send(errorBody('RW_NOT_FOUND', `no route ${req.method} ${req.url.split('?')[0]}`)));

  for (const m of modules) m.routes?.(app, deps);

  let io: SocketServer<ConsoleToServerEvents, ServerToConsoleEvents> | undefined;
  let sweepTimer: NodeJS.Timeout | undefined;

  /** Disconnects every socket whose session has ended (logout, expiry, revocation, password change). */
  const sweep = (): void => {
    for (const socket of io?.of('/').sockets.values() ?? []) {
      if (!users.userForToken(socket.data.token as string | undefined)) socket.disconnect(true);
    }
  };
  let redirect: HttpServer | undefined;
  let httpsPort = 0;

  const attachSockets = (): void => {
    io = new SocketServer<ConsoleToServerEvents, ServerToConsoleEvents>(app.server, {
      serveClient: false,
      maxHttpBufferSize: 64 * 1024,
      // CSRF on the socket: a page of another origin may not open one with this browser's cookie.
      allowRequest: (req, callback) => callback(checkOrigin(req.headers) ?? null, checkOrigin(req.headers) === null),
    });
    io.use((socket, next) => {
      const token = app.parseCookie(socket.request.headers.cookie ?? '')[SESSION_COOKIE];
      if (!users.userForToken(token)) return next(new Error('RW_AUTH_REQUIRED'));
      socket.data.token = token;
      next();
    });
    io.on('connection', (socket) => {
      const user = (): UserView | null => users.userForToken(socket.data.token as string | undefined);
      // Every event is checked against the socket access table before its handler runs; an event the table
      // does not name is refused (deny by default).
      socket.use(([event, ...args], next) => {
        const reply = args.at(-1);
        const refuse = (code: ErrorBody['error']['code'], message: string): void => {
          if (typeof reply === 'function') (reply as (r: unknown) => void)({ ok: false, error: { code, message } });
        };
        const access = Object.hasOwn(socketAccess, event) ? socketAccess[event as keyof typeof socketAccess] : undefined;
        if (access === undefined) return refuse('RW_NOT_FOUND', `no event ${String(event).slice(0, 64)}`);
        const who = user();
        if (!who) {
          refuse('RW_AUTH_REQUIRED', 'session ended; log in again');
          socket.disconnect(true);
          return;
        }
        if (!allows(access, who.role)) return refuse('RW_FORBIDDEN', `${access} is not allowed for the role ${who.role}`);
        next();
      });
      for (const m of modules) m.socket?.(socket, deps, user);
    });
    sweepTimer = setInterval(sweep, SOCKET_SWEEP_MS);
    sweepTimer.unref();
    bus.on('sessionsEnded', 'console', sweep);
    bus.on('readings', 'console', (readings) => io?.emit('readings', [...readings]));
    // Alarm changes and duty-log entries are gathered per event-loop turn and sent as one message each: an
    // evaluation that raises 50 alarms costs every console two frames, not a hundred (bench/alarms.ts).
    const pending = { alarms: [] as AlarmView[], entries: [] as DutyLogEntryView[], scheduled: false };
    const flush = (): void => {
      pending.scheduled = false;
      if (pending.alarms.length > 0) io?.emit('alarms', pending.alarms.splice(0));
      if (pending.entries.length > 0) io?.emit('dutyLogEntries', pending.entries.splice(0));
    };
    const later = (): void => {
      if (!pending.scheduled) {
        pending.scheduled = true;
        setImmediate(flush);
      }
    };
    bus.on('alarm', 'console', (t) => (pending.alarms.push(t.alarm), later()));
    bus.on('alarmUpdated', 'console', (alarm) => (pending.alarms.push(alarm), later()));
    bus.on('dutyLog', 'console', (entry) => (pending.entries.push(entry), later()));
    bus.on('alarmSummary', 'console', (summary) => io?.emit('alarmSummary', summary));
    bus.on('deviceTag', 'console', (tag) => io?.emit('deviceTag', tag));
  };

  return {
    app,
    routeTable,
    async listen(host, port) {
      await app.ready();
      attachSockets();
      await app.listen({ host, port });
      const address = app.server.address();
      const actualPort = typeof address === 'object' && address ? address.port : port;
      httpsPort = actualPort;
      return `${options.https ? 'https' : 'http'}://${host.includes(':') ? `[${host}]` : host}:${actualPort}`;
    },
    async listenRedirect(host, port) {
      // 308 keeps the method; the browser comes back over TLS with the same host name it asked for.
      const r = createHttpServer((req, res) => {
        const name = HOST_NAME.exec(req.headers.host ?? '')?.[1] ?? (host.includes(':') ? `[${host}]` : host);
        res.writeHead(308, { location: `https://${name}:${httpsPort}${req.url ?? '/'}`, 'content-length': '0' }).end();
      });
      redirect = r;
      await new Promise<void>((ok, fail) => {
        r.once('error', fail);
        r.listen(port, host, () => ok());
      });
      const address = r.address();
      return typeof address === 'object' && address ? address.port : port;
    },
    async close() {
      if (redirect) await new Promise<void>((done) => redirect!.close(() => done()));
      bus.off('console');
      clearInterval(sweepTimer);
      // Disconnect the consoles without closing the HTTP server under fastify; app.close() closes it.
      io?.disconnectSockets(true);
      await app.close();
    },
  };
}
