// Trend charts in a real chromium against a real gateway with the embedded history store (issue 6): the
// distribution room's temperature over the last hour is drawn by uPlot with data, the R1 limits as lines
// and the alarm period shaded; the historian indicator stays hidden while history is healthy.
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser, type Page } from 'playwright-core';
import { routes, type AlarmView, type TrendView } from '../../src/contract/api.ts';
import { api, login } from '../helpers/console-client.ts';
import { startTestGateway, testSiteYaml, type TestGateway } from '../helpers/gateway.ts';
import { freePort } from '../helpers/ports.ts';
import { realPart } from '../helpers/real-parts.ts';
import { waitFor } from '../helpers/wait.ts';
import { textOf } from '../helpers/browser.ts';
import { silentLogger } from '../../src/core/logger.ts';
import { openLocalHistory } from '../../src/sinks/historian/local-history.ts';
import { RETENTION_DEFAULTS } from '../../src/sinks/historian/influx-retention.ts';

const CHROMIUM = '/usr/bin/chromium';
const chromiumPart = realPart('chromium', existsSync(CHROMIUM), 'apt-get install chromium');
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const TEMP = 'dist-b1-th1.temperature';

async function logIn(p: Page, url: string): Promise<void> {
  await p.goto(url);
  await p.getByTestId('login-username').fill('duty');
  await p.getByTestId('login-password').fill('duty');
  await p.getByTestId('login-submit').click();
}

