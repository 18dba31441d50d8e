// What every request passes before its session (issue 13, low): CSRF refused by content type and Origin on the
// API and the socket handshake, the framing / referrer / CSP headers, no source map in production, the patrol
// QR code from the configured public address, shelving and tag limits (medium 8), and the start-up refusal of
// a route without an access level (high 1).
import Fastify from 'fastify';
import QRCode from 'qrcode';
import { io } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { routes, type AlarmView } from '../../src/contract/api.ts';
import { collectRoutes } from '../../src/http/route-table.ts';
import { isolateBidi } from '../../src/i18n/index.ts';
import type { TestGateway } from '../helpers/gateway.ts';
import { api, login } from '../helpers/console-client.ts';
import { waitFor } from '../helpers/wait.ts';
import { distRoomPatrolYaml } from '../helpers/shifts.ts';
import { passwordOf, startRolesSite } from './site.ts';

let gw: TestGateway;
let duty: string;
beforeAll(async () => {
  gw = await startRolesSite({ extra: distRoomPatrolYaml, publicUrl: 'https://roomwatch.plant.lan:8443' });
  duty = (await login(gw.url, 'duty', passwordOf('duty'))).cookie;
});
afterAll(async () => gw?.dispose());

describe('CSRF', () => {
  it('refuses a form-submittable body on a state-changing route (it was accepted as text/plain)', async () => {
    for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x']) {
      const res = await fetch(gw.url + routes.playbooks, { method: 'POST', headers: { cookie: duty, 'content-type': type }, body: 'type=fire' });
      expect([type, res.status]).toEqual([type, 415]);
    }
    const json = await api(gw.url, duty, routes.playbooks, { method: 'POST', body: JSON.stringify({ type: 'fire', situation: 'smoke at B1' }) });
    expect(json.status).toBe(200);
  });

  it('refuses a request whose Origin is another site, and a cross-site fetch', async () => {
    const evil = await api<{ error: { code: string } }>(gw.url, duty, routes.notes, { method: 'POST', body: '{}', headers: { origin: 'http://evil.example' } });
    expect([evil.status, evil.body.error.code]).toEqual([403, 'RW_FORBIDDEN']);
    const crossSite = await api(gw.url, duty, routes.alarms, { headers: { 'sec-fetch-site': 'cross-site' } });
    expect(crossSite.status).toBe(403);
    const same = await api(gw.url, duty, routes.alarms, { headers: { origin: gw.url } });
    expect(same.status).toBe(200);
  });

  it('refuses a socket handshake from another origin, with a valid session cookie', async () => {
    const socket = io(gw.url, { transports: ['websocket'], extraHeaders: { cookie: duty, origin: 'http://evil.example' }, reconnection: false, forceNew: true });
    const outcome = await new Promise<string>((resolve) => {
      socket.once('connect', () => resolve('connected'));
      socket.once('connect_error', () => resolve('refused'));
    });
    socket.close();
    expect(outcome).toBe('refused');
  });
});

describe('headers and files', () => {
  it('forbids framing and referrers on the console and the API', async () => {
    for (const path of ['/', routes.session]) {
      const res = await fetch(gw.url + path);
      expect([path, res.headers.get('x-frame-options'), res.headers.get('referrer-policy'), res.headers.get('content-security-policy')]).toEqual([
        path,
        'DENY',
        'no-referrer',
        expect.stringContaining("frame-ancestors 'none'"),
      ]);
    }
  });

  it('does not serve the source map (it was served in production)', async () => {
    expect((await fetch(`${gw.url}/app.js`)).status).toBe(200);
    expect((await fetch(`${gw.url}/app.js.map`)).status).toBe(404);
  });

  it('draws the patrol QR code for http.publicUrl whatever Host the request names', async () => {
    const svg = async (host?: string) => {
      const res = await fetch(gw.url + routes.patrolQr('dist-shift'), { headers: { cookie: duty, ...(host ? { host } : {}) } });
      return res.text();
    };
    // The same drawing as src/patrols/patrols.ts makes for the configured address.
    const expected = await QRCode.toString('https://roomwatch.plant.lan:8443/#patrols/dist-shift', { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
    expect(await svg('evil.example')).toBe(expected);
    expect(await svg()).toBe(expected);
  });
});

describe('bidi overrides in typed text', () => {
  it('are wrapped in an isolate; plain text is left as it is', () => {
    expect(isolateBidi('Pump P1 tripped')).toBe('Pump P1 tripped');
    expect(isolateBidi('\u202Egnp.exe\u2069 tail')).toBe('\u2068\u202Egnp.exe tail\u2069');
  });
});

describe('shelving and tag limits (issue 13 medium 8)', () => {
  it('refuses to shelve a critical alarm past its priority limit and a tag that ends in the past', async () => {
    gw.simulators.get('dist-b1-th1')!.set('temperature', 45); // R1: over the 40 °C hard limit, a critical alarm
    const critical = await waitFor(async () => (await api<AlarmView[]>(gw.url, duty, routes.alarms)).body.find((a) => a.priority === 'critical'), 'a critical R1 alarm');
    const long = await api<{ error: { code: string; message: string } }>(gw.url, duty, routes.alarmAction(critical.id, 'shelve'), { method: 'POST', body: JSON.stringify({ minutes: 480, reason: 'nuisance' }) });
    expect([long.status, long.body.error.message]).toEqual([400, expect.stringContaining('critical alarm may be shelved for at most 30 minutes')]);
    expect((await api(gw.url, duty, routes.alarmAction(critical.id, 'shelve'), { method: 'POST', body: JSON.stringify({ minutes: 30, reason: 'sensor swap' }) })).status).toBe(200);
    const past = await api<{ error: { message: string } }>(gw.url, duty, routes.deviceTag('dist-b1-th1'), { method: 'POST', body: JSON.stringify({ kind: 'maintenance', reason: 'x', plannedEnd: Date.now() - 3_600_000 }) });
    expect([past.status, past.body.error.message]).toEqual([400, 'plannedEnd must be in the future']);
    const half = await api<{ error: { message: string } }>(gw.url, duty, routes.deviceTag('dist-b1-th1'), { method: 'POST', body: JSON.stringify({ kind: 'maintenance', reason: 'x', plannedEnd: 1.5 }) });
    expect([half.status, half.body.error.message]).toEqual([400, 'body/plannedEnd must be integer']);
  });
});

describe('deny by default at start-up', () => {
  it('refuses to start while a route declares no access level, naming it', async () => {
    const app = Fastify();
    collectRoutes(app);
    app.get('/api/declared', { config: { access: 'console.view' } }, async () => 'ok');
    app.get('/api/forgotten', async () => 'secret');
    await expect(app.ready()).rejects.toThrow('routes without an access level (deny by default: declare config.access): GET /api/forgotten');
  });
});
