// A duty officer on a round with a phone (390×844, issue 15), on the demo site in its language (zh-CN): sees
// the active alarms, acknowledges one with a note, scans a room's QR code and records the patrol (P1), and
// nothing on the way is wider than the screen.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { routes, type PatrolStatusView } from '../../src/contract/api.ts';
import type { TestGateway } from '../helpers/gateway.ts';
import { api, login } from '../helpers/console-client.ts';
import { attrOf, chromiumPart, consolePage, launchChromium, textOf } from '../helpers/browser.ts';
import { seedDemoRecord, startDemoGateway } from '../helpers/demo-site.ts';

const WAIT = { timeout: 20_000, interval: 100 };
const W = 390;
const H = 844;

/** Visible elements whose box leaves the screen sideways, described for the failure message. */
const tooWide = (page: Page): Promise<string[]> =>
  page.evaluate((width) => {
    const out: string[] = [];
    for (const el of document.body.querySelectorAll<HTMLElement>('*')) {
      const r = el.getBoundingClientRect();
      if (r.width === 0 || r.height === 0 || getComputedStyle(el).visibility === 'hidden') continue;
      // Inside a box that scrolls sideways on its own (a wide diagnostics table) is fine; that box must fit.
      if (el.parentElement?.closest('.scroll-x')) continue;
      if (r.left < -1 || r.right > width + 1) out.push(`${el.tagName.toLowerCase()}.${el.className} ${el.dataset['testid'] ?? ''} [${Math.round(r.left)}, ${Math.round(r.right)}]`);
    }
    if (document.documentElement.scrollWidth > width) out.push(`page scrolls sideways: ${document.documentElement.scrollWidth}px`);
    return out;
  }, W);

describe.skipIf(chromiumPart().skip)('the console on a phone, 390×844 (issue 15)', () => {
  let gw: TestGateway;
  let browser: Browser;
  let phone: Page;
  const errors: string[] = [];

  beforeAll(async () => {
    gw = await startDemoGateway();
    await seedDemoRecord(gw);
    // An unacknowledged alarm to deal with: the UPS-room smoke detector drops off the broker (A8 comm loss).
    await gw.gateway.mqttSimulators.get('fc-smoke-1')!.goOffline();
    browser = await launchChromium();
    phone = await consolePage(browser, gw.url, 'duty', 'duty', errors, { width: W, height: H, timezoneId: 'Asia/Shanghai' });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await gw?.dispose();
  });

  it('shows the active alarms without sideways scrolling and acknowledges one with a note', async () => {
    const row = phone.locator('[data-testid^="alarm-row-"][data-condition="commLoss"]').first();
    await row.waitFor(WAIT);
    expect(await tooWide(phone)).toEqual([]);
    const id = (await row.getAttribute('data-testid'))!.replace('alarm-row-', '');
    const ack = phone.getByTestId(`ack-button-${id}`);
    const box = (await ack.boundingBox())!;
    expect(box.x).toBeGreaterThanOrEqual(0);
    expect(box.x + box.width).toBeLessThanOrEqual(W);
    await ack.click();
    await phone.getByTestId('ack-note').fill('已到现场，探测器电池松动');
    expect(await tooWide(phone)).toEqual([]);
    await phone.getByTestId('ack-confirm').click();
    await expect.poll(() => attrOf(phone.getByTestId(`alarm-row-${id}`), 'data-state'), WAIT).toBe('ack_active');
    expect(await textOf(phone.getByTestId(`alarm-row-${id}`).getByTestId('alarm-ack-info'))).toContain('探测器电池松动');
  });

  it('opens the room\'s patrol form from its QR link at the top of the screen and records the round', async () => {
    // The scanned link: a fresh page load of the console at the room's patrol (only the hash differs).
    await phone.goto(`${gw.url}/#patrols/dist-b1-shift`);
    await phone.reload();
    const form = phone.getByTestId('patrol-form-dist-b1-shift');
    await form.waitFor(WAIT);
    await expect.poll(async () => (await form.boundingBox())?.y ?? H, WAIT).toBeLessThan(H / 2);
    expect(await tooWide(phone)).toEqual([]);
    for (const item of ['clean', 'no-leak', 'good']) await phone.getByTestId(`item-${item}-ok`).check();
    await phone.getByTestId('reading-main-kwh').fill('10240.5');
    await phone.getByTestId('patrol-remarks').fill('手机巡查');
    await phone.getByTestId('patrol-submit').click();
    const { cookie } = await login(gw.url, 'duty', 'duty');
    await expect
      .poll(async () => (await api<PatrolStatusView[]>(gw.url, cookie, routes.patrols)).body.find((s) => s.id === 'dist-b1-shift')?.lastRound?.remarks, WAIT)
      .toBe('手机巡查');
    expect(await tooWide(phone)).toEqual([]);
    expect(errors).toEqual([]);
  });
});
