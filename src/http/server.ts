// The console's server: fastify for REST and the static console, socket.io for live updates.
// Building the app is separate from listen() so tests can inject requests (style.md: fastify).
// Deny by default: every /api route and every socket needs a session, except logging in.
import { resolve } from 'node:path';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import Fastify, { type FastifyInstance } from 'fastify';
import fastifyCookie from '@fastify/cookie';
import fastifyStatic from '@fastify/static';
import { Server as SocketServer } from 'socket.io';
import {
  SESSION_COOKIE,
  routes,
  type ConsoleToServerEvents,
  type ErrorBody,
  type ServerToConsoleEvents,
  type UserView,
  type AlarmView,
  type DutyLogEntryView,
} from '../contract/api.ts';
import { DomainError } from '../core/errors.ts';
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

export interface ConsoleServerOptions {
  /** Cookies get `Secure` when the console is served over HTTPS (behind a TLS proxy); always with `https`. */
  secureCookies?: boolean;
  /** Serve the console over HTTPS with this PEM certificate (chain) and key. */
  https?: { cert: Buffer; key: Buffer };
  consoleDir?: string;
}

export interface ConsoleServer {
  app: FastifyInstance;
  listen(host: string, port: number): Promise<string>;
  /** With https: a plain HTTP listener that answers every request with a redirect to the HTTPS console. */
  listenRedirect(host: string, port: number): Promise<number>;
  close(): Promise<void>;
}

/** A Host header's host name (no port), if it is one: the redirect never sends a browser to arbitrary text. */
const HOST_NAME = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]{1,253})(?::\d{1,5})?$/;

declare module 'fastify' {
  interface FastifyRequest {
    user: UserView | null;
  }
}

const errorBody = (code: ErrorBody['error']['code'], message: string): ErrorBody => ({ error: { code, message } });

export function createConsoleServer(deps: ConsoleDeps, options: ConsoleServerOptions = {}): ConsoleServer {
  const { users, bus, logger } = deps;
  const modules: ConsoleModule[] = [
    sessionModule({ secureCookies: options.https !== undefined || (options.secureCookies ?? false) }),
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
  ];

  // fastify's type for an HTTPS instance differs only in the raw server type; the routes see the same requests.
  const app = (options.https
    ? Fastify({ logger: false, bodyLimit: 64 * 1024, trustProxy: false, https: { cert: options.https.cert, key: options.https.key } })
    : Fastify({ logger: false, bodyLimit: 64 * 1024, trustProxy: false })) as unknown as FastifyInstance;
  app.decorateRequest('user', null);
  void app.register(fastifyCookie);
  void app.register(fastifyStatic, {
    root: options.consoleDir ?? resolve(projectRoot, 'dashboards', 'console', 'dist'),
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
  let redirect: HttpServer | undefined;
  let httpsPort = 0;

  const attachSockets = (): void => {
    io = new SocketServer<ConsoleToServerEvents, ServerToConsoleEvents>(app.server, { serveClient: false, maxHttpBufferSize: 64 * 1024 });
    io.use((socket, next) => {
      const token = app.parseCookie(socket.request.headers.cookie ?? '')[SESSION_COOKIE];
      if (!users.userForToken(token)) return next(new Error('RW_AUTH_REQUIRED'));
      socket.data.token = token;
      next();
    });
    io.on('connection', (socket) => {
      const user = (): UserView | null => users.userForToken(socket.data.token as string | undefined);
      for (const m of modules) m.socket?.(socket, deps, user);
    });
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
      // Disconnect the consoles without closing the HTTP server under fastify; app.close() closes it.
      io?.disconnectSockets(true);
      await app.close();
    },
  };
}
