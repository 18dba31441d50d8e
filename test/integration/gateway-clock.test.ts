// The gateway's clock is the one clock of record (L6): it comes with the site answer and over the socket
// (`clock:sync`), so consoles on PCs without NTP show the gateway's time. A fake gateway clock far from the
// real time makes the answers exact and shows they are not this machine's clock.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { routes, type SiteView } from '../../src/contract/api.ts';
import { startTestGateway, type TestGateway } from '../helpers/gateway.ts';
import { fakeClock } from '../helpers/fake-clock.ts';
import { api, connectConsole, login, type ConsoleSocket } from '../helpers/console-client.ts';

describe("the gateway's clock for the console (L6)", () => {
  const clock = fakeClock(Date.UTC(2026, 10, 23, 2, 0, 0));
  let gw: TestGateway;
  let cookie: string;
  let socket: ConsoleSocket;

  beforeAll(async () => {
    gw = await startTestGateway({ clock });
    cookie = (await login(gw.url, 'duty', 'duty')).cookie;
    socket = connectConsole(gw.url, cookie);
    await new Promise<void>((resolve, reject) => {
      socket.on('connect', resolve);
      socket.on('connect_error', reject);
    });
  });
  afterAll(async () => {
    socket?.disconnect();
    await gw?.dispose();
  });

  it('the site answer carries the time at each answer', async () => {
    expect((await api<SiteView>(gw.url, cookie, routes.site)).body.serverTime).toBe(clock.now());
    clock.advance(90_000);
    expect((await api<SiteView>(gw.url, cookie, routes.site)).body.serverTime).toBe(clock.now());
  });

  it('clock:sync answers with the time over the socket', async () => {
    clock.advance(60_000);
    expect(await socket.emitWithAck('clock:sync', {})).toEqual({ ok: true, serverTime: clock.now() });
  });

  it('like every socket request, only within a session', async () => {
    const gone = new Promise<string>((resolve) => (socket.connected ? socket.once('disconnect', resolve) : resolve('io server disconnect')));
    expect((await api(gw.url, cookie, routes.session, { method: 'DELETE' })).status).toBe(204);
    // Logging out disconnects the socket at once (issue 13 medium 6); the cookie opens no new one to ask on.
    expect(await gone).toBe('io server disconnect');
    const again = connectConsole(gw.url, cookie);
    const refused = await new Promise<string>((resolve) => {
      again.once('connect', () => resolve('connected'));
      again.once('connect_error', (err) => resolve(err.message));
    });
    again.close();
    expect(refused).toBe('RW_AUTH_REQUIRED');
  });
});
