// The console on a control-room PC whose clock is wrong (air-gapped LAN, no NTP), in a real chromium against a
// real gateway: ages, the header clock and "stale" come from the gateway's clock, the one clock of record
// (L6), and the header says quietly that this PC's clock is off. The PC's clock is set with playwright's clock.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { startTestGateway, type TestGateway } from '../helpers/gateway.ts';
import { attrOf, chromiumPart, consolePage, launchChromium, textOf } from '../helpers/browser.ts';

const TEMP = 'dist-b1-th1.temperature';
const WAIT = { timeout: 15_000, interval: 100 };
const HOURS = 3_600_000;
/** The test site's zone (Asia/Shanghai, UTC+8, no DST): the header clock shows site time. */
const SITE_UTC_OFFSET_S = 8 * 3600;

/** How far the header clock ("14:05:09", site time) is from the gateway's clock now, in seconds, across midnight. */
async function headerClockError(page: Page): Promise<number> {
  const [h, m, s] = (await textOf(page.getByTestId('site-clock'))).split(':').map(Number);
  const shown = h! * 3600 + m! * 60 + s!;
  const gateway = (Math.floor(Date.now() / 1000) + SITE_UTC_OFFSET_S) % 86_400;
  const diff = Math.abs(shown - gateway);
  return Math.min(diff, 86_400 - diff);
}

describe.skipIf(chromiumPart().skip)('console on a PC with a wrong clock (L6)', () => {
  let gw: TestGateway;
  let browser: Browser;
  const errors: string[] = [];

  beforeAll(async () => {
    gw = await startTestGateway();
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await gw?.dispose();
  });

  /** The temperature is live and its reading is seconds old, not hours, and not marked stale or not live. */
  async function expectFreshReading(page: Page): Promise<void> {
    await expect.poll(() => textOf(page.getByTestId('connection-status')), WAIT).toBe('Live');
    await expect.poll(() => textOf(page.getByTestId(`point-value-${TEMP}`)), WAIT).toBe('26.5');
    // "n s ago" is only used below two minutes; a PC clock 3 h fast used to make this "3 h ago".
    await expect.poll(() => textOf(page.getByTestId(`point-age-${TEMP}`)), WAIT).toMatch(/^(just now|\d+ s ago)$/);
    const row = page.getByTestId(`point-${TEMP}`);
    expect(await attrOf(row, 'data-quality')).toBe('good');
    expect(await attrOf(row, 'class')).not.toContain('not-live');
    expect(await headerClockError(page)).toBeLessThan(60);
  }

  it('a PC clock 3 h fast: readings are seconds old, the header clock is the gateway\'s, and a notice says so', async () => {
    const page = await consolePage(browser, gw.url, 'duty', 'duty', errors, { clockOffsetMs: 3 * HOURS });
    // The page really runs 3 h ahead (the test would prove nothing otherwise).
    expect(Math.round(((await page.evaluate(() => Date.now())) - Date.now()) / HOURS)).toBe(3);
    await expectFreshReading(page);
    const notice = page.getByTestId('clock-offset');
    expect(await notice.isVisible()).toBe(true);
    expect(await textOf(notice)).toBe("This PC's clock is 3 h ahead of the gateway's; times shown are the gateway's.");

    await page.getByTestId('lang-switch').selectOption('zh-CN');
    await expect.poll(() => textOf(page.getByTestId('clock-offset')), WAIT).toBe('本机时钟比网关快 3 小时；页面显示的均为网关时间。');
    await page.context().close();
  });

  it('a PC clock 20 min slow: the notice says behind, and the readings are still fresh', async () => {
    const page = await consolePage(browser, gw.url, 'duty', 'duty', errors, { clockOffsetMs: -20 * 60_000 });
    await expectFreshReading(page);
    expect(await textOf(page.getByTestId('clock-offset'))).toBe("This PC's clock is 20 min behind the gateway's; times shown are the gateway's.");
    await page.context().close();
  });

  it('a PC clock that is right: no notice', async () => {
    const page = await consolePage(browser, gw.url, 'duty', 'duty', errors);
    await expectFreshReading(page);
    expect(await page.getByTestId('clock-offset').isHidden()).toBe(true);
    expect(errors).toEqual([]);
    await page.context().close();
  });
});
