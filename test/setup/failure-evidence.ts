// When a browser test fails, what each open console showed: a screenshot per page in .test-results/failures/ and
// the page's address and visible text in the log, so a failure seen once in CI can be read afterwards (issue 11:
// two failures in one clean-clone run that did not come back when rerun).
// The browsers are found through a global set that test/helpers/browser.ts fills, so that this file, which runs
// before every test file, does not load playwright-core for the files that use no browser.
import { afterEach } from 'vitest';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

interface EvidencePage {
  url(): string;
  isClosed(): boolean;
  screenshot(options: { path: string; fullPage: boolean; timeout: number }): Promise<unknown>;
  innerText(selector: string, options: { timeout: number }): Promise<string>;
}
interface EvidenceBrowser {
  contexts(): { pages(): EvidencePage[] }[];
}

const dir = join(process.cwd(), '.test-results', 'failures');
const TEXT_LIMIT = 1_500;

afterEach(async (ctx) => {
  if (ctx.task.result?.state !== 'fail') return;
  const browsers = (globalThis as { __roomwatchBrowsers?: Set<EvidenceBrowser> }).__roomwatchBrowsers;
  const pages = [...(browsers ?? [])].flatMap((b) => b.contexts().flatMap((c) => c.pages())).filter((p) => !p.isClosed());
  if (pages.length === 0) return;
  mkdirSync(dir, { recursive: true });
  const stem = `${ctx.task.file?.name ?? 'test'}-${ctx.task.name}`.replace(/[^\w.-]+/g, '_').slice(0, 120);
  const report: string[] = [`-- what the ${pages.length} open page(s) showed when "${ctx.task.name}" failed:`];
  for (const [i, page] of pages.entries()) {
    const file = join(dir, `${stem}-${i + 1}.png`);
    const shot = await page.screenshot({ path: file, fullPage: true, timeout: 5_000 }).then(() => file, (err: unknown) => `no screenshot (${String(err).split('\n')[0]})`);
    const text = await page.innerText('body', { timeout: 5_000 }).catch((err: unknown) => `no text (${String(err).split('\n')[0]})`);
    const flat = text.replace(/\s+/g, ' ').trim();
    report.push(`page ${i + 1}: ${page.url()}; ${shot}`, `  ${flat.length > TEXT_LIMIT ? flat.slice(0, TEXT_LIMIT) + ' …' : flat}`);
  }
  console.error(report.join('\n'));
});
