// Screenshots of the console for the README and reviews: the demo site with a shift's record (see
// test/helpers/demo-site.ts), the board at 1920×1080, the duty-log page, the printed shift report and a
// phone (390×844), in Chinese (the demo site's language). Run `npm run build:console` first, then
// `node scripts/console-screenshots.ts <suffix>`; files go to docs/images/console-<view>-<suffix>.png.
import { resolve } from 'node:path';
import { projectRoot } from '../src/config/load.ts';
import { launchChromium, consolePage } from '../test/helpers/browser.ts';
import { seedDemoRecord, startDemoGateway } from '../test/helpers/demo-site.ts';

const suffix = process.argv[2] ?? 'after';
const out = (view: string): string => resolve(projectRoot, 'docs', 'images', `console-${view}-${suffix}.png`);

const gw = await startDemoGateway();
const browser = await launchChromium();
try {
  await seedDemoRecord(gw);
  const errors: string[] = [];
  const desk = await consolePage(browser, gw.url, 'duty', 'duty', errors, { width: 1920, height: 1080, timezoneId: 'Asia/Shanghai' });
  await desk.getByTestId('duty-log').locator('li').first().waitFor();
  await desk.screenshot({ path: out('board') });
  await desk.getByTestId('nav-journal').click();
  await desk.getByTestId('journal-view').locator('li').first().waitFor();
  await desk.screenshot({ path: out('duty-log'), fullPage: true });
  await desk.getByTestId('nav-report').click();
  await desk.getByTestId('report-body').locator('h2').waitFor();
  await desk.emulateMedia({ media: 'print' });
  await desk.screenshot({ path: out('report'), fullPage: true });
  const phone = await consolePage(browser, gw.url, 'duty', 'duty', errors, { width: 390, height: 844, timezoneId: 'Asia/Shanghai' });
  await phone.getByTestId('duty-log').locator('li').first().waitFor();
  await phone.screenshot({ path: out('phone') });
  if (errors.length) console.warn(errors.join('\n'));
} finally {
  await browser.close();
  await gw.dispose();
}
