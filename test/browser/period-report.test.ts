// The supervisor's month in the browser (M1, issue 16): `super` opens November's report on a site with a generated
// month of data, in English and in Chinese; the figures on the page are checked against values computed from the
// raw generated data (test/helpers/month-expected.ts), each CSV is downloaded and holds the page's rows, the
// meeting record is signed on the page, and the printed PDF has the text, page numbers, signature lines and the
// CJK font embedded (pdftotext / pdffonts from poppler-utils). A duty officer has no such page.
import { execFileSync } from 'node:child_process';
import { readFileSync, mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { REPORT_TABLES } from '../../src/contract/api.ts';
import { chromiumPart, consolePage, launchChromium, textOf } from '../helpers/browser.ts';
import { realPart } from '../helpers/real-parts.ts';
import { TEMP, NOV } from '../helpers/month-data.ts';
import { alarmFigures, complianceFigures, exceedance, october, patrolSeries, pointFigures, pumpFigures } from '../helpers/month-expected.ts';
import { startMonthSite, type MonthSite } from '../helpers/month-site.ts';

const part = chromiumPart();
const poppler = realPart('pdftotext', (() => { try { execFileSync('pdftotext', ['-v'], { stdio: 'ignore' }); return true; } catch { return false; } })(), 'apt-get install poppler-utils');
const WAIT = { timeout: 30_000, interval: 200 };
const r2 = (n: number): string => String(Number(n.toFixed(2)));

describe.skipIf(part.skip)('the supervisor\'s month in the browser (M1)', () => {
  let site: MonthSite;
  let browser: Browser;
  let page: Page;
  const errors: string[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'rw-period-pdf-'));

  beforeAll(async () => {
    site = await startMonthSite();
    browser = await launchChromium();
    page = await consolePage(browser, site.gw.url, 'super', 'super', errors, { timezoneId: 'Asia/Shanghai' });
  }, 240_000);
  afterAll(async () => {
    await browser?.close();
    await site?.gw.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  /** The cells of a table's rows on the page. */
  const rowsOf = (table: string): Promise<string[][]> =>
    page.getByTestId(`period-${table}`).locator('tbody tr').evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent ?? '')));
  const rowNamed = async (table: string, first: string): Promise<string[]> => (await rowsOf(table)).find((r) => r[0] === first) ?? [];

  async function openNovember(): Promise<void> {
    await page.getByTestId('nav-period').click();
    await page.getByTestId('period-key').fill('2026-11');
    await page.getByTestId('period-show').click();
    await expect.poll(() => textOf(page.getByTestId('period-heading')), WAIT).toContain('2026-11');
  }

  it('shows November\'s figures, as computed from the raw generated data', { timeout: 120_000 }, async () => {
    await openNovember();
    expect(await textOf(page.getByTestId('period-heading'))).toBe('Test Tower — whole site: monthly report 2026-11');
    const nov = pointFigures(TEMP, NOV);
    const temp = (await rowsOf('comparison')).find((r) => r[1]!.endsWith('Temperature'))!;
    expect(temp.slice(3, 11)).toEqual([r2(nov.min), r2(nov.max), r2(nov.mean), r2(october(TEMP).min), r2(october(TEMP).max), r2(october(TEMP).mean), '35', '40']);

    const [high, highHigh] = [exceedance(35), exceedance(40)];
    const ex = await rowsOf('exceedances');
    expect(ex.map((r) => [r[0], r[3], r[4], r[5], r[6]])).toEqual([
      ['1', 'High 35 °C', String(high.minutes), String(high.excursions), `${high.worst} °C`],
      ['2', 'High-high 40 °C', String(highHigh.minutes), String(highHigh.excursions), `${highHigh.worst} °C`],
    ]);

    const a = alarmFigures(site.records);
    // Beside each figure, October's (the previous month): no alarms were recorded in October.
    expect(await rowNamed('alarmKpis', 'Alarms raised')).toEqual(['Alarms raised', String(a.raised), '0']);
    expect(await page.getByTestId('period-alarmKpis').locator('thead th').last().textContent()).toBe('Previous period (2026-10)');
    expect((await rowNamed('alarmKpis', 'Alarms per operator per 10 min, peak'))[1]).toBe(String(a.peak));
    expect((await rowNamed('alarmKpis', 'Alarms per operator per 10 min, average (1 position)'))[1]).toBe(r2(a.avg));
    expect((await rowNamed('alarmKpis', '10-min periods in flood (> 10 alarms): share (in flood / periods)'))[1]).toBe(`${r2((a.floodPeriods / a.periods) * 100)} % (${a.floodPeriods}/${a.periods})`);
    expect((await rowNamed('alarmKpis', 'Fleeting alarms (back to normal < 10 s)'))[1]).toBe(String(a.fleeting));
    expect((await rowNamed('alarmKpis', 'Shelved time, minutes (shelves)'))[1]).toBe(`${a.shelvedMinutes} (2)`);
    for (const p of a.byPriority) {
      const label = { critical: 'Critical', high: 'High', medium: 'Medium', low: 'Low' }[p.priority];
      expect(await rowNamed('responseTimes', label)).toEqual([label, String(p.count), ...[p.ackMedian, p.ackP90, p.clearMedian, p.clearP90].map((v) => (v === null ? '' : r2(v)))]);
    }

    const pump = pumpFigures(site.records);
    expect((await rowsOf('equipment'))[0]!.slice(2)).toEqual([String(pump.starts), r2(pump.runHours), r2(pump.counterHours)]);
    expect((await rowsOf('faults')).map((r) => [r[2], r[3]])).toEqual([['57 Dry running', '3'], ['48 Overload', '1']]);
    const c = complianceFigures(site.records);
    expect((await rowsOf('patrols'))[0]!.slice(1)).toEqual(['B1 shift patrol', ...[c.patrols.due, c.patrols.done, c.patrols.late, c.patrols.missed, c.patrols.checklistFailed].map(String)]);
    for (const [label, value] of [['Handovers on time', c.handovers.onTime], ['Handovers late', c.handovers.late], ['Handovers not recorded', c.handovers.missing], ['Handovers refused', c.handovers.refused], ['Days signed off', c.signed]] as const) {
      expect((await rowNamed('compliance', label)).slice(0, 2)).toEqual([label, String(value)]);
    }
    expect(await textOf(page.getByTestId('period-previous-plan'))).toBe(site.records.previousPlan);
    // Patrol readings as their own series (P1) and the checklist per item (P4), from the generated rounds.
    const patrol = patrolSeries(site.records, NOV);
    expect(await rowsOf('patrolReadings')).toEqual([['Distribution room B1', 'B1 shift patrol', 'Energy meter', 'kWh', String(patrol.meter!.count), r2(patrol.meter!.min), r2(patrol.meter!.max), r2(patrol.meter!.mean), '', '', '']]);
    expect(await rowsOf('patrolChecklist')).toEqual([['Distribution room B1', 'B1 shift patrol', 'Room clean', ...[patrol.checklist.answered, patrol.checklist.passed, patrol.checklist.failed].map(String), patrol.checklist.failedDays.join(' ')]]);
    expect(await rowsOf('patrolReadingDays')).toHaveLength(patrol.days.length);
    // The temperature with R1's limits drawn, and the energy meter read on patrol.
    expect(await page.locator('.period-chart').count()).toBe(2);
    expect(await page.getByTestId('period-patrol-charts').getByRole('img').getAttribute('aria-label')).toBe('B1 shift patrol · Energy meter');
  });

  it('a state point reads as its states, with no mean: the running pump\'s control mode this month', { timeout: 60_000 }, async () => {
    await page.getByTestId('period-key').fill('2026-12');
    await page.getByTestId('period-show').click();
    await expect.poll(() => textOf(page.getByTestId('period-heading')), WAIT).toContain('2026-12');
    // The pump polled since the gateway started (December 3rd on the site's clock): not "5 5 5".
    const mode = async () => (await rowsOf('comparison')).find((r) => r[1]!.endsWith('Control mode'))?.slice(3, 6);
    await expect.poll(mode, WAIT).toEqual(['5 Constant differential pressure', '5 Constant differential pressure', '—']);
    await openNovember();
  });

  it('downloads each table as CSV with the rows the page shows', { timeout: 120_000 }, async () => {
    // Each link is followed in a tab of its own (the same session): Chromium throttles a run of downloads from one
    // tab (its download request limiter), which made clicking fourteen links in a row flaky.
    for (const table of REPORT_TABLES) {
      const href = await page.getByTestId(`csv-${table}`).first().getAttribute('href');
      expect(href, table).toMatch(new RegExp(`^/api/period-report/${table}\\.csv\\?period=2026-11&lang=en$`));
      const tab = await page.context().newPage();
      const [download] = await Promise.all([tab.waitForEvent('download'), tab.goto(new URL(href!, site.gw.url).href).catch(() => undefined)]);
      const file = join(dir, `${table}.csv`);
      await download.saveAs(file);
      const lines = readFileSync(file, 'utf8').replace(/^\uFEFF/, '').trimEnd().split('\r\n').slice(1);
      const onPage = await rowsOf(table);
      // The page's cells joined as the CSV writes them (no cell here holds a comma or a quote except the reasons).
      expect(lines.length, table).toBe(onPage.length);
      expect(lines.map((l) => l.replace(/"/g, '')), table).toEqual(onPage.map((r) => r.join(',')));
      await tab.close();
    }
  });

  it('the supervisor signs the meeting record on the report', { timeout: 60_000 }, async () => {
    await page.getByTestId('meeting-notes').fill('B1 ran hot on three afternoons; ventilation checked.');
    await page.getByTestId('meeting-plan').fill('Service the B1 air conditioner before the 15th');
    await page.getByTestId('meeting-sign').click();
    await expect.poll(() => textOf(page.getByTestId('period-meeting-record')), WAIT).toContain('Signed by Supervisor Sun at 2026-12-03 10:00');
    expect(await textOf(page.getByTestId('period-meeting-record'))).toContain('Service the B1 air conditioner before the 15th');
  });

  it.skipIf(poppler.skip)('prints to PDF with its text, page numbers and signature lines', { timeout: 120_000 }, async () => {
    await page.emulateMedia({ media: 'print' });
    const file = join(dir, 'month-en.pdf');
    writeFileSync(file, await page.pdf({ format: 'A4' }));
    await page.emulateMedia({ media: 'screen' });
    const text = execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' });
    expect(text).toContain('Test Tower — whole site: monthly report 2026-11');
    expect(text).toContain('Exceedances (ranked)');
    expect(text).toContain('Patrol checklist results per item (P4)');
    expect(text).toContain('B1 shift patrol · Energy meter'); // the patrol reading's chart
    expect(text).toContain('Previous period (2026-10)');
    expect(text).toMatch(/Supervisor: _+\s+Date: _+/);
    const pages = Number(/Pages:\s+(\d+)/.exec(execFileSync('pdfinfo', [file], { encoding: 'utf8' }))![1]);
    expect(pages).toBeGreaterThan(1);
    // The page numbers from the print CSS's @page margin box (pdftotext may drop the spaces around the slash).
    expect(text).toMatch(new RegExp(`\\b1\\s*/\\s*${pages}\\b`));
    expect(text).toMatch(new RegExp(`\\b${pages}\\s*/\\s*${pages}\\b`));
  });

  it.skipIf(poppler.skip)('in Chinese: the same figures, printed with the CJK font embedded', { timeout: 120_000 }, async () => {
    await page.evaluate(() => localStorage.setItem('roomwatch.lang', 'zh-CN'));
    await page.reload();
    await page.getByTestId('board').waitFor();
    await openNovember();
    expect(await textOf(page.getByTestId('period-heading'))).toBe('测试大厦 — 全站：2026-11 月度报告');
    const a = alarmFigures(site.records);
    expect(await rowNamed('alarmKpis', '报警总数')).toEqual(['报警总数', String(a.raised), '0']);
    expect((await rowsOf('patrolChecklist'))[0]!.slice(1, 3)).toEqual(['B1 每班巡检', '机房整洁']);
    expect((await rowsOf('exceedances'))[0]!.slice(3, 6)).toEqual(['高限 35 °C', String(exceedance(35).minutes), String(exceedance(35).excursions)]);
    expect(await textOf(page.getByTestId('period-meeting-record'))).toContain('Service the B1 air conditioner before the 15th');
    await page.emulateMedia({ media: 'print' });
    const file = join(dir, 'month-zh.pdf');
    writeFileSync(file, await page.pdf({ format: 'A4' }));
    const text = execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' });
    expect(text).toContain('月度报告');
    expect(text).toContain('超限（按时长排序）');
    expect(text).toContain('巡检检查项结果（P4）');
    const fonts = execFileSync('pdffonts', [file], { encoding: 'utf8' });
    // pdffonts columns: name type encoding emb sub uni; the CJK font is embedded (a subset).
    expect(fonts).toMatch(/[A-Z]{6}\+WenQuanYi\S*\s+.*\s+yes\s+yes\s+/);
    expect(errors, errors.join('\n')).toEqual([]);
  });

  it('a duty officer has no period report page, and the API refuses them', { timeout: 60_000 }, async () => {
    const duty = await consolePage(browser, site.gw.url, 'duty', 'duty', errors, { timezoneId: 'Asia/Shanghai', consoleErrors: false });
    expect(await duty.getByTestId('nav-report').count()).toBe(1);
    expect(await duty.getByTestId('nav-period').count()).toBe(0);
    const status = await duty.evaluate(async () => (await fetch('/api/period-report?period=2026-11')).status);
    expect(status).toBe(403);
    await duty.context().close();
  });
});
