// The historian telling the truth about loss in the console (issue 17), real chromium against a real in-process
// gateway writing to a real influxd that is down, with a small outbox bound: the header says in plain words that
// readings are being LOST, how many and which; the historian alarm is on the board and the duty log has the
// episode's start; after InfluxDB is back and the outbox has drained, the header is gone and the duty log says
// how many readings were lost and taken between when and when. Both languages.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { routes, type AlarmView, type HistorianStatusView } from '../../src/contract/api.ts';
import { HISTORIAN_ALARM_KEY } from '../../src/alarms/alarm-service.ts';
import { chromiumPart, consolePage, launchChromium, textOf } from '../helpers/browser.ts';
import { api, login } from '../helpers/console-client.ts';
import { startTestGateway, testSiteYaml, type TestGateway } from '../helpers/gateway.ts';
import { influxdAvailable, startInfluxd, type RunningInfluxd } from '../helpers/influxd.ts';
import { realPart } from '../helpers/real-parts.ts';
import { waitFor } from '../helpers/wait.ts';

const influxPart = realPart('influxd', influxdAvailable(), 'apt-get install influxdb');
const WAIT = { timeout: 60_000, interval: 250 };

describe.skipIf(chromiumPart().skip || influxPart.skip)('historian loss in the console (real influxd, chromium)', () => {
  let influxd: RunningInfluxd;
  let gw: TestGateway;
  let browser: Browser;
  let page: Page;
  let cookie: string;
  const errors: string[] = [];
  const status = async (): Promise<HistorianStatusView> => (await api<HistorianStatusView>(gw.url, cookie, routes.historianStatus)).body;

  beforeAll(async () => {
    influxd = await startInfluxd();
    await influxd.halt(); // down from the start: the outbox fills at 2 readings every 200 ms
    const dataDir = mkdtempSync(join(tmpdir(), 'rw-hist-loss-'));
    const yaml = await testSiteYaml({ dataDir, extra: `historian: { influx: { url: ${JSON.stringify(influxd.url)}, database: rw_loss, flushIntervalMs: 100, outboxMaxPoints: 20 } }` });
    gw = await startTestGateway({ yaml, dataDir });
    cookie = (await login(gw.url, 'duty', 'duty')).cookie;
    browser = await launchChromium();
    // While InfluxDB is down the board's trend panel gets 503s (chromium logs each as a console error); page
    // errors (exceptions in the console's code) are still collected.
    page = await consolePage(browser, gw.url, 'duty', 'duty', errors, { consoleErrors: false });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await gw?.dispose();
    await influxd?.stop();
  });

  it('says in the header that readings are being lost, raises the historian alarm and logs the episode', { timeout: 120_000 }, async () => {
    const header = page.getByTestId('historian-status');
    await expect.poll(() => header.getAttribute('data-state'), WAIT).toBe('dropping');
    const s = await status();
    expect(s.dropping).toMatchObject({ endedAt: null, what: 'oldestRaw' });
    expect(s.dropping!.count).toBeGreaterThan(0);
    // Plain words, not a tooltip: LOST, how many, since when, which readings, what is still kept.
    // The board's trend panel says why it has no chart (503, not an internal error).
    await expect.poll(() => textOf(page.getByTestId('trend-body')), WAIT).toMatch(/history database does not answer/);
    expect(await textOf(header)).toMatch(/^History database down, disk buffer full: [\d,]+ readings LOST since .+ \(the oldest readings are discarded\); \d+ kept on disk$/);

    // The historian's own alarm (A8) is on the board, and the duty log has the start of the episode.
    const alarm = await waitFor(async () => (await api<AlarmView[]>(gw.url, cookie, routes.alarms)).body.find((a) => a.condition === 'historianLoss') ?? null, 'the historian alarm');
    expect(alarm).toMatchObject({ pointKey: HISTORIAN_ALARM_KEY, priority: 'high', rule: 'A8', state: 'unack_active' });
    const row = page.getByTestId(`alarm-row-${alarm.id}`);
    await expect.poll(() => textOf(row.getByTestId('alarm-condition')), WAIT).toBe('History readings lost');
    expect(await textOf(row.getByTestId('alarm-value'))).toMatch(/^[\d,]+ readings lost$/);
    const started = page.getByTestId('duty-log').locator('[data-kind="historian.dropsStarted"] .log-text');
    await expect.poll(() => textOf(started), WAIT).toContain('History buffer on disk full: readings are being lost from now on (the oldest readings are discarded)');

    await page.getByTestId('lang-switch').selectOption('zh-CN');
    await expect.poll(() => textOf(header), WAIT).toMatch(/^历史库中断且本机暂存已满：自 .+ 起已丢失 [\d,]+ 条读数（最早的读数被丢弃）；本机暂存 \d+ 条$/);
    await page.getByTestId('lang-switch').selectOption('en');
  });

  it('after recovery hides the header, clears the alarm and logs how many readings were lost, taken when', { timeout: 120_000 }, async () => {
    await influxd.restart();
    const header = page.getByTestId('historian-status');
    await expect.poll(() => header.isHidden(), WAIT).toBe(true);
    const s = await status();
    expect(s).toMatchObject({ state: 'ok', dropping: null, lastError: null });
    const ended = page.getByTestId('duty-log').locator('[data-kind="historian.dropsEnded"] .log-text');
    await expect.poll(() => textOf(ended), WAIT).toMatch(/^History buffer drained: [\d,]+ readings were lost, taken between .+ and .+$/);
    // The count in the duty log is the durable total of the episode (the status counts all episodes).
    const lost = Number(/drained: ([\d,]+) readings/.exec(await textOf(ended))![1]!.replace(/,/g, ''));
    expect(lost).toBe(s.dropped);
    const alarm = (await api<AlarmView[]>(gw.url, cookie, routes.alarms)).body.find((a) => a.condition === 'historianLoss');
    expect(alarm).toMatchObject({ state: 'rtn_unack', value: lost }); // cleared, still to be acknowledged (ISA-18.2)
  });

  it('raised no page errors', () => {
    expect(errors).toEqual([]);
  });
});
