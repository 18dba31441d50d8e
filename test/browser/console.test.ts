// The live console in a real chromium against a real gateway (style.md §11: real parts, no mocks): a duty
// officer logs in, watches the distribution room's temperature, sees the R1 alarm at 41.5 °C, acknowledges
// it with a note, finds both in the duty log, switches to Chinese; the page never talks to another host.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { routes } from '../../src/contract/api.ts';
import { api, login } from '../helpers/console-client.ts';
import { startTestGateway, type TestGateway } from '../helpers/gateway.ts';
import { CHROMIUM, CHROMIUM_ARGS as ARGS, chromiumPart } from '../helpers/chromium.ts';

const chromiumReal = chromiumPart();

const TEMP = 'dist-b1-th1.temperature';
const ROOM = 'dist-room-b1';
const NOTE = 'Checked on site: exhaust fan restarted';
const WAIT = { timeout: 15_000, interval: 100 };

const text = async (locator: Locator): Promise<string> => ((await locator.count()) ? ((await locator.first().textContent()) ?? '') : '');
const attr = async (locator: Locator, name: string): Promise<string | null> =>
  (await locator.count()) ? locator.first().getAttribute(name) : null;

/** Oscillator pulses started by the page's alarm tone (counted by the init script below). */
const beeps = (page: Page): Promise<number> => page.evaluate(() => (window as unknown as { rwBeeps: number }).rwBeeps);

