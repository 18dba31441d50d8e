// The authorisation matrix (issue 13 high 1, issue 14 item 6), generated from the gateway's own route table
// and socket access table: every REST route and every socket event × no session, each role, an expired and
// a revoked session, asserting 401 / 403 / allowed exactly as src/auth/permissions.ts says; plus encoded,
// double-encoded, mixed-case and trailing-slash spellings of every route without a session.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { routes, type Role, type SessionView } from '../../src/contract/api.ts';
import { allows, permissionsOf, type Access } from '../../src/auth/permissions.ts';
import { socketAccess } from '../../src/http/socket-access.ts';
import type { RouteEntry } from '../../src/http/server.ts';
import type { TestGateway } from '../helpers/gateway.ts';
import { api, connectConsole, login } from '../helpers/console-client.ts';
import { fakeClock } from '../helpers/fake-clock.ts';
import { passwordOf, roles, startRolesSite } from './site.ts';

const clock = fakeClock();
let gw: TestGateway;
let apiRoutes: RouteEntry[];
type Answer = { status: number; body: { error?: { code: string; message: string } } | null };

/** A concrete path for a route pattern: ids that do not exist, a month, a username nobody has. */
const concrete = (url: string): string =>
  url.replace(':month', '2026-11').replace(':username', 'nobody').replace(':step', 'step-1').replace(':id', '999999');

async function call(route: RouteEntry, cookie: string | null, path = concrete(route.url)): Promise<Answer> {
  const changes = route.method !== 'GET' && route.method !== 'HEAD';
  const res = await fetch(gw.url + path, {
    method: route.method,
    headers: { ...(cookie ? { cookie } : {}), ...(changes ? { 'content-type': 'application/json' } : {}) },
    ...(changes ? { body: '{}' } : {}),
  });
  const text = await res.text();
  let body: Answer['body'] = null;
  try {
    body = text ? (JSON.parse(text) as Answer['body']) : null;
  } catch {
    // CSV, SVG, files: not an error body
  }
  return { status: res.status, body };
}

/** The table's refusal, as opposed to a domain rule refusing later (wrong handover password, not the author …). */
const refusedByTable = (a: Answer, access: Access): boolean => a.status === 403 && a.body?.error?.message.startsWith(`${access} is not allowed`) === true;

beforeAll(async () => {
  gw = await startRolesSite({ clock });
  apiRoutes = gw.gateway.consoleRoutes.filter((r) => r.url.startsWith('/api/') && r.method !== 'HEAD');
  // Logging out ends the session the next rows use: it goes last.
  apiRoutes.sort((a, b) => Number(a.url === routes.session && a.method === 'DELETE') - Number(b.url === routes.session && b.method === 'DELETE'));
});
afterAll(async () => gw?.dispose());

describe('route table', () => {
  it('declares an access level for every route, and the API has only login public', () => {
    expect(gw.gateway.consoleRoutes.length).toBeGreaterThan(50);
    expect(gw.gateway.consoleRoutes.filter((r) => r.access === undefined)).toEqual([]);
    expect(apiRoutes.filter((r) => r.access === 'public').map((r) => `${r.method} ${r.url}`)).toEqual([`POST ${routes.session}`]);
  });

  it('answers the console its permissions from the one table', async () => {
    for (const role of roles) {
      const { cookie } = await login(gw.url, role, passwordOf(role));
      const me = await api<SessionView>(gw.url, cookie, routes.session);
      expect(me.body.permissions).toEqual(permissionsOf(role));
    }
    // issue 14 item 6: a manager signs the duty log (L4) and approves isolations like a supervisor.
    expect(permissionsOf('manager')).toEqual(expect.arrayContaining(['dutyLog.sign', 'device.approveTag', 'alarm.reset']));
    expect(permissionsOf('duty')).not.toEqual(expect.arrayContaining(['dutyLog.sign']));
  });
});

describe('REST routes × sessions', () => {
  it('refuses every route but login without a session (401)', async () => {
    for (const route of apiRoutes.filter((r) => r.access !== 'public')) {
      const a = await call(route, null);
      expect([route.method, route.url, a.status, a.body?.error?.code]).toEqual([route.method, route.url, 401, 'RW_AUTH_REQUIRED']);
    }
  });

  for (const role of roles) {
    it(`lets ${role} through exactly the routes the permission table gives the role`, async () => {
      const { cookie } = await login(gw.url, role, passwordOf(role));
      for (const route of apiRoutes.filter((r) => r.access !== 'public')) {
        const a = await call(route, cookie);
        const allowed = allows(route.access!, role);
        expect({ route: `${route.method} ${route.url}`, refused: refusedByTable(a, route.access!) || a.status === 401 }).toEqual({
          route: `${route.method} ${route.url}`,
          refused: !allowed,
        });
        expect(a.status, `${route.method} ${route.url} as ${role}`).toBeLessThan(500);
      }
    });
  }

  it('refuses every route to an expired session and to a revoked one (401)', async () => {
    const expired = (await login(gw.url, 'duty', passwordOf('duty'))).cookie;
    const revoked = (await login(gw.url, 'supervisor', passwordOf('supervisor'))).cookie;
    const admin = (await login(gw.url, 'admin', passwordOf('admin'))).cookie;
    expect((await api(gw.url, admin, routes.securityUserSessions('supervisor'), { method: 'DELETE', body: '{}' })).status).toBe(200);
    for (const route of apiRoutes.filter((r) => r.access !== 'public')) {
      expect([route.url, (await call(route, revoked)).status]).toEqual([route.url, 401]);
    }
    clock.advance(12 * 3_600_000 + 1);
    for (const route of apiRoutes.filter((r) => r.access !== 'public')) {
      expect([route.url, (await call(route, expired)).status]).toEqual([route.url, 401]);
    }
  });
});

