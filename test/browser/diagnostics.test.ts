// The console's device diagnostics page (its own tab in the navigation, issue 15) in a real chromium against a real gateway with simulated MQTT devices
// and a simulated Modbus sensor: a malformed payload shows up counted with its error, a dropped device shows
// COMM LOST (通信中断, the one term for comm loss); a Modbus exception 02 shows counted by code with its meaning and the
// configuration MISMATCH, and the configuration alarm it raises reads in the alarm list and the duty log; an RTU unit
// answering with a bad CRC shows its bad frames and its line the bytes thrown away (issue 12 §1b); in both languages.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startTestGateway, testSiteYaml, type TestGateway } from '../helpers/gateway.ts';
import { CHROMIUM, CHROMIUM_ARGS as ARGS, chromiumPart } from '../helpers/chromium.ts';
import { freePort } from '../helpers/ports.ts';

const chromiumReal = chromiumPart();
const WAIT = { timeout: 15_000, interval: 100 };

describe.skipIf(chromiumReal.skip)('device diagnostics in the console', () => {
  let gw: TestGateway;
  let browser: Browser;
  let page: Page;
  const pageErrors: string[] = [];
  let rtuPort = 0;

  beforeAll(async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'roomwatch-diag-'));
    rtuPort = await freePort();
    const yaml = (await testSiteYaml({ dataDir, extra: 'broker: { embedded: { host: 127.0.0.1, port: 0 } }\n' }))
      .replace('rooms:\n', 'rooms:\n  - { id: fire, kind: fire-control, name: { en: Fire-control room, zh-CN: 消防控制室 } }\n')
      .replace('devices:\n', `devices:
  - { id: fc-panel-1, room: fire, profile: shelly-gen2-fire-input, name: { en: Fire panel relays, zh-CN: 消防主机继电器 }, simulate: true, connection: { type: mqtt, topicId: shellyplusi4-fc01, username: fc-panel-1, password: pw-1 } }
  - { id: fc-smoke-1, room: fire, profile: z2m-smoke-sensor, name: { en: UPS room smoke, zh-CN: UPS 间感烟 }, simulate: true, connection: { type: mqtt, topicId: ups_smoke, username: z2m, password: pw-z2m } }
  - { id: dist-b1-th3, room: dist-room-b1, profile: xy-md02, pollIntervalMs: 200, simulate: true, connection: { type: rtu-over-tcp, host: 127.0.0.1, port: ${rtuPort}, unitId: 1, timeoutMs: 500 } }
`);
    gw = await startTestGateway({ yaml, dataDir });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
    const context = await browser.newContext({ viewport: { width: 1600, height: 1000 }, locale: 'en-US', timezoneId: 'UTC' });
    page = await context.newPage();
    page.on('pageerror', (err) => pageErrors.push(String(err)));
  });
  afterAll(async () => {
    await browser?.close();
    await gw?.dispose();
  });

  it('lists the MQTT devices with their counters; garbage and a dropped link show up', async () => {
    await page.goto(gw.url);
    await page.getByTestId('login-username').fill('duty');
    await page.getByTestId('login-password').fill('duty');
    await page.getByTestId('login-submit').click();
    // A visible entry point: the navigation's Diagnostics tab, not a collapsed panel below the board.
    await page.getByTestId('nav-diagnostics').click();
    expect(await page.getByTestId('diagnostics-page').locator('h2').textContent()).toBe('Device diagnostics');
    const row = page.getByTestId('mqtt-diag-fc-panel-1');
    await expect.poll(() => row.getAttribute('data-online'), WAIT).toBe('true');
    expect(await row.locator('td').first().textContent()).toBe('Fire panel relays');

    const sims = gw.gateway.mqttSimulators;
    await sims.get('fc-panel-1')!.publishGarbage();
    await sims.get('fc-smoke-1')!.goOffline();
    await expect.poll(() => row.getAttribute('data-malformed'), WAIT).toBe('1');
    expect(await row.textContent()).toContain('not JSON');
    const smoke = page.getByTestId('mqtt-diag-fc-smoke-1');
    await expect.poll(() => smoke.getAttribute('data-online'), WAIT).toBe('false');
    expect(await smoke.textContent()).toContain('COMM LOST');
    await page.screenshot({ path: '/tmp/console-mqtt-diagnostics.png' });

    await page.locator('select.lang-switch').selectOption('zh-CN');
    await expect.poll(async () => (await page.getByTestId('mqtt-diag-fc-smoke-1').textContent()) ?? '', WAIT).toContain('通信中断');
    expect(await page.getByTestId('nav-diagnostics').textContent()).toBe('设备诊断');
    expect(await page.getByTestId('diagnostics-page').locator('h2').textContent()).toBe('设备诊断');
    expect(await page.getByTestId('mqtt-diagnostics').locator('h3').textContent()).toBe('MQTT 设备');
    expect(pageErrors).toEqual([]);
  });

  it('shows a Modbus device answering exception 02: counted by code, configuration MISMATCH, and its configuration alarm', async () => {
    const sim = gw.simulators.get('dist-b1-th1')!;
    sim.setException(2);
    await page.reload(); // the language chosen above (zh-CN) and the page (#diagnostics) stay
    const row = page.getByTestId('modbus-diag-dist-b1-th1');
    await expect.poll(() => row.getAttribute('data-config'), WAIT).toBe('mismatch');
    expect(await row.getAttribute('data-exceptions')).toMatch(/^2:\d+$/);
    expect(await row.textContent()).toContain('02 非法数据地址 ×');
    expect(await row.textContent()).toContain('不符');
    expect(await page.getByTestId('modbus-diagnostics').locator('h3').textContent()).toBe('Modbus 设备');
    await page.getByTestId('nav-board').click();
    const alarm = page.locator('tr.alarm-row[data-condition="config"]');
    await expect.poll(() => alarm.count(), WAIT).toBe(1);
    expect(await alarm.getByTestId('alarm-condition').textContent()).toBe('配置与设备不符');
    const detail = 'unit 1, input register 0x0001 (temperature): Modbus exception 2: illegal data address';
    expect(await alarm.getByTestId('alarm-value').textContent()).toBe(detail);
    expect(await alarm.getAttribute('data-priority')).toBe('medium');

    await page.locator('select.lang-switch').selectOption('en');
    await page.getByTestId('nav-diagnostics').click();
    await expect.poll(async () => (await page.getByTestId('modbus-diag-dist-b1-th1').textContent()) ?? '', WAIT).toContain('02 illegal data address ×');
    expect(await page.getByTestId('modbus-diag-dist-b1-th1').textContent()).toContain('MISMATCH');
    await page.getByTestId('nav-board').click();
    const entry = page.locator('li[data-kind="alarm.raised"]', { hasText: 'Configuration mismatch' });
    await expect.poll(() => entry.count(), WAIT).toBe(1);
    expect(await entry.locator('.log-text').textContent()).toBe(`Medium alarm raised: Distribution room B1 · XY-MD02 (SHT20) temperature/humidity transmitter · Configuration mismatch: ${detail} (rule A8)`);
    await page.screenshot({ path: '/tmp/console-modbus-diagnostics.png', fullPage: true });

    sim.setException(null);
    await page.getByTestId('nav-diagnostics').click();
    await expect.poll(() => page.getByTestId('modbus-diag-dist-b1-th1').getAttribute('data-config'), WAIT).toBe('ok');
    expect(pageErrors).toEqual([]);
  });

  /** The number a person reads in `row` under the column headed `header` of the same table. */
  const countUnder = async (row: string, header: string): Promise<number> => {
    const table = page.getByTestId(row).locator('xpath=ancestor::table');
    const headers = await table.locator('th').allTextContents();
    const i = headers.indexOf(header);
    if (i < 0) throw new Error(`no column "${header}" in ${headers.join(' | ')}`);
    return Number(await page.getByTestId(row).locator('td').nth(i).textContent());
  };

  it('an RTU unit answering with a bad CRC: its bad frames and the bytes its line threw away are counted, in both languages (issue 12 §1b)', async () => {
    const sim = gw.simulators.get('dist-b1-th3')!;
    sim.setBadCrc(true);
    await page.reload(); // English, chosen by the test before
    await page.getByTestId('nav-diagnostics').click();
    await expect.poll(() => countUnder('modbus-diag-dist-b1-th3', 'Bad frames'), WAIT).toBeGreaterThan(0);
    await expect.poll(() => countUnder(`modbus-link-rtu-over-tcp:127.0.0.1:${rtuPort}`, 'Bytes discarded'), WAIT).toBeGreaterThan(0);
    expect(await page.getByTestId('modbus-diag-dist-b1-th3').textContent()).toContain('CRC error');
    expect(await countUnder('modbus-diag-dist-b1-th1', 'Bad frames')).toBe(0); // its neighbour in the room: untouched

    await page.locator('select.lang-switch').selectOption('zh-CN');
    await page.getByTestId('nav-diagnostics').click();
    await expect.poll(() => countUnder('modbus-diag-dist-b1-th3', '坏帧'), WAIT).toBeGreaterThan(0);
    expect(await countUnder(`modbus-link-rtu-over-tcp:127.0.0.1:${rtuPort}`, '丢弃字节')).toBeGreaterThan(0);
    sim.setBadCrc(false);
    expect(pageErrors).toEqual([]);
  });
});
