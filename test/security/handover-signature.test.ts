// The handover's incoming signature checks a password (S6), so it was a second password oracle (issue 13
// medium 4): a logged-in user could test anyone's password, with different answers for unknown and known users.
// Now every failure gets the same answer (and costs the same hash: src/auth/passwords.ts verifyOrDummy), and
// the attempts are throttled like logging in.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { routes, type HandoverRecordView } from '../../src/contract/api.ts';
import type { TestGateway } from '../helpers/gateway.ts';
import { api, login } from '../helpers/console-client.ts';
import { fakeClock } from '../helpers/fake-clock.ts';
import { publishDutyDaysWangNights, shanghai, startSiteWith } from '../helpers/shifts.ts';

const extra = `shifts:
  - { id: day, name: { en: Day, zh-CN: 白班 }, start: "08:30", end: "17:30", minStaff: { duty: 1 } }
  - { id: night, name: { en: Night, zh-CN: 夜班 }, start: "17:30", end: "08:30", minStaff: { duty: 1 } }`;

describe('the incoming signature is no password oracle', () => {
  const clock = fakeClock(shanghai('2026-11-20T10:00'));
  let gw: TestGateway;
  let duty: string;
  let handoverId: number;
  const sign = (username: string, password: string) =>
    api<{ error: { code: string; message: string } }>(gw.url, duty, routes.handoverIncoming, { method: 'POST', body: JSON.stringify({ handoverId, username, password }) });

  beforeAll(async () => {
    gw = await startSiteWith(extra, { clock, users: ['{ username: wang, displayName: Duty Wang, role: duty, password: wang }'] });
    publishDutyDaysWangNights(gw.gateway);
    clock.set(shanghai('2026-11-23T17:15'));
    duty = (await login(gw.url, 'duty', 'duty')).cookie;
    const out = await api<HandoverRecordView>(gw.url, duty, routes.handoverOutgoing, {
      method: 'POST',
      body: JSON.stringify({ shiftKey: '2026-11-23/day', checklist: {}, present: ['wang'], unfit: [], note: 'quiet' }),
    });
    expect(out.status).toBe(200);
    handoverId = out.body.id;
  });
  afterAll(async () => gw?.dispose());

  it('answers an unknown user and a wrong password alike (the unknown one now costs a hash too)', async () => {
    const unknown = await sign('nobody-here', 'whatever');
    const wrong = await sign('wang', 'not-his');
    expect(unknown).toEqual({ status: 403, body: { error: { code: 'RW_BAD_CREDENTIALS', message: 'unknown user or wrong password' } } });
    expect(wrong).toEqual(unknown);
  });

  it('throttles guessing like logging in, then lets the right person sign once the wait is over', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await sign('wang', `guess-${i}`)).status);
    // 1 wrong password in the test before + 4 here are free; the 6th failure starts the wait.
    expect(statuses).toEqual([403, 403, 403, 403, 403, 429]);
    const during = await sign('wang', 'wang');
    expect([during.status, during.body.error.code]).toEqual([429, 'RW_LOGIN_THROTTLED']);
    clock.advance(60_000);
    const done = await api<HandoverRecordView>(gw.url, duty, routes.handoverIncoming, { method: 'POST', body: JSON.stringify({ handoverId, username: 'wang', password: 'wang' }) });
    expect([done.status, done.body.state, done.body.incoming]).toEqual([200, 'completed', 'wang']);
  });
});