describe.skipIf(chromiumReal.skip)('live console in chromium', () => {
  let gw: TestGateway;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const requested: string[] = [];
  const pageErrors: string[] = [];

  beforeAll(async () => {
    gw = await startTestGateway();
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
    context = await browser.newContext({ viewport: { width: 1600, height: 1000 }, locale: 'en-US', timezoneId: 'UTC' });
    context.on('request', (req) => requested.push(req.url()));
    // Count the alarm tone's pulses: the tone itself cannot be heard in a test, its scheduling can be seen.
    await context.addInitScript(() => {
      const w = window as unknown as { rwBeeps: number };
      w.rwBeeps = 0;
      const start = OscillatorNode.prototype.start;
      OscillatorNode.prototype.start = function (this: OscillatorNode, ...args: Parameters<OscillatorNode['start']>) {
        w.rwBeeps++;
        return start.apply(this, args);
      };
    });
    page = await context.newPage();
    page.on('websocket', (ws) => requested.push(ws.url()));
    page.on('pageerror', (err) => pageErrors.push(String(err)));
    page.on('console', (msg) => {
      if (msg.type() === 'error') pageErrors.push(msg.text());
    });
  });

  afterAll(async () => {
    await browser?.close();
    await gw?.dispose();
  });

  it('shows the login screen first', async () => {
    await page.goto(gw.url);
    await page.getByTestId('login-form').waitFor();
    expect(await page.getByTestId('board').count()).toBe(0);
    await page.screenshot({ path: '/tmp/console-login.png' });
  });

  it('refuses a wrong password with the translated error code', async () => {
    await page.getByTestId('login-username').fill('duty');
    await page.getByTestId('login-password').fill('wrong');
    await page.getByTestId('login-submit').click();
    await expect.poll(() => text(page.getByTestId('login-error')), WAIT).toBe('Wrong username or password.');
  });

  it('logs in as duty and shows the live temperature with its unit, limits and age', async () => {
    await page.getByTestId('login-password').fill('duty');
    await page.getByTestId('login-submit').click();
    await page.getByTestId('board').waitFor();
    expect(await text(page.getByTestId('user-name'))).toContain('Duty Li');
    expect(await text(page.getByTestId('user-role'))).toBe('Duty staff');
    expect(await text(page.getByTestId('site-name'))).toBe('Test Tower');
    await expect.poll(() => text(page.getByTestId('connection-status')), WAIT).toBe('Live');

    const tile = page.getByTestId(`room-tile-${ROOM}`);
    await tile.waitFor();
    expect(await text(tile)).toContain('Distribution room B1');
    await expect.poll(() => text(page.getByTestId(`point-value-${TEMP}`)), WAIT).toBe('26.5');
    expect(await text(page.getByTestId(`point-unit-${TEMP}`))).toBe('°C');
    expect(await text(page.getByTestId(`point-${TEMP}`))).toContain('H 35 · HH 40 °C');
    await expect.poll(() => text(page.getByTestId(`point-age-${TEMP}`)), WAIT).toMatch(/^(just now|\d+ s ago)$/);
    expect(await attr(tile, 'data-severity')).toBe('normal');
  });

  it('follows the sensor', async () => {
    gw.simulators.get('dist-b1-th1')!.set('temperature', 30.1);
    await expect.poll(() => text(page.getByTestId(`point-value-${TEMP}`)), WAIT).toBe('30.1');
  });

  it('raises the R1 high-high alarm at 41.5 °C, unacknowledged, blinking, with the sound warning', async () => {
    gw.simulators.get('dist-b1-th1')!.set('temperature', 41.5);
    const row = page.locator('[data-testid^="alarm-row-"][data-condition="highHigh"]');
    await row.first().waitFor(WAIT);
    expect(await attr(row, 'data-state')).toBe('unack_active');
    expect(await row.first().getAttribute('class')).toContain('blink');
    expect(await text(row.getByTestId('alarm-state'))).toBe('Unacknowledged');
    expect(await text(row.getByTestId('alarm-condition'))).toBe('High-high');
    expect(await text(row.getByTestId('alarm-rule'))).toBe('R1');
    expect(await text(row.getByTestId('alarm-value'))).toBe('41.5 °C / 40 °C');
    expect(await text(row)).toContain('Distribution room B1');

    const tile = page.getByTestId(`room-tile-${ROOM}`);
    await expect.poll(() => attr(tile, 'data-severity'), WAIT).toBe('alarm');
    expect(await text(page.getByTestId(`room-status-${ROOM}`))).toBe('ALARM');
    expect(await page.getByTestId('sound-warning').isVisible()).toBe(true);
    await page.screenshot({ path: '/tmp/console.png' });
  });

  it('enables the alarm sound on a click: the warning goes, the tone repeats', async () => {
    await page.getByTestId('sound-button').click();
    await expect.poll(() => attr(page.getByTestId('sound-button'), 'data-enabled'), WAIT).toBe('true');
    expect(await page.getByTestId('sound-warning').isVisible()).toBe(false);
    // Three pulses per urgent beep, a beep every 1.5 s: six pulses prove it repeats.
    await expect.poll(() => beeps(page), WAIT).toBeGreaterThanOrEqual(6);
  });

  it('acknowledges the alarm with a note; the row shows who and the note', async () => {
    const row = page.locator('[data-testid^="alarm-row-"][data-condition="highHigh"]').first();
    const id = (await row.getAttribute('data-testid'))!.replace('alarm-row-', '');
    await page.getByTestId(`ack-button-${id}`).click();
    // A critical alarm needs a note: the gateway's error code comes back and is shown translated.
    await page.getByTestId('ack-confirm').click();
    await expect.poll(() => text(page.getByTestId('ack-error')), WAIT).toBe('Please write a note before acknowledging.');
    await page.getByTestId('ack-note').fill(NOTE);
    await page.getByTestId('ack-confirm').click();
    const acked = page.getByTestId(`alarm-row-${id}`);
    await expect.poll(() => attr(acked, 'data-state'), WAIT).toBe('ack_active');
    const info = await text(acked.getByTestId('alarm-ack-info'));
    expect(info).toContain('Duty Li');
    expect(info).toContain(NOTE);
    expect(await acked.getAttribute('class')).not.toContain('blink');
    expect(await page.getByTestId(`ack-button-${id}`).count()).toBe(0);
    expect(await page.getByTestId('ack-dialog').count()).toBe(0);
  });

  it('says so when someone else acknowledged the alarm first, and then falls silent', async () => {
    const row = page.locator('[data-testid^="alarm-row-"][data-condition="high"]').first();
    const id = Number((await row.getAttribute('data-testid'))!.replace('alarm-row-', ''));
    await page.getByTestId(`ack-button-${id}`).click();
    await page.getByTestId('ack-note').fill('me too');
    // Meanwhile the shift lead acknowledges it from another console.
    const lead = await login(gw.url, 'lead', 'lead');
    const res = await api(gw.url, lead.cookie, routes.alarmAck(id), { method: 'POST', body: JSON.stringify({ note: 'lead on it' }) });
    expect(res.status).toBe(200);
    await expect.poll(() => attr(page.getByTestId(`alarm-row-${id}`), 'data-state'), WAIT).toBe('ack_active');
    await page.getByTestId('ack-confirm').click();
    await expect.poll(() => text(page.getByTestId('ack-error')), WAIT).toBe(
      'This alarm cannot be acknowledged (it may already have been acknowledged).',
    );
    await page.getByTestId('ack-cancel').click();
    expect(await page.getByTestId('ack-dialog').count()).toBe(0);
    expect(await text(page.getByTestId(`alarm-row-${id}`).getByTestId('alarm-ack-info'))).toContain('lead on it');

    // Nothing unacknowledged is left: the tone stops (no new pulse over two beep periods).
    const before = await beeps(page);
    await page.waitForTimeout(3200);
    expect(await beeps(page)).toBe(before);
  });

  it('lists the raised alarm and the acknowledgement in the duty log, newest first', async () => {
    const log = page.getByTestId('duty-log');
    const raised = log.locator('[data-kind="alarm.raised"]', { hasText: 'High-high' });
    const acked = log.locator('[data-kind="alarm.acknowledged"]', { hasText: NOTE });
    await expect.poll(() => acked.count(), WAIT).toBeGreaterThan(0);
    expect(await raised.count()).toBeGreaterThan(0);
    const raisedText = await text(raised);
    expect(raisedText).toContain('Distribution room B1');
    expect(raisedText).toContain('41.5 °C');
    expect(raisedText).toContain('R1');
    const ackText = await text(acked);
    expect(ackText).toContain('Duty Li');
    expect(ackText).toContain(NOTE);
    // L6: times are in the site's timezone (Asia/Shanghai), not the browser's (UTC here).
    const iso = await acked.first().locator('time').getAttribute('datetime');
    const siteTime = new Intl.DateTimeFormat('en-US', { timeZone: 'Asia/Shanghai', hourCycle: 'h23', hour: '2-digit', minute: '2-digit', second: '2-digit' }).format(new Date(iso!));
    expect(await text(acked.first().locator('time'))).toContain(siteTime);
    const kinds = await log.locator('li').evaluateAll((items) => items.map((li) => li.getAttribute('data-kind')));
    expect(kinds.indexOf('alarm.acknowledged')).toBeLessThan(kinds.indexOf('alarm.raised'));
  });

  it('switches to Chinese', async () => {
    await page.getByTestId('lang-switch').selectOption('zh-CN');
    await expect.poll(() => text(page.locator('#alarms-title')), WAIT).toContain('当前告警');
    expect(await page.locator('html').getAttribute('lang')).toBe('zh-CN');
    expect(await text(page.getByTestId(`room-status-${ROOM}`))).toBe('告警');
    expect(await text(page.getByTestId(`room-tile-${ROOM}`))).toContain('B1 配电房');
    const row = page.locator('[data-testid^="alarm-row-"][data-condition="highHigh"]');
    expect(await text(row.getByTestId('alarm-condition'))).toBe('高高限');
    expect(await text(row.getByTestId('alarm-state'))).toBe('已确认，仍在告警');
    expect(await text(page.getByTestId('user-role'))).toBe('值班员');
    expect(await text(page.getByTestId('duty-log'))).toContain('确认告警');
    await expect.poll(() => text(page.getByTestId(`point-age-${TEMP}`)), WAIT).toMatch(/^(刚刚|\d+ 秒前)$/);
    await page.screenshot({ path: '/tmp/console-zh.png', fullPage: true });
  });

  it('remembers the language on the login screen after logout', async () => {
    await page.getByTestId('logout-button').click();
    await page.getByTestId('login-form').waitFor();
    expect(await text(page.getByTestId('login-submit'))).toBe('登录');
    await page.reload();
    await page.getByTestId('login-form').waitFor();
    expect(await text(page.getByTestId('login-submit'))).toBe('登录');
  });

  it('never shows a frozen value as live when the gateway goes away', async () => {
    await page.getByTestId('login-username').fill('lead');
    await page.getByTestId('login-password').fill('lead');
    await page.getByTestId('login-submit').click();
    await expect.poll(() => text(page.getByTestId('connection-status')), WAIT).toBe('实时');
    await expect.poll(() => text(page.getByTestId(`point-value-${TEMP}`)), WAIT).toBe('41.5');
    await gw.stop();
    await page.getByTestId('connection-banner').waitFor({ state: 'visible', timeout: 15_000 });
    await expect.poll(() => text(page.getByTestId(`point-value-${TEMP}`)), WAIT).toBe('未连接');
    expect(await text(page.getByTestId(`point-status-${TEMP}`))).toContain('41.5 °C');
    await page.screenshot({ path: '/tmp/console-offline.png' });
  });

  it('made no request to any host but the gateway, and no script errors', () => {
    const origin = new URL(gw.url);
    const foreign = requested.filter((u) => {
      const url = new URL(u);
      if (url.protocol === 'data:' || url.protocol === 'blob:') return false;
      return url.host !== origin.host;
    });
    expect(requested.length).toBeGreaterThan(0);
    expect(foreign).toEqual([]);
    // Failed requests after the gateway stopped are expected; anything else is a console bug.
    expect(pageErrors.filter((e) => !/ERR_CONNECTION_REFUSED|Failed to load resource/.test(e))).toEqual([]);
  });
});