describe.skipIf(chromiumPart.skip)('trend charts in chromium', () => {
  let gw: TestGateway;
  let browser: Browser;
  let page: Page;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    gw = await startTestGateway();
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
    const context = await browser.newContext({ viewport: { width: 1400, height: 1800 }, locale: 'en-US', timezoneId: 'UTC' });
    page = await context.newPage();
    page.on('pageerror', (err) => pageErrors.push(String(err)));
  });

  afterAll(async () => {
    await browser?.close();
    await gw?.dispose();
  });

  it('draws the room\'s temperature with its limits and the alarm period shaded', { timeout: 90_000 }, async () => {
    // History with an alarm in it: 41.5 °C raises R1 (high and high-high), then back to normal.
    const { cookie } = await login(gw.url, 'duty', 'duty');
    gw.simulators.get('dist-b1-th1')!.set('temperature', 41.5);
    await waitFor(async () => (await api<AlarmView[]>(gw.url, cookie, routes.alarms)).body.length === 2, 'the R1 alarms');
    gw.simulators.get('dist-b1-th1')!.set('temperature', 30);
    // The trend API has the readings (and rejects a request without a session: deny by default).
    expect((await fetch(`${gw.url}${routes.trends}?points=${TEMP}`)).status).toBe(401);
    await waitFor(async () => {
      const v = (await api<TrendView>(gw.url, cookie, `${routes.trends}?points=${TEMP}`)).body;
      return v.series[0]!.value.includes(30) && v.alarms.length >= 2;
    }, 'raw readings and alarm periods in the trend API');

    await logIn(page, gw.url);
    await page.getByTestId('trend-range-hour').click();
    const chart = page.getByTestId(`trend-${TEMP}`);
    await chart.waitFor({ timeout: 15_000 });
    // The chart is drawn from the answer it got; wait for the one with both readings and both alarm periods.
    await waitFor(async () => Number(await chart.getAttribute('data-values')) >= 2 && Number(await chart.getAttribute('data-alarm-periods')) >= 2, 'the readings (41.5 and 30 at least) and the alarm periods drawn');
    expect(await page.getByTestId('trend-body').getAttribute('data-resolution')).toBe('raw');
    // R1 limits of the test site: high 35 and high-high 40, both inside the drawn range.
    await waitFor(async () => (await chart.getAttribute('data-limit-lines')) === '2', 'two limit lines drawn');
    // uPlot drew on a canvas: some pixels are not blank.
    const inked = await chart.locator('canvas').evaluate((c: HTMLCanvasElement) => {
      const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
      let n = 0;
      for (let i = 3; i < d.length; i += 4) if (d[i]! > 0) n++;
      return n;
    });
    expect(inked).toBeGreaterThan(1000);
    expect(await page.getByTestId('historian-status').isHidden()).toBe(true);

    // Issue 15: the device names the chart; the legend says what the lines and the shading are.
    const device = gw.site.devices.find((d) => d.config.id === 'dist-b1-th1')!;
    expect(await chart.locator('.u-title').textContent()).toBe(`${device.name.en} · Temperature (°C)`);
    expect(await textOf(page.getByTestId(`trend-legend-limit-high`))).toBe('High limit 35 °C');
    expect(await textOf(page.getByTestId(`trend-legend-limit-highHigh`))).toBe('High-high limit 40 °C');
    expect(await textOf(page.getByTestId(`trend-legend-${TEMP}`))).toContain('Alarm active (until the value returned to normal)');
    // The shading ends where the value returned to normal (30 °C), although nobody has acknowledged yet.
    const periods = (await api<TrendView>(gw.url, cookie, `${routes.trends}?points=${TEMP}`)).body.alarms;
    expect(periods.length).toBeGreaterThanOrEqual(2);
    for (const p of periods) expect(p.to, `${p.condition} ends`).not.toBeNull();
    // The value under the cursor, with its time in the site's clock.
    const readout = page.getByTestId(`trend-readout-${TEMP}`);
    expect(await textOf(readout)).toBe('Point at the chart to read a value.');
    const over = chart.locator('.u-over');
    const box = (await over.boundingBox())!;
    await over.hover({ position: { x: box.width - 3, y: box.height / 2 } });
    await expect.poll(() => textOf(readout), { timeout: 15_000, interval: 100 }).toMatch(/^[A-Z][a-z]{2} \d{1,2}, \d\d:\d\d:\d\d\s+\d+(\.\d+)? °C$/);

    // The month view includes the hour in progress: a site started minutes ago is not empty.
    await page.getByTestId('trend-range-month').click();
    await waitFor(async () => (await page.getByTestId('trend-body').getAttribute('data-resolution')) === '1h', 'the month in hourly rollups');
    expect(Number(await page.getByTestId(`trend-${TEMP}`).getAttribute('data-values'))).toBe(1);

    // Days picked on the calendar: a first day after the last is refused in words; today is shown.
    await page.getByTestId('trend-from').fill('2099-01-02');
    await page.getByTestId('trend-to').fill('2099-01-01');
    await page.getByTestId('trend-range-dates').click();
    await waitFor(async () => (await textOf(page.getByTestId('trend-body'))) === 'The first day must not be after the last.', 'the refusal of a reversed range');
    const today = await page.getByTestId('trend-to').getAttribute('max');
    await page.getByTestId('trend-from').fill(today!);
    await page.getByTestId('trend-to').fill(today!);
    await page.getByTestId('trend-range-dates').click();
    await waitFor(async () => (await page.getByTestId('trend-body').getAttribute('data-state')) === 'ready' && (await page.getByTestId(`trend-${TEMP}`).count()) === 1, 'today on the chart');
    expect(await page.getByTestId('trend-range-dates').getAttribute('aria-pressed')).toBe('true');

    // And in Chinese.
    await page.locator('select.lang-switch').selectOption('zh-CN');
    await page.getByTestId('trend-range-hour').click();
    await waitFor(async () => (await textOf(page.getByTestId('trend-legend-limit-highHigh'))) === '高高限 40 °C', 'the legend in Chinese');
    expect(await textOf(page.getByTestId(`trend-legend-${TEMP}`))).toContain('告警持续时段（至数值恢复正常）');
    await page.getByTestId('trends').screenshot({ path: '/tmp/trends-zh.png' });
    expect(await page.getByTestId(`trend-${TEMP}`).locator('.u-title').textContent()).toBe(`${device.name['zh-CN']} · 温度 (°C)`);
    expect(pageErrors).toEqual([]);
  });

  it('shows duty staff an InfluxDB outage in the header while it lasts', { timeout: 90_000 }, async () => {
    // InfluxDB configured on a port where nothing listens: an outage from the start.
    const deadPort = await freePort();
    const dataDir = mkdtempSync(join(tmpdir(), 'rw-outage-'));
    const yaml = await testSiteYaml({ dataDir, extra: `historian:\n  influx: { url: http://127.0.0.1:${deadPort}, database: roomwatch }\n` });
    const down = await startTestGateway({ yaml, dataDir });
    try {
      const p = await browser.newPage();
      p.on('pageerror', (err) => pageErrors.push(String(err)));
      await logIn(p, down.url);
      const badge = p.getByTestId('historian-status');
      await waitFor(async () => (await badge.getAttribute('data-state')) === 'down' && (await badge.isVisible()), 'the historian badge to show the outage', 30_000);
      // It says the readings are kept, and how many wait (the count grows as the poller runs).
      await waitFor(async () => /History database down: [1-9]\d* readings kept on disk/.test((await badge.textContent()) ?? ''), 'a non-zero outbox count', 30_000);
      await p.close();
    } finally {
      await down.dispose();
    }
  });

  it('draws a day of 1-minute rollups with the min-max band', { timeout: 90_000 }, async () => {
    // A day of history from before this start, in the embedded store the gateway opens.
    const dataDir = mkdtempSync(join(tmpdir(), 'rw-day-'));
    const store = openLocalHistory(dataDir, silentLogger, RETENTION_DEFAULTS);
    const now = Date.now();
    // The day view asks for the 24 h before *its* now, minutes later on a loaded machine: the history starts ten
    // minutes inside that window so its first minute is not already out of it when the page asks.
    const start = Math.floor((now - 86_400_000) / 60_000) * 60_000 + 10 * 60_000;
    const rollups = [];
    for (let t = start; t < now - 60_000; t += 60_000) {
      rollups.push({ resolution: '1m' as const, pointKey: TEMP, roomId: 'dist-room-b1', deviceId: 'dist-b1-th1', point: 'temperature', start: t, min: 24, max: 28, mean: 26, last: 26, count: 60 });
    }
    store.writeRollups(rollups);
    store.close();
    const startedAt = Date.now();
    const day = await startTestGateway({ dataDir, yaml: await testSiteYaml({ dataDir }) });
    try {
      const p = await browser.newPage();
      p.on('pageerror', (err) => pageErrors.push(String(err)));
      await logIn(p, day.url);
      await p.getByTestId('trend-range-day').click();
      await waitFor(async () => (await p.getByTestId('trend-body').getAttribute('data-resolution')) === '1m', 'the day view in 1-minute rollups');
      const chart = p.getByTestId(`trend-${TEMP}`);
      // The day written, plus the minutes the gateway recorded itself from its simulated sensor: one for each minute
      // boundary it has passed since it started, and the minute in progress once it has read (the trend reaches now,
      // test/integration/history-contract.test.ts).
      const own = Number(await chart.getAttribute('data-values')) - rollups.length;
      expect(own).toBeGreaterThanOrEqual(0);
      expect(own).toBeLessThanOrEqual(Math.floor(Date.now() / 60_000) - Math.floor(startedAt / 60_000) + 1);
      expect(await chart.getAttribute('data-limit-lines')).toBe('2');
      await p.close();
      expect(pageErrors).toEqual([]);
    } finally {
      await day.dispose();
    }
  });
});
