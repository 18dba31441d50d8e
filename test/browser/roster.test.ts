// The roster in the console (S1, R2), in a real chromium against a real gateway: a supervisor imports a
// month from CSV, sees the one understaffed night, fills it, publishes and the month locks; a duty member
// at another PC asks for a swap and the supervisor decides on it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Locator, Page } from 'playwright-core';
import type { TestGateway } from '../helpers/gateway.ts';
import { startSiteWith } from '../helpers/shifts.ts';
import { chromiumPart, launchChromium, loggedInPage } from '../helpers/browser.ts';

const part = chromiumPart();
const WAIT = { timeout: 15_000, interval: 100 };
const text = async (l: Locator): Promise<string> => ((await l.count()) ? ((await l.first().textContent()) ?? '') : '');
/** For idempotent actions: clicks (again, while a loaded page may still be wiring its handlers) until `probe` reads. */
const clickUntil = (button: Locator, probe: () => Promise<string>) => async (): Promise<string> => {
  await button.click({ timeout: 2000 }).catch(() => undefined);
  await new Promise((r) => setTimeout(r, 200));
  return probe();
};

/** Next month in the site's zone (Shanghai, UTC+8): in the future, so a swap is "in advance". */
const next = new Date(Date.now() + 8 * 3_600_000);
const y = next.getUTCMonth() === 11 ? next.getUTCFullYear() + 1 : next.getUTCFullYear();
const m = (next.getUTCMonth() + 1) % 12 + 1;
const MONTH = `${y}-${String(m).padStart(2, '0')}`;
const DAYS = new Date(Date.UTC(y, m, 0)).getUTCDate();

describe.skipIf(part.skip)('roster in the console', () => {
  let gw: TestGateway;
  let browser: Browser;
  let lead: Page;
  let duty: Page;
  const errors: string[] = [];

  beforeAll(async () => {
    const shifts = `shifts:
  - { id: day, name: { en: Day, zh-CN: 白班 }, start: "08:30", end: "17:30", minStaff: { duty: 1 } }
  - { id: night, name: { en: Night, zh-CN: 夜班 }, start: "17:30", end: "08:30", minStaff: { duty: 1 } }`;
    gw = await startSiteWith(shifts);
    browser = await launchChromium();
    lead = await loggedInPage(browser, gw.url, 'lead', 'lead', errors);
  });
  afterAll(async () => {
    await browser?.close();
    await gw?.dispose();
  });

  const openRoster = async (page: Page): Promise<void> => {
    await page.getByTestId('nav-roster').click();
    await page.getByTestId('roster-view').waitFor();
    await page.getByTestId('roster-month').fill(MONTH);
    await page.getByTestId('roster-month').dispatchEvent('change');
    // The month asked for, not the one the view opened on (its load may answer after).
    await page.locator(`[data-testid="roster-table"][data-month="${MONTH}"]`).waitFor();
  };

  it('imports a CSV draft and marks the night left without duty staff (R2)', async () => {
    await openRoster(lead);
    const lines = ['date,shift,username'];
    for (let d = 1; d <= DAYS; d++) {
      const date = `${MONTH}-${String(d).padStart(2, '0')}`;
      lines.push(`${date},day,duty`);
      if (d !== 3) lines.push(`${date},night,duty`);
    }
    await lead.getByTestId('roster-import').setInputFiles({ name: 'roster.csv', mimeType: 'text/csv', buffer: Buffer.from(lines.join('\n')) });
    await expect.poll(() => text(lead.getByTestId('roster-status')), WAIT).toBe('Draft — 1 shift(s) below minimum staffing');
    expect(await text(lead.getByTestId(`cell-${MONTH}-03/night`))).toContain('Duty staff 0/1');
    expect(await lead.getByTestId(`cell-${MONTH}-02/day-duty`).isChecked()).toBe(true);
  });

  it('publishing is refused while understaffed; filled, it publishes and locks', async () => {
    await lead.getByTestId('roster-publish').click();
    await expect.poll(() => text(lead.getByTestId('roster-message')), WAIT).toContain('Some shifts are below minimum staffing.');
    await lead.getByTestId(`cell-${MONTH}-03/night-duty`).check();
    await lead.getByTestId('roster-save').click();
    await expect.poll(() => text(lead.getByTestId('roster-status')), WAIT).toBe('Draft — 0 shift(s) below minimum staffing');
    await lead.getByTestId('roster-publish').click();
    await expect.poll(() => text(lead.getByTestId('roster-status')), WAIT).toMatch(/^Published by lead at .* — locked$/);
    expect(await lead.getByTestId('roster-save').isVisible()).toBe(false);
    expect(await lead.locator('input[type="checkbox"]').count()).toBe(0);
  });

  it('a duty member asks for a swap at their PC; the supervisor decides at theirs', async () => {
    duty = await loggedInPage(browser, gw.url, 'duty', 'duty', errors);
    await openRoster(duty);
    await duty.getByTestId('swap-shift').selectOption(`${MONTH}-05/night`);
    // In words: the shift as the log names it, the people by name (not "2026-12-05/night: duty → lead").
    const day5 = new Intl.DateTimeFormat('en', { month: 'short', day: 'numeric', timeZone: 'UTC' }).format(Date.UTC(y, m - 1, 5));
    expect(await duty.getByTestId('swap-shift').locator('option:checked').textContent()).toBe(`${day5} Night`);
    await duty.getByTestId('swap-to').selectOption('lead');
    await duty.getByTestId('swap-reason').fill('family matter');
    // Asking is not idempotent: one click, then wait for the list.
    await duty.getByTestId('swap-form').getByRole('button').click();
    await expect.poll(() => text(duty.getByTestId('swap-list')), WAIT).toContain(`${day5} Night: Duty Li → Lead Zhang (family matter) — awaiting approval`);

    await openRoster(lead);
    const swap = lead.locator('[data-testid^="swap-"][data-state="pending"]');
    await swap.first().waitFor(WAIT);
    // The night needs one duty member: the supervisor cannot take it, the approval is refused (R2) …
    await expect.poll(clickUntil(swap.locator('[data-testid^="swap-approve-"]'), () => text(lead.getByTestId('roster-message'))), WAIT).toContain('below minimum staffing');
    // … so it is rejected with a comment, and the duty member sees the decision.
    await swap.locator('[data-testid^="swap-comment-"]').fill('find a duty colleague');
    await expect.poll(clickUntil(swap.locator('[data-testid^="swap-reject-"]'), () => text(lead.getByTestId('swap-list'))), WAIT).toContain('— rejected');
    await openRoster(duty);
    await expect.poll(() => text(duty.getByTestId('swap-list')), WAIT).toContain('— rejected');
    expect(errors).toEqual([]);
  });
});
