// A real gateway on a site of the test's own, with one person's console open and live in a real chromium: the
// set-up of the browser tests that watch one console (alarm lifecycle, smoke self-test).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { startTestGateway, type TestGateway } from './gateway.ts';
import { consolePage, launchChromium, untilLive } from './browser.ts';

export interface ConsoleSite {
  gw: TestGateway;
  browser: Browser;
  /** The console of the person who logged in, live (its socket joined). */
  page: Page;
  /** Closes the browser and disposes of the gateway and its data dir. */
  dispose(): Promise<void>;
}

export async function startConsoleSite(opts: {
  /** The temp data dir's name prefix, e.g. 'roomwatch-lifecycle-'. */
  tempPrefix: string;
  /** The site YAML, given the data dir it must use. */
  yaml: (dataDir: string) => string | Promise<string>;
  /** Device profiles folder; default devices/. */
  profilesDir?: string;
  login: { username: string; password: string };
  /** Page errors and console errors are collected here. */
  errors: string[];
}): Promise<ConsoleSite> {
  const dataDir = mkdtempSync(join(tmpdir(), opts.tempPrefix));
  const gw = await startTestGateway({ dataDir, yaml: await opts.yaml(dataDir), ...(opts.profilesDir ? { profilesDir: opts.profilesDir } : {}) });
  let browser: Browser | undefined;
  try {
    browser = await launchChromium();
    const page = await consolePage(browser, gw.url, opts.login.username, opts.login.password, opts.errors);
    await untilLive(page);
    const opened = browser;
    return {
      gw,
      browser: opened,
      page,
      dispose: async () => {
        await opened.close();
        await gw.dispose();
      },
    };
  } catch (err) {
    // afterAll has nothing to dispose of when the set-up fails half-way: leave no chromium or gateway behind.
    await browser?.close();
    await gw.dispose();
    throw err;
  }
}
