// A full handover by two people at two consoles (S3–S6), in a real chromium against a real gateway:
// the outgoing duty officer writes a superior's instruction into the duty log, sees it on the handover
// screen, is refused while the radios are not counted (S5, reason shown), signs; the incoming officer,
// logged in at their own console, signs with their own password; both consoles show the completion.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Locator, Page } from 'playwright-core';
import type { TestGateway } from '../helpers/gateway.ts';
import { chromiumPart, launchChromium, loggedInPage } from '../helpers/browser.ts';
import { fakeClock } from '../helpers/fake-clock.ts';
import { publishDutyDaysWangNights, shanghai, startSiteWith } from '../helpers/shifts.ts';

const part = chromiumPart();
const WAIT = { timeout: 15_000, interval: 100 };
const text = async (l: Locator): Promise<string> => ((await l.count()) ? ((await l.first().textContent()) ?? '') : '');

const extra = `shifts:
  - { id: day, name: { en: Day, zh-CN: 白班 }, start: "08:30", end: "17:30", minStaff: { duty: 1 } }
  - { id: night, name: { en: Night, zh-CN: 夜班 }, start: "17:30", end: "08:30", minStaff: { duty: 1 } }
handover:
  checklist:
    - { id: keys, name: { en: Keys (12), zh-CN: 钥匙（12 把） } }
    - { id: radios, name: { en: Radios (4), zh-CN: 对讲机（4 台） } }`;

