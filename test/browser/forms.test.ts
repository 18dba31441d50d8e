// Forms and words on the demo site (issue 15), in a real chromium against a real gateway: a field the gateway
// refuses is named at the field by its label, in both languages; the entry register does not choose an
// approver for the duty officer (R3); form controls are dark like the rest of the console; the language switch
// keeps what was typed; "On shift" is said only of a person on the shift in progress; a flag reads as a state.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { routes, type OnDutyView } from '../../src/contract/api.ts';
import type { TestGateway } from '../helpers/gateway.ts';
import { api, login } from '../helpers/console-client.ts';
import { chromiumPart, consolePage, launchChromium, textOf } from '../helpers/browser.ts';
import { startDemoGateway } from '../helpers/demo-site.ts';

const WAIT = { timeout: 20_000, interval: 100 };

describe.skipIf(chromiumPart().skip)('forms and words of the console (issue 15)', () => {
  let gw: TestGateway;
  let browser: Browser;
  let page: Page;
  const errors: string[] = [];

  beforeAll(async () => {
    gw = await startDemoGateway();
    browser = await launchChromium();
    page = await consolePage(browser, gw.url, 'duty', 'duty', errors, { timezoneId: 'Asia/Shanghai', consoleErrors: false, lang: 'en' });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await gw?.dispose();
  });

  it('names the refused fields at the fields; no approver is chosen in advance; the controls are dark', async () => {
    await page.getByTestId('nav-entries').click();
    const approver = page.getByTestId('entry-approver');
    await expect.poll(() => approver.locator('option').count(), WAIT).toBeGreaterThan(1);
    // R3: the duty officer names who actually approved; nobody is pre-selected.
    expect(await approver.inputValue()).toBe('');
    expect(await approver.evaluate((s: HTMLSelectElement) => s.selectedOptions[0]?.textContent)).toBe('— choose who approved —');

    await page.getByTestId('entry-purpose').fill('Cable check');
    await page.getByTestId('entry-submit').click();
    await expect.poll(() => textOf(page.getByTestId('entries-message')), WAIT).toContain('Please check: ');
    const message = await textOf(page.getByTestId('entries-message'));
    expect(message).toContain('Visitor (required)');
    expect(message).not.toContain('Invalid request');
    expect(await textOf(page.getByTestId('field-error-visitor'))).toBe('Visitor: required');
    expect(await page.getByTestId('entry-visitor').getAttribute('aria-invalid')).toBe('true');

    // Dark controls: the panel's own dark grey and light text, not the browser's white field.
    const look = await page.getByTestId('entry-visitor').evaluate((el) => [getComputedStyle(el).backgroundColor, getComputedStyle(el).color]);
    expect(look).toEqual(['rgb(27, 35, 45)', 'rgb(238, 243, 248)']);
    expect(await approver.evaluate((el) => getComputedStyle(el).backgroundColor)).toBe('rgb(27, 35, 45)');
    await page.screenshot({ path: '/tmp/forms-entries-en.png' });
  });

  it('keeps what was typed through the language switch, and names the field in Chinese', async () => {
    await page.getByTestId('entry-organisation').fill('供电局');
    await page.getByTestId('entry-room').selectOption('pump-room-b2');
    await page.getByTestId('lang-switch').selectOption('zh-CN');
    // The words changed …
    await expect.poll(() => page.getByTestId('entry-visitor').getAttribute('aria-label'), WAIT).toBe('来访人');
    expect(await textOf(page.getByTestId('nav-entries'))).toBe('出入登记');
    // … what was typed and chosen did not, on the same page.
    expect(await page.getByTestId('entry-purpose').inputValue()).toBe('Cable check');
    expect(await page.getByTestId('entry-organisation').inputValue()).toBe('供电局');
    expect(await page.getByTestId('entry-room').inputValue()).toBe('pump-room-b2');

    await page.getByTestId('entry-submit').click();
    await expect.poll(() => textOf(page.getByTestId('entries-message')), WAIT).toContain('请检查：');
    expect(await textOf(page.getByTestId('entries-message'))).toContain('来访人（必填）');
    expect(await textOf(page.getByTestId('field-error-visitor'))).toBe('来访人：必填');
    // Typing clears the marks; the next refusal names the approver nobody chose.
    await page.getByTestId('entry-visitor').fill('王工');
    expect(await page.getByTestId('field-error-visitor').count()).toBe(0);
    await page.getByTestId('entry-submit').click();
    await expect.poll(() => textOf(page.getByTestId('field-error-approvedBy')), WAIT).toBe('批准人：必填');
    expect(await textOf(page.getByTestId('entries-message'))).toBe('请检查：批准人（必填）');
    await page.screenshot({ path: '/tmp/forms-entries-zh.png' });
    await page.getByTestId('nav-board').click();
  });

  it('says "On shift" only of a person on the shift in progress', async () => {
    const { cookie } = await login(gw.url, 'duty', 'duty');
    const onDuty = (await api<OnDutyView>(gw.url, cookie, routes.onDuty)).body;
    const onShift = onDuty.people.some((p) => p.username === 'duty');
    await expect.poll(() => textOf(page.getByTestId('user-name')), WAIT).toBe(onShift ? '当班：李伟 Li Wei' : '已登录：李伟 Li Wei');
    const admin = await consolePage(browser, gw.url, 'admin', 'admin', errors, { timezoneId: 'Asia/Shanghai', consoleErrors: false });
    await expect.poll(() => textOf(admin.getByTestId('user-name')), WAIT).toMatch(/^(Signed in|已登录)：?:? ?赵磊 Zhao Lei$/);
    await admin.context().close();
  });

  it('reads a flag as a state: 电池正常 / 电池电量低', async () => {
    const value = page.getByTestId('point-value-fc-smoke-1.batteryLow');
    await expect.poll(() => textOf(value), WAIT).toBe('电池正常');
    await gw.gateway.mqttSimulators.get('fc-smoke-1')!.set('batteryLow', true);
    await expect.poll(() => textOf(value), WAIT).toBe('电池电量低');
    // An opened section and a chosen filter on the board also stay through the switch.
    await page.getByTestId('rule-legend').locator('summary').click();
    await page.getByTestId('alarm-filter-priority').selectOption('low');
    await page.getByTestId('lang-switch').selectOption('en');
    await expect.poll(() => textOf(page.getByTestId('point-value-fc-smoke-1.batteryLow')), WAIT).toBe('BATTERY LOW');
    expect(await page.getByTestId('rule-legend').evaluate((d: HTMLDetailsElement) => d.open)).toBe(true);
    expect(await page.getByTestId('alarm-filter-priority').inputValue()).toBe('low');
    expect(await textOf(page.getByTestId('rule-legend').locator('summary'))).toBe('What the rule ids mean');
    expect(errors).toEqual([]);
  });
});
