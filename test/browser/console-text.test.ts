// Every page, dialog and the printed shift report of the demo site, in both languages, with a shift's record
// (R1 alarm raised, acknowledged and shelved; fire alarm dispatched, classified, reset (A4); handover refused
// (S5); patrol round (P1); playbook step (E2); a note (L1); an incident resolved (S5/S7); a fire-input tag
// approved (A6)), read as the duty officer sees them: no `{placeholder}`, no raw id or code, no ISO time, no
// username, no word of the other language (issue 15).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { TestGateway } from '../helpers/gateway.ts';
import { chromiumPart, consolePage, launchChromium } from '../helpers/browser.ts';
import { SEED_FREE_TEXT, seedDemoRecord, startDemoGateway } from '../helpers/demo-site.ts';
import { recordOffences, type Lang } from '../helpers/record-text.ts';

const WAIT = { timeout: 20_000 };

/** The visible text and the labels a person reads (placeholders, tooltips) of what is shown now. */
const seen = (page: Page): Promise<string> =>
  page.evaluate(() => {
    // The language picker names each language in itself ("中文", "English"), on purpose.
    const picker = document.querySelector<HTMLElement>('select.lang-switch');
    if (picker) picker.style.display = 'none';
    const labels = [...document.querySelectorAll<HTMLElement>('[placeholder], [title]')]
      .filter((el) => el.offsetParent !== null)
      .map((el) => `${el.getAttribute('placeholder') ?? ''} ${el.getAttribute('title') ?? ''}`);
    const text = `${document.body.innerText}\n${labels.join('\n')}`;
    if (picker) picker.style.display = '';
    return text;
  });

/** The pages of the navigation and what shows that each has loaded. */
const PAGES: { id: string; ready: (page: Page) => Promise<void> }[] = [
  { id: 'board', ready: (p) => p.getByTestId('duty-log').locator('li').first().waitFor(WAIT) },
  // The duty-log page shows the day's whole record: the note, the refused handover, the shelving.
  { id: 'journal', ready: async (p) => { for (const kind of ['note.added', 'note.resolved', 'device.tagApproved', 'handover.refused', 'alarm.shelved', 'playbook.step', 'patrol.done', 'alarm.classified']) await p.getByTestId('journal-pages').locator(`[data-kind="${kind}"]`).first().waitFor(WAIT); } },
  { id: 'history', ready: (p) => p.locator('[data-testid^="history-row-"]').first().waitFor(WAIT) },
  { id: 'handover', ready: (p) => p.getByTestId('handover-alarms').waitFor(WAIT) },
  { id: 'playbooks', ready: (p) => p.getByTestId('playbook-list').locator('[data-testid^="step-done-"]').first().waitFor(WAIT) },
  { id: 'roster', ready: (p) => p.locator('[data-testid^="cell-"]').first().waitFor(WAIT) },
  { id: 'patrols', ready: (p) => p.locator('[data-testid^="patrol-open-"]').first().waitFor(WAIT) },
  { id: 'entries', ready: (p) => p.getByTestId('entry-submit').waitFor(WAIT) },
  { id: 'report', ready: (p) => p.getByTestId('report-alarms').locator('li').first().waitFor(WAIT) },
];

describe.skipIf(chromiumPart().skip)('what the console shows reads in words, in both languages (issue 15)', () => {
  let gw: TestGateway;
  let browser: Browser;
  let page: Page;
  const errors: string[] = [];

  beforeAll(async () => {
    gw = await startDemoGateway();
    await seedDemoRecord(gw);
    browser = await launchChromium();
    page = await consolePage(browser, gw.url, 'lead', 'lead', errors, { width: 1920, height: 1080, timezoneId: 'Asia/Shanghai', acceptDialogs: true });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await gw?.dispose();
  });

  const check = (lang: Lang, where: string, text: string): string[] => recordOffences(text, { lang, site: gw.site, freeText: SEED_FREE_TEXT }).map((o) => `${lang} ${where}: ${o}`);

  async function useLang(lang: Lang): Promise<void> {
    await page.evaluate((l) => localStorage.setItem('roomwatch.lang', l), lang);
    await page.reload();
    await page.getByTestId('board').waitFor(WAIT);
  }

  for (const lang of ['zh-CN', 'en'] as const) {
    it(`every page and the printed report in ${lang}`, async () => {
      await useLang(lang);
      const offences: string[] = [];
      for (const p of PAGES) {
        await page.getByTestId(`nav-${p.id}`).click();
        await p.ready(page);
        offences.push(...check(lang, p.id, await seen(page)));
      }
      // The report as printed (the report page is open).
      await page.emulateMedia({ media: 'print' });
      const printed = await seen(page);
      await page.emulateMedia({ media: 'screen' });
      offences.push(...check(lang, 'printed report', printed));
      // What the tests seeded is there to be checked: the record is not empty.
      expect(printed).toContain(SEED_FREE_TEXT[0]);
      expect(offences, offences.join('\n')).toEqual([]);
    }, 120_000);

    it(`every dialog of the board in ${lang}`, async () => {
      await useLang(lang);
      await page.getByTestId('nav-board').click();
      const offences: string[] = [];
      const buttons = page.locator(['shelve', 'ack', 'tag', 'reset', 'dispatch', 'classify'].map((k) => `[data-testid^="${k}-button-"]:visible`).join(', '));
      const ids = await buttons.evaluateAll((els) => [...new Set(els.map((e) => e.getAttribute('data-testid') ?? ''))]);
      // One of each kind of dialog: shelve (an alarm), tag (a device); more when alarms ask for them.
      const kinds = new Map(ids.map((id) => [id.replace(/-button-.*/, ''), id]));
      expect([...kinds.keys()]).toEqual(expect.arrayContaining(['shelve', 'tag']));
      for (const [kind, id] of kinds) {
        await page.getByTestId(id).first().click();
        const dialog = page.locator('dialog[open]');
        await dialog.waitFor(WAIT);
        offences.push(...check(lang, `${kind} dialog`, (await dialog.innerText()) + (await dialog.evaluate((d) => [...d.querySelectorAll('[placeholder]')].map((e) => e.getAttribute('placeholder')).join(' ')))));
        await dialog.locator('[data-testid$="-cancel"]').click();
        await dialog.waitFor({ state: 'detached', ...WAIT }).catch(() => dialog.waitFor({ state: 'hidden', ...WAIT }));
      }
      expect(offences, offences.join('\n')).toEqual([]);
    }, 120_000);
  }

  it('raised no page errors', () => {
    expect(errors).toEqual([]);
  });
});
