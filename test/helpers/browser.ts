// Debian's chromium through playwright-core for browser tests of the shifts area: launch once, one
// context per user (two people at two PCs), log in through the real login form.
import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { realPart } from './real-parts.ts';

export const CHROMIUM = '/usr/bin/chromium';
export const chromiumPart = (): { skip: boolean } => realPart('chromium', existsSync(CHROMIUM), 'apt-get install chromium');

// Same flags as test/browser/console.test.ts: headless, no sandbox (containers), nothing phoning home.
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export const launchChromium = (): Promise<Browser> => chromium.launch({ executablePath: CHROMIUM, args: ARGS });

/** A fresh context (own cookies) logged in as `username`, showing the board; page errors are collected. */
export async function loggedInPage(browser: Browser, url: string, username: string, password: string, errors: string[]): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1500, height: 1000 }, locale: 'en-US', timezoneId: 'Asia/Shanghai' });
  const page = await context.newPage();
  page.on('pageerror', (err) => errors.push(`${username}: ${String(err)}`));
  page.on('dialog', (d) => void d.accept());
  await page.goto(url);
  await page.getByTestId('login-username').fill(username);
  await page.getByTestId('login-password').fill(password);
  await page.getByTestId('login-submit').click();
  await page.getByTestId('board').waitFor();
  return page;
}
