// A Zigbee smoke detector's test button, through the console (issue 12 §3): a simulated Zigbee2MQTT detector on the
// embedded aedes sends {"smoke":true,"test":true}; the duty officer sees the fire alarm marked as a test, in English
// and Chinese, classifies it as a routine test, and the duty log reads so (not a false alarm).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import type { TestGateway } from '../helpers/gateway.ts';
import { chromiumPart, textOf } from '../helpers/browser.ts';
import { startConsoleSite, type ConsoleSite } from '../helpers/console-site.ts';

const WAIT = { timeout: 15_000, interval: 100 };

describe.skipIf(chromiumPart().skip)('smoke detector self-test in the console (chromium)', () => {
  let site: ConsoleSite;
  let gw: TestGateway;
  let duty: Page;
  const errors: string[] = [];

  beforeAll(async () => {
    site = await startConsoleSite({
      tempPrefix: 'roomwatch-selftest-',
      yaml: (dataDir) => `
site: { id: selftest, name: { en: Test Tower, zh-CN: 测试大厦 }, timezone: Asia/Shanghai, demo: true, language: en }
storage: { dataDir: ${JSON.stringify(dataDir)} }
http: { host: 127.0.0.1, port: 0 }
broker: { embedded: { host: 127.0.0.1, port: 0 } }
rooms: [{ id: fcc, kind: fire-control, name: { en: Fire-control room, zh-CN: 消防控制室 } }]
devices:
  - { id: smoke-3f, room: fcc, profile: z2m-smoke-sensor, simulate: true, connection: { type: mqtt, topicId: smoke_3f_12, username: z2m, password: z2m-pw } }
users:
  - { username: duty, displayName: Duty Li, role: duty, password: duty }
`,
      login: { username: 'duty', password: 'duty' },
      errors,
    });
    ({ gw, page: duty } = site);
  });
  afterAll(() => site?.dispose());

  it('the test button raises the smoke alarm marked as a test; classified "Routine test", the duty log says so', async () => {
    const sim = gw.gateway.mqttSimulators.get('smoke-3f')!;
    await sim.set('testing', true);
    await sim.set('smoke', true);
    const row = duty.locator('[data-testid^="alarm-row-"][data-point="smoke-3f.smoke"]').first();
    await row.waitFor(WAIT);
    await expect.poll(() => textOf(row.getByTestId('alarm-value')), WAIT).toBe("Smoke detected · TEST: the device's test button was pressed");
    await duty.getByTestId('lang-switch').selectOption('zh-CN');
    await expect.poll(() => textOf(row.getByTestId('alarm-value')), WAIT).toBe('感烟探测器报警 · 测试：设备测试按钮被按下');
    await duty.getByTestId('lang-switch').selectOption('en');

    const id = Number((await row.getAttribute('data-testid'))!.replace('alarm-row-', ''));
    await duty.getByTestId(`classify-button-${id}`).click();
    expect(await textOf(duty.getByTestId('classify-kind-test').locator('..'))).toContain('Routine test (not a false alarm)');
    await duty.getByTestId('classify-kind-test').check();
    await duty.getByTestId('classify-note').fill('Monthly test of detector 3F-12');
    await duty.getByTestId('classify-confirm').click();
    await expect.poll(() => textOf(row.getByTestId('alarm-on-site')), WAIT).toContain('Routine test (not a false alarm) (Duty');
    await expect
      .poll(() => textOf(duty.getByTestId('duty-log').locator('[data-kind="alarm.classified"]')), WAIT)
      .toContain('classified the fire alarm as Routine test (not a false alarm)');
    expect(errors).toEqual([]);
  });
});
