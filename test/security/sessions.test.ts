// Sessions (issue 13 medium 3/6, low): login throttling over HTTP with the admin's view; sockets that end with
// their session (logout, expiry, revocation, password change); the admin's session list; scrypt raised to
// OWASP's cost at the next login and kept across restarts.
import { afterEach, describe, expect, it } from 'vitest';
import { routes, type LoginThrottleView, type SessionListView } from '../../src/contract/api.ts';
import { hashPassword, owaspCost } from '../../src/auth/passwords.ts';
import { oneSensorSiteYaml, restartedGateways, type TestGateway } from '../helpers/gateway.ts';
import { api, connectConsole, login, type ConsoleSocket } from '../helpers/console-client.ts';
import { fakeClock } from '../helpers/fake-clock.ts';
import { freePort } from '../helpers/ports.ts';
import { passwordOf, startRolesSite } from './site.ts';

const gateways = restartedGateways('roomwatch-sessions-');
const started: TestGateway[] = [];
afterEach(async () => {
  for (const gw of started.splice(0)) await gw.dispose();
  await gateways.cleanup();
});

const connected = (socket: ConsoleSocket): Promise<void> =>
  new Promise((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', (err) => reject(err));
  });
const disconnected = (socket: ConsoleSocket): Promise<string> => new Promise((resolve) => socket.once('disconnect', (reason) => resolve(reason)));
const tryLogin = (gw: TestGateway, username: string, password: string) =>
  fetch(gw.url + routes.session, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }) });

describe('login throttling over HTTP', () => {
  it('answers 429 with Retry-After after 5 wrong passwords; the admin sees it and lets the account in again', async () => {
    const gw = await startRolesSite();
    started.push(gw);
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++) statuses.push((await tryLogin(gw, 'duty', `guess-${i}`)).status);
    expect(statuses).toEqual([401, 401, 401, 401, 401, 401, 429, 429]);
    const refused = await tryLogin(gw, 'duty', passwordOf('duty'));
    expect([refused.status, Number(refused.headers.get('retry-after')) >= 1, ((await refused.json()) as { error: { code: string } }).error.code]).toEqual([429, true, 'RW_LOGIN_THROTTLED']);

    const admin = (await login(gw.url, 'admin', passwordOf('admin'))).cookie;
    const seen = await api<LoginThrottleView>(gw.url, admin, routes.loginThrottles);
    expect(seen.body.find((t) => t.scope === 'accountSource')).toMatchObject({ key: expect.stringMatching(/^duty@/), failures: 6, refused: 3 });
    expect((await api<{ cleared: number }>(gw.url, admin, `${routes.loginThrottles}/clear`, { method: 'POST', body: JSON.stringify({ key: 'duty' }) })).body.cleared).toBe(2);
    expect((await tryLogin(gw, 'duty', passwordOf('duty'))).status).toBe(200);
  });
});

describe('sockets end with their session', () => {
  it('disconnects on logout, and the cookie opens no new socket', async () => {
    const gw = await startRolesSite();
    started.push(gw);
    const { cookie } = await login(gw.url, 'duty', passwordOf('duty'));
    const socket = connectConsole(gw.url, cookie);
    await connected(socket);
    const gone = disconnected(socket);
    expect((await api(gw.url, cookie, routes.session, { method: 'DELETE' })).status).toBe(204);
    expect(await gone).toBe('io server disconnect');
    const again = connectConsole(gw.url, cookie);
    await expect(connected(again)).rejects.toThrow('RW_AUTH_REQUIRED');
    again.close();
  });

  it('disconnects when the session expires, without any request from the console', async () => {
    const clock = fakeClock();
    const gw = await startRolesSite({ clock });
    started.push(gw);
    const { cookie } = await login(gw.url, 'lead', passwordOf('lead'));
    const socket = connectConsole(gw.url, cookie);
    await connected(socket);
    const gone = disconnected(socket);
    clock.advance(12 * 3_600_000 + 1);
    expect(await gone).toBe('io server disconnect');
  });

  it('lists sessions for the admin with their source, and revoking one disconnects its console', async () => {
    const gw = await startRolesSite();
    started.push(gw);
    const duty = (await login(gw.url, 'duty', passwordOf('duty'))).cookie;
    const admin = (await login(gw.url, 'admin', passwordOf('admin'))).cookie;
    const list = await api<SessionListView>(gw.url, admin, routes.securitySessions);
    expect(list.body.map((s) => [s.username, s.current, s.source])).toEqual([
      ['admin', true, '127.0.0.1'],
      ['duty', false, '127.0.0.1'],
    ]);
    const socket = connectConsole(gw.url, duty);
    await connected(socket);
    const gone = disconnected(socket);
    const dutySession = list.body.find((s) => s.username === 'duty')!;
    expect((await api(gw.url, admin, routes.securitySession(dutySession.id), { method: 'DELETE' })).status).toBe(204);
    expect(await gone).toBe('io server disconnect');
    expect((await api(gw.url, duty, routes.alarms)).status).toBe(401);
    expect((await api(gw.url, admin, routes.securitySession(dutySession.id), { method: 'DELETE' })).status).toBe(404);
  });

  it('ends every session of a user whose password changed in the config', async () => {
    const dataDir = gateways.dataDir();
    const port = await freePort();
    const yaml = (password: string) => oneSensorSiteYaml({ port, simulate: true, dataDir }).replace('password: duty }', `password: ${password} }`);
    let gw = await gateways.start({ yaml: yaml('duty'), dataDir });
    const { cookie } = await login(gw.url, 'duty', 'duty');
    const lead = (await login(gw.url, 'lead', 'lead')).cookie;
    await gw.stop();
    gw = await gateways.start({ yaml: yaml('a-new-password'), dataDir });
    expect((await api(gw.url, cookie, routes.alarms)).status).toBe(401);
    expect((await api(gw.url, lead, routes.alarms)).status).toBe(200);
    expect((await tryLogin(gw, 'duty', 'a-new-password')).status).toBe(200);
  });
});

describe('password hashes', () => {
  it('raises an older scrypt hash to OWASP cost at the next login and keeps it across restarts', async () => {
    const dataDir = gateways.dataDir();
    const password = 'correct horse battery staple 42';
    const old = await hashPassword(password, { N: 2 ** 15, r: 8, p: 1 });
    const yaml = oneSensorSiteYaml({ port: await freePort(), simulate: true, dataDir })
      .replace('demo: true', 'demo: false')
      .replace(/users:\n(?: {2}- .*\n)+/, `users:\n  - { username: chief, displayName: Chief Wu, role: supervisor, passwordHash: "${old}" }\n`);
    const stored = (gw: TestGateway) => (gw.gateway.store.db.prepare("SELECT password_hash FROM users WHERE username = 'chief'").get() as { password_hash: string }).password_hash;
    let gw = await gateways.start({ yaml, dataDir });
    expect(stored(gw)).toBe(old);
    expect((await tryLogin(gw, 'chief', password)).status).toBe(200);
    const raised = stored(gw);
    expect(raised.split('$').slice(0, 4)).toEqual(['scrypt', String(owaspCost.N), '8', '1']);
    await gw.stop();
    gw = await gateways.start({ yaml, dataDir });
    expect(stored(gw)).toBe(raised);
    expect((await tryLogin(gw, 'chief', password)).status).toBe(200);
  });
});
