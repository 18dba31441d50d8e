// The roster over the console API with the real gateway: deny by default, roles, schema validation,
// CSV download, publish, swap and "who is on duty" (S1, S2, R2).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { routes, type OnDutyView, type RosterView, type ShiftView, type SwapView } from '../../src/contract/api.ts';
import type { TestGateway } from '../helpers/gateway.ts';
import { api, login } from '../helpers/console-client.ts';
import { fakeClock } from '../helpers/fake-clock.ts';
import { shanghai, startSiteWith } from '../helpers/shifts.ts';

const shiftsYaml = `shifts:
  - { id: day, name: { en: Day, zh-CN: 白班 }, start: "08:30", end: "17:30", minStaff: { duty: 1 } }
  - { id: night, name: { en: Night, zh-CN: 夜班 }, start: "17:30", end: "08:30", seasons: [{ from: "05-01", to: "09-30", start: "18:00" }], minStaff: { duty: 1 } }`;

const clock = fakeClock(shanghai('2026-11-23T10:00'));
let gw: TestGateway;
let duty: string;
let lead: string;
type Err = { error: { code: string; message: string } };

beforeAll(async () => {
  gw = await startSiteWith(shiftsYaml, { clock });
  duty = (await login(gw.url, 'duty', 'duty')).cookie;
  lead = (await login(gw.url, 'lead', 'lead')).cookie;
});
afterAll(async () => gw?.dispose());

const december = () =>
  Array.from({ length: 31 }, (_, i) => `2026-12-${String(i + 1).padStart(2, '0')}`).flatMap((date) => [
    { date, shiftId: 'day', username: 'duty' },
    { date, shiftId: 'night', username: 'lead' },
    { date, shiftId: 'night', username: 'duty' },
  ]);

describe('roster API', () => {
  it('denies every route without a session', async () => {
    for (const [method, path] of [
      ['GET', `${routes.shifts}?from=0&to=1`],
      ['GET', routes.onDuty],
      ['GET', routes.roster('2026-12')],
      ['PUT', routes.roster('2026-12')],
      ['POST', routes.rosterPublish('2026-12')],
      ['GET', routes.rosterCsv('2026-12')],
      ['POST', routes.rosterCsv('2026-12')],
      ['GET', `${routes.swaps}?month=2026-12`],
      ['POST', routes.swaps],
      ['POST', routes.swapDecision(1)],
    ] as const) {
      const res = await api<Err>(gw.url, null, path, { method, ...(method === 'GET' ? {} : { body: '{}' }) });
      expect([method, path, res.status, res.body.error.code]).toEqual([method, path, 401, 'RW_AUTH_REQUIRED']);
    }
  });

  it('refuses garbage with a clear 400', async () => {
    expect((await api<Err>(gw.url, lead, routes.roster('2026-13'))).status).toBe(400);
    expect((await api<Err>(gw.url, lead, `${routes.shifts}?from=10&to=5`)).body.error.code).toBe('RW_INVALID_REQUEST');
    const bad = await api<Err>(gw.url, lead, routes.roster('2026-12'), { method: 'PUT', body: JSON.stringify({ assignments: [{ date: 'x', shiftId: 'day' }] }) });
    expect([bad.status, bad.body.error.code]).toEqual([400, 'RW_INVALID_REQUEST']);
  });

  it('lists the shifts of a day from the site config', async () => {
    const res = await api<ShiftView[]>(gw.url, duty, `${routes.shifts}?from=${shanghai('2026-11-23T00:00')}&to=${shanghai('2026-11-24T00:00')}`);
    expect(res.body.map((s) => s.key)).toEqual(['2026-11-22/night', '2026-11-23/day', '2026-11-23/night']);
  });

  it('a supervisor saves, downloads and publishes a month; duty staff may not', async () => {
    const body = JSON.stringify({ assignments: december() });
    expect((await api<Err>(gw.url, duty, routes.roster('2026-12'), { method: 'PUT', body })).body.error.code).toBe('RW_FORBIDDEN');
    const saved = await api<RosterView>(gw.url, lead, routes.roster('2026-12'), { method: 'PUT', body });
    expect([saved.status, saved.body.assignments.length, saved.body.gaps]).toEqual([200, 93, []]);
    const csv = await fetch(gw.url + routes.rosterCsv('2026-12'), { headers: { cookie: lead } });
    expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
    expect((await csv.text()).split('\r\n')[1]).toBe('2026-12-01,day,duty,Duty Li');
    const published = await api<RosterView>(gw.url, lead, routes.rosterPublish('2026-12'), { method: 'POST' });
    expect(published.body.state).toBe('published');
    const again = await api<Err>(gw.url, lead, routes.roster('2026-12'), { method: 'PUT', body });
    expect([again.status, again.body.error.code]).toEqual([409, 'RW_ROSTER_LOCKED']);
  });

  it('a swap is asked for by the person and decided by a supervisor; who is on duty follows the roster', async () => {
    const asked = await api<SwapView>(gw.url, duty, routes.swaps, { method: 'POST', body: JSON.stringify({ date: '2026-12-10', shiftId: 'day', fromUser: 'duty', toUser: 'lead', reason: 'hospital' }) });
    expect([asked.status, asked.body.state]).toEqual([200, 'pending']);
    // The day shift needs one duty member (R2): a supervisor cannot stand in for them.
    const approve = await api<Err>(gw.url, lead, routes.swapDecision(asked.body.id), { method: 'POST', body: JSON.stringify({ approve: true, comment: 'ok' }) });
    expect([approve.status, approve.body.error.code]).toEqual([409, 'RW_ROSTER_UNDERSTAFFED']);
    const rejected = await api<SwapView>(gw.url, lead, routes.swapDecision(asked.body.id), { method: 'POST', body: JSON.stringify({ approve: false, comment: 'find a duty colleague' }) });
    expect([rejected.body.state, rejected.body.decidedBy]).toEqual(['rejected', 'lead']);
    expect((await api<SwapView[]>(gw.url, duty, `${routes.swaps}?month=2026-12`)).body.map((s) => s.state)).toEqual(['rejected']);
    clock.set(shanghai('2026-12-10T20:00'));
    expect((await api(gw.url, duty, routes.onDuty)).status).toBe(401); // 17 days on: the session has expired
    const now = await api<OnDutyView>(gw.url, (await login(gw.url, 'duty', 'duty')).cookie, routes.onDuty);
    expect([now.body.shifts.map((s) => s.key), now.body.people.map((p) => p.username)]).toEqual([['2026-12-10/night'], ['duty', 'lead']]);
    expect(gw.gateway.roster.onDuty('supervisor', clock.now()).map((u) => u.username)).toEqual(['lead']);
  });
});
