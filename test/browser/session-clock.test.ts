// Logging in from a PC whose calendar is days off the gateway's (L6: the gateway's clock is the one standard).
// A control-room PC without a time server, or a gateway whose RTC was reset, must still log in: the session
// cookie carries a relative lifetime (Max-Age), which the browser counts from its own now, while the gateway
// enforces the session's end by its own clock. Chromium's cookie store runs on the machine's real clock, so
// the gateway runs on a fake clock set days before or after it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { startTestGateway, testSiteYaml, type TestGateway } from '../helpers/gateway.ts';
import { chromiumPart, consolePage, launchChromium, textOf } from '../helpers/browser.ts';
import { api, login } from '../helpers/console-client.ts';
import { fakeClock, type FakeClock } from '../helpers/fake-clock.ts';
import { routes } from '../../src/contract/api.ts';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const DAYS = 86_400_000;
const SESSION_HOURS = 12;
const WAIT = { timeout: 15_000, interval: 100 };

describe.skipIf(chromiumPart().skip)('session cookie when the PC clock is days off the gateway clock (L6)', () => {
  let browser: Browser;
  const errors: string[] = [];

  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
  });

  async function gatewayOffBy(offsetMs: number): Promise<{ gw: TestGateway; clock: FakeClock }> {
    const clock = fakeClock(Date.now() + offsetMs);
    const dataDir = mkdtempSync(join(tmpdir(), 'roomwatch-session-clock-'));
    const gw = await startTestGateway({ clock, dataDir, yaml: await testSiteYaml({ dataDir }) });
    return { gw, clock };
  }

  for (const [label, offsetMs] of [['5 days behind', -5 * DAYS], ['5 days ahead of', 5 * DAYS]] as const) {
    it(`the gateway's clock ${label} the PC's: the cookie is relative, the duty officer logs in and reaches the board`, async () => {
      const { gw } = await gatewayOffBy(offsetMs);
      try {
        const { setCookie } = await login(gw.url, 'duty', 'duty');
        expect(setCookie).toMatch(new RegExp(`Max-Age=${SESSION_HOURS * 3600}(;|$)`));
        expect(setCookie).not.toMatch(/Expires=/i);

        const page = await consolePage(browser, gw.url, 'duty', 'duty', errors);
        expect(await page.getByTestId('board').isVisible()).toBe(true);
        // The session survives a reload: the browser kept the cookie.
        await page.reload();
        await page.getByTestId('board').waitFor();
        await page.context().close();
      } finally {
        await gw.dispose();
      }
    });
  }

  it('the gateway ends the session by its own clock: past its lifetime the API refuses and the console asks to log in again', async () => {
    const { gw, clock } = await gatewayOffBy(-3 * DAYS);
    try {
      const { cookie } = await login(gw.url, 'duty', 'duty');
      const page = await consolePage(browser, gw.url, 'duty', 'duty', errors);
      expect((await api(gw.url, cookie, routes.session)).status).toBe(200);

      clock.advance(SESSION_HOURS * 3_600_000 + 60_000);
      expect((await api(gw.url, cookie, routes.session)).status).toBe(401);
      await page.reload();
      await page.getByTestId('login-username').waitFor();
      await expect.poll(() => textOf(page.getByTestId('board')), WAIT).toBe('');
      await page.context().close();
    } finally {
      await gw.dispose();
    }
  });
});
