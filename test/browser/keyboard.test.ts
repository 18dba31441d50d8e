// The alarm list without a mouse (issue 15): a duty officer tabs to an alarm row, and while a burst of alarm
// transitions arrives through the real pipeline (simulated Modbus devices polled by the gateway, alarms
// raised, cleared and logged), the focused row stays the same element and focused; arrow keys move between
// rows, Enter acknowledges with a note, S shelves (ISA-18.2 G), Ctrl+Enter confirms; in both languages.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Locator, Page } from 'playwright-core';
import type { TestGateway } from '../helpers/gateway.ts';
import { startLifecycleSite } from '../helpers/lifecycle-site.ts';
import { attrOf, chromiumPart, consolePage, launchChromium, textOf, untilLive } from '../helpers/browser.ts';

const WAIT = { timeout: 20_000, interval: 100 };
const TEMP = 'dist-b1-th1.temperature';
const HUMIDITY = 'dist-b1-th1.humidity';
const FIRE = 'fire-panel.fire';

const row = (page: Page, point: string, condition: string): Locator =>
  page.getByTestId('alarm-list').locator(`[data-testid^="alarm-row-"][data-point="${point}"][data-condition="${condition}"]`).first();
/** Whether the focused element is the very row marked earlier (same element, not a rebuilt twin). */
const markedRowFocused = (page: Page): Promise<boolean> =>
  page.evaluate(() => (document.activeElement as (Element & { keyboardMark?: boolean }) | null)?.keyboardMark === true);

describe.skipIf(chromiumPart().skip)('the alarm list by keyboard, through an alarm flood (issue 15)', () => {
  let gw: TestGateway;
  let browser: Browser;
  let page: Page;
  const errors: string[] = [];
  const sim = (device: string) => gw.simulators.get(device)!;

  beforeAll(async () => {
    gw = await startLifecycleSite('roomwatch-keyboard-');
    browser = await launchChromium();
    page = await consolePage(browser, gw.url, 'duty', 'duty', errors, { timezoneId: 'Asia/Shanghai' });
    await untilLive(page);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await gw?.dispose();
  });

  it('keeps the focused row focused while alarms come and go, and acknowledges it from the keyboard', async () => {
    expect(await textOf(page.getByTestId('alarm-keys-hint'))).toContain('Enter or A acknowledge');
    sim('dist-b1-th1').set('temperature', 37); // R1 warning (high)
    const temp = row(page, TEMP, 'high');
    await temp.waitFor(WAIT);
    // Tab reaches the row (it is in the tab order), then the mark tells this element from any rebuilt copy.
    await temp.focus();
    await temp.evaluate((el) => Object.assign(el, { keyboardMark: true }));
    expect(await temp.evaluate((el) => getComputedStyle(el.querySelector('td')!).boxShadow)).not.toBe('none');

    // The burst: humidity in and out of alarm three times, a fire alarm raised and cleared (latched), each a
    // lifecycle transition and a duty-log entry broadcast to the console.
    for (let i = 0; i < 3; i++) {
      sim('dist-b1-th1').set('humidity', 75);
      await expect.poll(() => attrOf(row(page, HUMIDITY, 'high'), 'data-state'), WAIT).toBe('unack_active');
      sim('dist-b1-th1').set('humidity', 40);
      await expect.poll(() => attrOf(row(page, HUMIDITY, 'high'), 'data-state'), WAIT).toBe('rtn_unack');
      expect(await markedRowFocused(page)).toBe(true);
    }
    sim('fire-panel').set('fire', 1);
    await row(page, FIRE, 'discrete').waitFor(WAIT);
    sim('fire-panel').set('fire', 0);
    await expect.poll(() => attrOf(row(page, FIRE, 'discrete'), 'data-state'), WAIT).toBe('latched_unack');
    await page.screenshot({ path: '/tmp/keyboard-focus.png' });
    // The fire alarm (critical) now sorts above: the row moved, it was not rebuilt, and it kept the focus.
    expect(await markedRowFocused(page)).toBe(true);
    const order = await page.getByTestId('alarm-list').locator('tr[data-key]').evaluateAll((els) => els.map((e) => e.getAttribute('data-point')));
    expect(order.indexOf(FIRE)).toBeLessThan(order.indexOf(TEMP));

    // Arrow keys walk the list; back to the same row.
    await page.keyboard.press('ArrowUp');
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-point'))).not.toBe(TEMP);
    await page.keyboard.press('ArrowDown');
    expect(await markedRowFocused(page)).toBe(true);

    // Enter opens the acknowledgement on this row; the note is typed; Ctrl+Enter confirms.
    await page.keyboard.press('Enter');
    await expect.poll(() => page.evaluate(() => document.activeElement?.getAttribute('data-testid')), WAIT).toBe('ack-note');
    expect(await textOf(page.getByTestId('ack-what'))).toContain('Distribution room B1');
    await page.keyboard.type('Fan restarted on site');
    await page.keyboard.press('Control+Enter');
    await expect.poll(() => attrOf(temp, 'data-state'), WAIT).toBe('ack_active');
    expect(await textOf(temp.getByTestId('alarm-ack-info'))).toContain('Fan restarted on site');
    // The dialog gives the focus back to the row, which moved below the unacknowledged ones.
    await expect.poll(() => markedRowFocused(page), WAIT).toBe(true);

    // S shelves it (a reason is required), Ctrl+Enter confirms: it leaves the annunciated list.
    await page.keyboard.press('s');
    await page.getByTestId('shelve-dialog').waitFor(WAIT);
    // The duration is chosen already (arrow keys change it); the reason, still empty, has the focus.
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe('shelve-reason');
    await page.keyboard.type('Sensor being recalibrated');
    await page.keyboard.press('Control+Enter');
    await expect.poll(() => row(page, TEMP, 'high').count(), WAIT).toBe(0);
    expect(await attrOf(page.getByTestId('not-annunciated-list').locator(`[data-point="${TEMP}"][data-condition="high"]`), 'data-annunciation')).toBe('shelved');
    expect(errors).toEqual([]);
  }, 120_000);

  it('does the same in Chinese', async () => {
    await page.getByTestId('lang-switch').selectOption('zh-CN');
    await expect.poll(() => textOf(page.getByTestId('alarm-keys-hint')), WAIT).toContain('Enter 或 A 确认');
    const fire = row(page, FIRE, 'discrete');
    await fire.focus();
    await page.keyboard.press('a');
    await page.getByTestId('ack-dialog').waitFor(WAIT);
    expect(await textOf(page.getByTestId('ack-what'))).toContain('消防控制室');
    await page.keyboard.type('保安已前往');
    await page.keyboard.press('Control+Enter');
    await expect.poll(() => textOf(fire.getByTestId('alarm-state')), WAIT).toBe('已锁存，待复位');
    expect(await textOf(fire.getByTestId('alarm-ack-info'))).toContain('保安已前往');
    expect(errors).toEqual([]);
  }, 120_000);
});