describe('spellings of a path (decided on the matched route, not the URL)', () => {
  const spellings = (path: string): string[] => {
    const rest = path.slice('/api'.length);
    return [
      `/%61pi${rest}`,
      `/a%70i${rest}`,
      `/%2561pi${rest}`,
      `/API${rest}`,
      `/Api${rest.toUpperCase()}`,
      `${path}/`,
      `/api${rest.replace(/\/([a-z])/, (_m, c: string) => `/%${c.charCodeAt(0).toString(16)}`)}`,
      `/api${rest.replace(/\/([a-z])/, (_m, c: string) => `/%25${c.charCodeAt(0).toString(16)}`)}`,
    ];
  };

  it('never answers data without a session, whatever the spelling', async () => {
    for (const route of apiRoutes.filter((r) => r.access !== 'public')) {
      for (const path of spellings(concrete(route.url))) {
        const a = await call(route, null, path);
        expect([route.method, path, a.status >= 400 && a.status < 500, a.body?.error !== undefined]).toEqual([route.method, path, true, true]);
        expect([path, a.status]).not.toEqual([path, 200]);
      }
    }
  });

  it('answers the issue\'s reproduction, GET /%61pi/alarms, 401 (it was 200 with the alarms)', async () => {
    const res = await fetch(`${gw.url}/%61pi/alarms`);
    expect([res.status, ((await res.json()) as { error: { code: string } }).error.code]).toEqual([401, 'RW_AUTH_REQUIRED']);
  });
});

describe('socket events × sessions', () => {
  const events = Object.entries(socketAccess) as [keyof typeof socketAccess, Access][];
  type Result = { ok: boolean; error?: { code: string; message: string } };

  const emit = (socket: ReturnType<typeof connectConsole>, event: string): Promise<Result> =>
    new Promise((resolve) => (socket.emit as (e: string, r: object, cb: (r: Result) => void) => void)(event, { id: 999999, deviceId: 'nothing' }, resolve));
  const connected = (socket: ReturnType<typeof connectConsole>): Promise<void> =>
    new Promise((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('connect_error', (err) => reject(err));
    });

  it('refuses a socket without a session', async () => {
    const socket = connectConsole(gw.url, null);
    await expect(connected(socket)).rejects.toThrow('RW_AUTH_REQUIRED');
    socket.close();
  });

  for (const role of roles) {
    it(`lets ${role} emit exactly the events the permission table gives the role`, async () => {
      const { cookie } = await login(gw.url, role, passwordOf(role));
      const socket = connectConsole(gw.url, cookie);
      await connected(socket);
      for (const [event, access] of events) {
        const r = await emit(socket, event);
        const byTable = r.error?.code === 'RW_FORBIDDEN' && r.error.message.startsWith(`${access} is not allowed`);
        expect({ event, refused: byTable }).toEqual({ event, refused: !allows(access, role as Role) });
        expect([event, r.error?.code]).not.toEqual([event, 'RW_INTERNAL']);
      }
      const unknown = await emit(socket, 'admin:everything');
      expect(unknown.error?.code).toBe('RW_NOT_FOUND');
      socket.close();
    });
  }

  it('answers every event RW_AUTH_REQUIRED once the session is revoked, and disconnects', async () => {
    const { cookie } = await login(gw.url, 'lead', passwordOf('lead'));
    const admin = (await login(gw.url, 'admin', passwordOf('admin'))).cookie;
    const socket = connectConsole(gw.url, cookie);
    await connected(socket);
    const gone = new Promise<string>((resolve) => socket.once('disconnect', (reason) => resolve(reason)));
    expect((await api(gw.url, admin, routes.securityUserSessions('lead'), { method: 'DELETE', body: '{}' })).status).toBe(200);
    expect(await gone).toBe('io server disconnect');
    const again = connectConsole(gw.url, cookie);
    await expect(connected(again)).rejects.toThrow('RW_AUTH_REQUIRED');
    again.close();
  });
});
