// A patrol on a phone (P1, P4): the room's QR code opens #patrols/<id>; after the usual login the phone
// lands on the patrol form, the officer answers the checklist, enters the meter reading and records the
// round; the QR code itself is served only to a session (deny by default).
import type { Clock } from '../../src/core/clock.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { routes, type PatrolStatusView } from '../../src/contract/api.ts';
import type { TestGateway } from '../helpers/gateway.ts';
import { distRoomPatrolYaml, startSiteWith } from '../helpers/shifts.ts';
import { chromiumPart, launchChromium } from '../helpers/browser.ts';
import { api, login } from '../helpers/console-client.ts';

const part = chromiumPart();
const WAIT = { timeout: 15_000, interval: 100 };

const extra = distRoomPatrolYaml;

/**
 * A running clock shifted (by at most ~6.5 h) into the middle of the day shift, 08:30–19:30 Shanghai: near a
 * shift change a late round counts for the shift that just ended (grace period), which is right but makes
 * "this shift's round is done" depend on when the test runs.
 */
function midShiftClock(): Clock {
  const now = Date.now();
  const midnight = Math.floor(now / 86_400_000) * 86_400_000;
  const from = midnight + 30 * 60_000; // 08:30 Shanghai = 00:30 UTC
  const to = midnight + 11.5 * 3_600_000; // 19:30 Shanghai
  const target = now < from ? (from - now < now - (to - 86_400_000) ? from : to - 86_400_000) : now > to ? (now - to < from + 86_400_000 - now ? to : from + 86_400_000) : now;
  const offset = target - now;
  return { now: () => Date.now() + offset };
}

describe.skipIf(part.skip)('a patrol on a phone', () => {
  let gw: TestGateway;
  let browser: Browser;
  let phone: Page;
  const errors: string[] = [];

  beforeAll(async () => {
    gw = await startSiteWith(extra, { clock: midShiftClock() });
    browser = await launchChromium();
    // A phone-sized window (playwright's isMobile emulation hangs clicks with this chromium build).
    const context = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'en-US', timezoneId: 'Asia/Shanghai' });
    phone = await context.newPage();
    phone.on('pageerror', (err) => errors.push(String(err)));
  });
  afterAll(async () => {
    await browser?.close();
    await gw?.dispose();
  });

  it('serves the QR code as SVG, and only to a session', async () => {
    expect((await api(gw.url, null, routes.patrolQr('dist-shift'))).status).toBe(401);
    const { cookie } = await login(gw.url, 'duty', 'duty');
    const res = await fetch(gw.url + routes.patrolQr('dist-shift'), { headers: { cookie } });
    expect([res.status, res.headers.get('content-type')]).toEqual([200, 'image/svg+xml; charset=utf-8']);
    expect(await res.text()).toMatch(/^<svg /);
  });

  it('the scanned link asks for the login, then opens the room\'s patrol form', async () => {
    await phone.goto(`${gw.url}/#patrols/dist-shift`);
    await phone.getByTestId('login-username').fill('duty');
    await phone.getByTestId('login-password').fill('duty');
    await phone.getByTestId('login-submit').click();
    await phone.getByTestId('patrol-form-dist-shift').waitFor(WAIT);
    expect(await phone.getByTestId('patrols-view').textContent()).toContain('Distribution room round'); // the site's language (en) until the user picks one
  });

  it('records the round with the checklist and the meter reading', async () => {
    await phone.getByTestId('item-clean-ok').check();
    await phone.getByTestId('patrol-submit').click();
    // One item unanswered and no meter reading: refused, nothing recorded.
    await expect.poll(() => phone.getByTestId('patrol-message').textContent(), WAIT).toBe('The request was not valid.');
    const { cookie } = await login(gw.url, 'duty', 'duty');
    expect((await api<PatrolStatusView[]>(gw.url, cookie, routes.patrols)).body[0]!.lastRound).toBeNull();

    await phone.getByTestId('item-no-leak-ok').check();
    await phone.getByTestId('reading-kwh').fill('10234.5');
    await phone.getByTestId('patrol-submit').click();
    await expect.poll(() => phone.getByTestId('patrol-message').textContent(), WAIT).toBe('Round recorded.');
    await expect.poll(() => phone.getByTestId('patrol-dist-shift').getAttribute('data-done'), WAIT).toBe('true');
    const status = (await api<PatrolStatusView[]>(gw.url, cookie, routes.patrols)).body[0]!;
    expect([status.lastRound?.username, status.lastRound?.readings['kwh'], status.lastRound?.checklist]).toEqual(['duty', 10234.5, { clean: true, 'no-leak': true }]);
    expect(typeof status.lastRound?.readings['dist-b1-th1.temperature']).toBe('number'); // the live value at the time of the round
    expect(errors).toEqual([]);
  });

  it('an emergency playbook (E2) on the phone: every step ticked with its time, closed with the report (L7)', async () => {
    await phone.getByTestId('nav-playbooks').click();
    await phone.getByTestId('playbook-type').selectOption('pipe-burst');
    await phone.getByTestId('playbook-situation').fill('Water from the ceiling of pump room B2');
    await phone.getByTestId('playbook-open').click();
    const card = phone.locator('[data-testid^="playbook-"][data-state="open"]');
    await card.first().waitFor(WAIT);
    for (const step of ['close-valve', 'hang-notice', 'isolate-power', 'repair', 'reopen', 'inform-tenants']) {
      const button = card.locator(`[data-testid$="-${step}"][data-testid^="step-done-"]`);
      await button.click();
      await expect.poll(() => button.count(), WAIT).toBe(0);
    }
    await card.locator('[data-testid^="report-cause-"]').fill('Corroded elbow');
    await card.locator('[data-testid^="report-course-"]').fill('Valve closed 10:02, power isolated, elbow replaced');
    await card.locator('[data-testid^="report-result-"]').fill('Supply back 11:15');
    await card.locator('[data-testid^="playbook-close-"]').click();
    await phone.locator('[data-testid^="playbook-"][data-state="closed"]').first().waitFor(WAIT);
    const kinds = gw.gateway.dutyLog.list({ limit: 10 }).map((e) => e.kind);
    expect(kinds.slice(0, 8)).toEqual(['playbook.closed', ...Array(6).fill('playbook.step'), 'playbook.opened']);
    expect(errors).toEqual([]);
  });
});
