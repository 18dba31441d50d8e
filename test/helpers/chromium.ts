// Debian's chromium for browser tests through playwright-core (it never downloads a browser).
// Playwright's launch() already runs chromium on a fresh temporary profile (user-data-dir) and removes it after.
import { existsSync } from 'node:fs';
import { realPart } from './real-parts.ts';

export const CHROMIUM = '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** realPart() for chromium: fails in CI when missing, visible skip elsewhere. */
export const chromiumPart = (): { skip: boolean } => realPart('chromium', existsSync(CHROMIUM), 'apt-get install chromium');
