// Issue 13 Medium 7 through the console: a duty officer types the plain http:// address, lands on the HTTPS console,
// logs in, and the board and the device diagnostics work over TLS, with a Secure session
// cookie; an MQTT device on the TLS-only broker shows online. Real chromium, real openssl certificate.
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser } from 'playwright-core';
import { startTestGateway, testSiteYaml, type TestGateway } from '../helpers/gateway.ts';
import { CHROMIUM, CHROMIUM_ARGS as ARGS, chromiumPart } from '../helpers/chromium.ts';

const chromiumReal = chromiumPart();
const WAIT = { timeout: 15_000, interval: 100 };

describe.skipIf(chromiumReal.skip)('the console over HTTPS', () => {
  let gw: TestGateway;
  let browser: Browser;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'roomwatch-https-'));
    const cert = join(dir, 'roomwatch.crt');
    const key = join(dir, 'roomwatch.key');
    execFileSync('/usr/bin/openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=localhost',
      '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1', '-keyout', key, '-out', cert], { stdio: 'pipe' });
    const yaml = (await testSiteYaml({ dataDir: dir }))
      .replace('http: { host: 127.0.0.1, port: 0 }', `http: { host: 127.0.0.1, port: 0, redirectHttpPort: 0, tls: { cert: ${cert}, key: ${key} } }`)
      .replace('rooms:\n', 'rooms:\n  - { id: fire, kind: fire-control, name: { en: Fire-control room, zh-CN: 消防控制室 } }\n')
      .replace('devices:\n', 'devices:\n  - { id: fc-panel-1, room: fire, profile: shelly-gen2-fire-input, name: { en: Fire panel relays, zh-CN: 消防主机继电器 }, simulate: true, connection: { type: mqtt, topicId: shellyplusi4-fc01, username: fc-panel-1, password: pw-1 } }\n')
      + `broker: { embedded: { host: 127.0.0.1, tls: { port: 0, cert: ${cert}, key: ${key} } } }\n`;
    gw = await startTestGateway({ yaml, dataDir: dir });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
  });
  afterAll(async () => {
    await browser?.close();
    await gw?.dispose();
  });

  it('the plain address leads to HTTPS; logged in, the board opens, the MQTT/TLS device shows online; the cookie is Secure', async () => {
    // The test certificate is self-signed; a site's browsers trust its CA instead (docs/security.md).
    const context = await browser.newContext({ viewport: { width: 1600, height: 1000 }, locale: 'en-US', timezoneId: 'UTC', ignoreHTTPSErrors: true });
    const page = await context.newPage();
    page.on('pageerror', (err) => pageErrors.push(String(err)));
    await page.goto(`http://127.0.0.1:${gw.gateway.consoleRedirectPort}/`);
    expect(page.url()).toBe(`${gw.url}/`);
    await page.getByTestId('login-username').fill('duty');
    await page.getByTestId('login-password').fill('duty');
    await page.getByTestId('login-submit').click();
    await page.getByTestId('board').waitFor();
    const cookies = await context.cookies();
    expect(cookies.map((c) => [c.name, c.secure, c.httpOnly, c.sameSite])).toEqual([[expect.any(String), true, true, 'Strict']]);

    // The diagnostics panel shows the simulated device that logged in over MQTT/TLS.
    await page.getByTestId('diagnostics-panel').locator('summary').click();
    const row = page.getByTestId('mqtt-diag-fc-panel-1');
    await expect.poll(() => row.getAttribute('data-online'), WAIT).toBe('true');
    expect(await row.locator('td').first().textContent()).toBe('Fire panel relays');
    expect(pageErrors).toEqual([]);
  });
});