describe.skipIf(part.skip)('handover by two people at two consoles', () => {
  const clock = fakeClock(shanghai('2026-11-20T10:00'));
  let gw: TestGateway;
  let browser: Browser;
  let outgoing: Page;
  let incoming: Page;
  const errors: string[] = [];

  beforeAll(async () => {
    gw = await startSiteWith(extra, { clock, users: ['{ username: wang, displayName: Duty Wang, role: duty, password: wang }'] });
    publishDutyDaysWangNights(gw.gateway);
    clock.set(shanghai('2026-11-23T17:15')); // S3: the incoming officer is there a quarter of an hour early
    browser = await launchChromium();
    outgoing = await loggedInPage(browser, gw.url, 'duty', 'duty', errors);
    incoming = await loggedInPage(browser, gw.url, 'wang', 'wang', errors);
  });
  afterAll(async () => {
    await browser?.close();
    await gw?.dispose();
  });

  it('the outgoing officer logs a superior\'s instruction; the handover screen gathers it', async () => {
    await outgoing.getByTestId('nav-journal').click();
    await outgoing.getByTestId('note-form').waitFor();
    await outgoing.getByTestId('note-category').selectOption('instruction');
    await outgoing.getByTestId('note-situation').fill('Manager: check the generator fuel every shift this week');
    await outgoing.getByTestId('note-submit').click();
    await expect.poll(() => text(outgoing.getByTestId('journal-pages')), WAIT).toContain('Manager: check the generator fuel');

    await outgoing.getByTestId('nav-handover').click();
    await expect.poll(() => text(outgoing.getByTestId('handover-instructions')), WAIT).toContain('Manager: check the generator fuel every shift this week');
    expect(await text(outgoing.getByTestId('handover-view'))).toContain('Outgoing shift: Nov 23 Day');
    expect(await text(outgoing.getByTestId('handover-view'))).toContain('Incoming shift: Nov 23 Night');
  });

  it('is refused with its reasons while the radios are not counted and nobody is marked present (S5)', async () => {
    await outgoing.getByTestId('check-keys').check();
    await outgoing.getByTestId('handover-sign-out').click();
    await expect.poll(() => text(outgoing.getByTestId('handover-refusals')), WAIT).toContain('Handover preparation incomplete: 1 item(s) not checked (Radios (4))');
    expect(await text(outgoing.getByTestId('handover-refusals'))).toContain('Too few incoming staff: Duty staff 0 present, 1 needed');
  });

  it('the outgoing officer signs; the incoming officer signs at their own console with their password (S6)', async () => {
    expect(await outgoing.getByTestId('check-keys').isChecked()).toBe(true); // the refused form keeps what was filled in
    // S3: the incoming officer reports arrival ten minutes after the shift started: late, not "-10 min early".
    clock.set(shanghai('2026-11-23T17:40'));
    await incoming.getByTestId('nav-handover').click();
    await incoming.getByTestId('handover-arrive').click();
    await expect.poll(() => incoming.getByTestId('handover-arrive').count(), WAIT).toBe(0);
    await outgoing.getByTestId('handover-refresh').click();
    await expect.poll(() => text(outgoing.getByTestId('arrived-wang')), WAIT).toBe('arrived Nov 23, 17:40:00 (10 min late)');
    // The board's duty log (behind this page) says it the same way.
    await expect.poll(() => text(outgoing.getByTestId('duty-log').locator('[data-kind="handover.arrived"]')), WAIT).toContain('Duty Wang arrived for Nov 23 Night, 10 min after it started');
    expect(await outgoing.getByTestId('check-keys').isChecked()).toBe(true); // and a Refresh keeps it too
    await outgoing.getByTestId('check-radios').check();
    expect(await outgoing.getByTestId('present-wang').isChecked()).toBe(true); // arrived, so marked present
    await outgoing.getByTestId('handover-note').fill('Chiller 2 on standby; generator fuel at 60 %');
    await outgoing.getByTestId('handover-sign-out').click();
    await expect.poll(() => text(outgoing.getByTestId('handover-message')), WAIT).toBe('Signed. Stay until the incoming person has signed.');

    // The shift ended at 17:30; 20 minutes on (lateAfterMinutes 15) the handover is late until completed.
    clock.set(shanghai('2026-11-23T17:50'));
    await incoming.getByTestId('nav-handover').click();
    await incoming.getByTestId('handover-incoming-form').waitFor(WAIT);
    // Before signing, the incoming officer reads what the outgoing one wrote (issue 15).
    expect(await text(incoming.getByTestId('handover-outgoing-note'))).toBe("Outgoing officer's note: Chiller 2 on standby; generator fuel at 60 %");
    expect(await text(incoming.getByTestId('handover-late'))).toBe('This handover is late: the shift has ended and the handover is not complete.');
    expect(await incoming.getByTestId('handover-incoming-username').inputValue()).toBe('wang');
    await incoming.getByTestId('handover-incoming-password').fill('wrong');
    await incoming.getByTestId('handover-sign-in').click();
    await expect.poll(() => text(incoming.getByTestId('handover-message')), WAIT).toBe('Wrong username or password.');
    await incoming.getByTestId('handover-incoming-password').fill('wang');
    await incoming.getByTestId('handover-sign-in').click();
    await expect.poll(() => text(incoming.getByTestId('handover-completed')), WAIT).toMatch(/^Handover completed: Duty Li → Duty Wang at /);
    // Completed: no "late, not complete" beside it any more.
    expect(await incoming.getByTestId('handover-late').count()).toBe(0);

    // No refresh needed: the outgoing console hears the completion live.
    await expect.poll(() => text(outgoing.getByTestId('handover-completed')), WAIT).toMatch(/^Handover completed: Duty Li → Duty Wang/);
    const kinds = gw.gateway.dutyLog.list({ limit: 20 }).map((e) => `${e.kind} ${e.username ?? ''}`.trim());
    expect(kinds.filter((k) => k.startsWith('handover.')).reverse()).toEqual(['handover.refused duty', 'handover.arrived wang', 'handover.outgoingSigned duty', 'handover.completed wang']);
    await incoming.screenshot({ path: '/tmp/console-handover.png', fullPage: true });
    expect(errors, errors.join("\n")).toEqual([]);
  });

  it('the shift report shows the handover and prints in Chinese with a CJK font', async () => {
    await outgoing.evaluate(() => localStorage.setItem('roomwatch.lang', 'zh-CN'));
    await outgoing.reload();
    await outgoing.getByTestId('board').waitFor(WAIT);
    await outgoing.getByTestId('nav-report').click(WAIT);
    // Right after the reload the page may still be settling (language, first fetches): ask again until it answers.
    const show = async (): Promise<string> => {
      await outgoing.getByTestId('report-date').fill('2026-11-23');
      await outgoing.getByTestId('report-shift').selectOption('day');
      await outgoing.getByTestId('report-show').click();
      await outgoing.waitForTimeout(200);
      return text(outgoing.getByTestId('report-body'));
    };
    await expect.poll(show, WAIT).toContain('测试大厦 — 2026年11月23日 白班值班报告');
    expect(await text(outgoing.getByTestId('report-handover'))).toMatch(/^交接完成：Duty Li → Duty Wang/);
    await outgoing.emulateMedia({ media: 'print' });
    expect(await outgoing.locator('nav.nav').isVisible()).toBe(false);
    const pdf = (await outgoing.pdf({ format: 'A4' })).toString('latin1');
    // The Chinese text is set in a CJK font embedded in the PDF (fonts-wqy-microhei on Debian).
    expect(pdf).toMatch(/\/BaseFont\s*\/[A-Z]{6}\+WenQuanYi/);
  });

  it('at 03:00 the night officer\'s duty log opens on the page of the day the night began, and the note lands there (S2)', async () => {
    clock.set(shanghai('2026-11-24T03:00'));
    // A console takes the gateway's time when it loads (and once a minute): as a PC left open overnight would have.
    await incoming.reload();
    await incoming.getByTestId('board').waitFor(WAIT);
    await incoming.getByTestId('nav-journal').click();
    await expect.poll(() => incoming.getByTestId('journal-date').inputValue(), WAIT).toBe('2026-11-23');
    await incoming.getByTestId('note-category').selectOption('other');
    await incoming.getByTestId('note-situation').fill('03:00 round: pump room B2 dry');
    await incoming.getByTestId('note-submit').click();
    const night = incoming.getByTestId('journal-page-night');
    await expect.poll(() => text(night), WAIT).toContain('03:00 round: pump room B2 dry');
    expect(await text(night.locator('h3'))).toBe('Nov 23 Night 17:30:00 – 08:30:00');
    // The same day's pages: the handover of the afternoon is on its day page.
    expect(await text(incoming.getByTestId('journal-page-day'))).toContain('Duty Li → Duty Wang');
  });
});
