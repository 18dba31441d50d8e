// The console's side of issue 13 in a real chromium: a foreign page cannot frame the console (CSP
// frame-ancestors / X-Frame-Options); the admin's security page lists sessions and revoking one sends that
// duty officer's console back to the login screen within seconds; pages and buttons follow the permission table
// the session answer carries (issue 14 item 6), in both languages.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import type { TestGateway } from '../helpers/gateway.ts';
import { chromiumPart, consolePage, launchChromium } from '../helpers/browser.ts';
import { passwordOf, startRolesSite } from './site.ts';

const part = chromiumPart();
const WAIT = { timeout: 15_000 };

describe.skipIf(part.skip)('console security in chromium', () => {
  let gw: TestGateway;
  let browser: Browser;
  let foreign: Server;
  let foreignUrl: string;
  const errors: string[] = [];

  beforeAll(async () => {
    gw = await startRolesSite();
    browser = await launchChromium();
    // Another site on the LAN: one page frames the console, one frames a page of its own (the control).
    foreign = createServer((req, res) => {
      res.setHeader('content-type', 'text/html');
      if (req.url === '/own.html') return void res.end('<p id="own">framed fine</p>');
      const src = req.url === '/control' ? '/own.html' : gw.url;
      res.end(`<iframe id="f" src="${src}" onload="document.title='loaded'" width="800" height="600"></iframe>`);
    });
    await new Promise<void>((resolve) => foreign.listen(0, '127.0.0.1', resolve));
    foreignUrl = `http://127.0.0.1:${(foreign.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await browser?.close();
    await new Promise((r) => foreign?.close(r));
    await gw?.dispose();
  });

  it('refuses to be framed by another site (it rendered inside a foreign iframe)', async () => {
    const page = await browser.newPage();
    await page.goto(`${foreignUrl}/control`);
    await page.waitForFunction(() => document.title === 'loaded', undefined, WAIT);
    await expect(page.frameLocator('#f').locator('#own').textContent(WAIT)).resolves.toBe('framed fine');

    await page.goto(`${foreignUrl}/frame`);
    await page.waitForFunction(() => document.title === 'loaded', undefined, WAIT);
    const framed = page.frames().find((f) => f !== page.mainFrame())!;
    expect(framed.url()).not.toContain(gw.url);
    expect(await page.frameLocator('#f').getByTestId('login-form').count()).toBe(0);
    await page.close();
  });

  it('shows the security page to the admin only; revoking the duty officer sends their console to the login screen', async () => {
    const duty = await consolePage(browser, gw.url, 'duty', passwordOf('duty'), errors, { consoleErrors: false });
    const admin = await consolePage(browser, gw.url, 'admin', passwordOf('admin'), errors, { consoleErrors: false });
    expect(await duty.getByTestId('nav-security').count()).toBe(0);
    await admin.getByTestId('nav-security').click();
    const dutyRow = admin.locator('[data-testid^="session-"][data-user="duty"]');
    await dutyRow.waitFor(WAIT);
    await expect(dutyRow.textContent()).resolves.toContain('127.0.0.1');
    await dutyRow.locator('[data-testid^="revoke-user-"]').click();
    await admin.getByTestId('security-message').filter({ hasText: 'Sessions of duty ended' }).waitFor(WAIT);
    await duty.getByTestId('login-error').filter({ hasText: 'Your session has ended. Please sign in again.' }).waitFor(WAIT);
    expect(await dutyRow.count()).toBe(0);
  });

  it('shows a throttled account to the admin, in Chinese too, and lets it in again', async () => {
    for (let i = 0; i < 6; i++) {
      await fetch(`${gw.url}/api/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'lead', password: `guess${i}` }) });
    }
    const admin = await consolePage(browser, gw.url, 'admin', passwordOf('admin'), errors, { consoleErrors: false });
    await admin.getByTestId('nav-security').click();
    const row = admin.locator('[data-testid^="throttle-accountSource-lead@"]');
    await row.waitFor(WAIT);
    await expect(row.textContent()).resolves.toContain('account from this address');
    await admin.getByTestId('lang-switch').selectOption('zh-CN');
    if (!(await admin.getByTestId('security-view').isVisible())) await admin.getByTestId('nav-security').click();
    await row.filter({ hasText: '该地址上的账号' }).waitFor(WAIT);
    await row.locator('[data-testid^="clear-throttle-"]').filter({ hasText: '放行' }).click();
    await admin.getByTestId('security-message').filter({ hasText: '已解除' }).waitFor(WAIT);
    await admin.getByTestId('security-no-throttles').or(admin.locator('[data-testid^="throttle-source-"]')).first().waitFor(WAIT);
    expect(await row.count()).toBe(0);
    const res = await fetch(`${gw.url}/api/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'lead', password: passwordOf('lead') }) });
    expect(res.status).toBe(200);
  });
});
