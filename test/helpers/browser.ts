// Debian's chromium through playwright-core for the browser tests (style.md §11: a real browser, no mocks).
// Playwright's launch() runs chromium on a fresh temporary profile and removes it after.
import { existsSync } from 'node:fs';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';
import { realPart } from './real-parts.ts';
import { waitFor } from './wait.ts';

export const CHROMIUM = '/usr/bin/chromium';

/** Call at the top of a browser test file: `describe.skipIf(chromiumPart().skip)`. */
export const chromiumPart = (): { skip: boolean } => realPart('chromium', existsSync(CHROMIUM), 'apt-get install chromium');

export async function launchChromium(): Promise<Browser> {
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  openBrowsers.add(browser);
  browser.on('disconnected', () => openBrowsers.delete(browser));
  return browser;
}

// Every browser a test launched, for the evidence of a failed test (test/setup/failure-evidence.ts).
const openBrowsers: Set<Browser> = ((globalThis as { __roomwatchBrowsers?: Set<Browser> }).__roomwatchBrowsers ??= new Set());

/** A fresh browser context logged in to the console as `username`; page errors are collected in `errors`. */
export async function consolePage(
  browser: Browser,
  url: string,
  username: string,
  password: string,
  errors: string[],
  options: {
    timezoneId?: string;
    width?: number;
    height?: number;
    acceptDialogs?: boolean;
    consoleErrors?: boolean;
    /** This PC's clock this far off the real time (playwright's clock, installed before the page loads; it runs on). */
    clockOffsetMs?: number;
    /** The language this browser's user has chosen (remembered, as the switch does), whatever the site's default. */
    lang?: 'en' | 'zh-CN';
  } = {},
): Promise<Page> {
  const context = await browser.newContext({
    viewport: { width: options.width ?? 1600, height: options.height ?? 1100 },
    locale: 'en-US',
    timezoneId: options.timezoneId ?? 'UTC',
  });
  if (options.clockOffsetMs !== undefined) await context.clock.install({ time: Date.now() + options.clockOffsetMs });
  const page = await context.newPage();
  page.on('pageerror', (err) => errors.push(`${username}: ${String(err)}`));
  if (options.acceptDialogs) page.on('dialog', (d) => void d.accept());
  await page.goto(url);
  await page.getByTestId('login-username').fill(username);
  await page.getByTestId('login-password').fill(password);
  await page.getByTestId('login-submit').click();
  await page.getByTestId('board').waitFor();
  if (options.lang) {
    await page.evaluate((lang) => localStorage.setItem('roomwatch.lang', lang), options.lang);
    await page.reload();
    await page.getByTestId('board').waitFor();
  }
  // From here on any console error counts (before login, the 401 of "is there a session?" is expected).
  if (options.consoleErrors !== false) {
    page.on('console', (msg) => {
      if (msg.type() === 'error') errors.push(`${username}: ${msg.text()}`);
    });
  }
  return page;
}

/** Text of the first match, '' when there is none (so polls can wait for it to appear). */
export const textOf = async (locator: Locator): Promise<string> => ((await locator.count()) ? ((await locator.first().textContent()) ?? '') : '');
export const attrOf = async (locator: Locator, name: string): Promise<string | null> => ((await locator.count()) ? locator.first().getAttribute(name) : null);

/**
 * The shifts-area tests' page: the browser in the site's timezone, confirm() dialogs accepted, and refused
 * requests (409/403, which those tests provoke on purpose) not counted as errors.
 */
export const loggedInPage = (browser: Browser, url: string, username: string, password: string, errors: string[]): Promise<Page> =>
  consolePage(browser, url, username, password, errors, { timezoneId: 'Asia/Shanghai', width: 1500, height: 1000, acceptDialogs: true, consoleErrors: false });

/** Resolves when the console's connection to the gateway is live (its socket joined). */
export async function untilLive(page: Page): Promise<void> {
  await waitFor(async () => (await textOf(page.getByTestId('connection-status'))) === 'Live', 'the console to go live');
}
