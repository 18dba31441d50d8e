// The demo starts with a published roster (`site.demoRoster`, demo mode only): the current and next month,
// each shift its minimum staffing (R2) from the demo users in turn, published by "demo seed" with the duty-log
// entry a publish writes (S1). So the handover has an incoming team and is signed by two people (S5, S6), and
// "who is on duty" (A2's escalation) names people. A month a supervisor has a roster for is never overwritten,
// and a restart publishes nothing twice. The real gateway on a fake clock, restarted on one data dir.
import { afterEach, describe, expect, it } from 'vitest';
import { DEMO_SEED } from '../../src/contract/routes.ts';
import { restartedGateways, testSiteYaml, type TestGateway } from '../helpers/gateway.ts';
import { fakeClock } from '../helpers/fake-clock.ts';
import { shanghai } from '../helpers/shifts.ts';

const shifts = `shifts:
  - { id: day, name: { en: Day, zh-CN: 白班 }, start: "08:30", end: "17:30", minStaff: { duty: 1 } }
  - { id: night, name: { en: Night, zh-CN: 夜班 }, start: "17:30", end: "08:30", minStaff: { duty: 1 } }`;

async function siteYaml(dataDir: string, demoRoster: boolean): Promise<string> {
  const yaml = (await testSiteYaml({ dataDir, extra: shifts })).replace('users:\n', 'users:\n  - { username: wang, displayName: Duty Wang, role: duty, password: wang }\n');
  return demoRoster ? yaml.replace('demo: true', 'demo: true, demoRoster: true') : yaml;
}

describe('the demo roster (site.demoRoster)', () => {
  const runs = restartedGateways('rw-demo-roster-');
  afterEach(() => runs.cleanup());
  const clock = fakeClock(shanghai('2026-11-23T10:00'));
  const start = async (dataDir: string, demoRoster: boolean): Promise<TestGateway> => runs.start({ yaml: await siteYaml(dataDir, demoRoster), dataDir, clock });
  const newDataDir = (): string => runs.dataDir();
  const published = (gw: TestGateway) =>
    gw.gateway.dutyLog
      .list({ limit: 1000 })
      .filter((e) => e.kind === 'roster.published')
      .map((e) => [e.params['month'], e.username, e.params['user']])
      .reverse();

  it('publishes this month and the next from the demo users, each shift its minimum in turn; the handover has its incoming team', async () => {
    clock.set(shanghai('2026-11-23T10:00'));
    const gw = await start(newDataDir(), true);
    const { roster, handover } = gw.gateway;
    for (const [month, days] of [['2026-11', 30], ['2026-12', 31]] as const) {
      const r = roster.get(month);
      expect([r.state, r.publishedBy, r.gaps]).toEqual(['published', DEMO_SEED, []]);
      // Two duty officers in turn over day, night, day …: one works the days, the other the nights.
      expect(r.assignments).toHaveLength(days * 2);
      expect(new Set(r.assignments.map((a) => `${a.shiftId} ${a.username}`))).toEqual(new Set(['day duty', 'night wang']));
    }
    expect(roster.get('2027-01')).toMatchObject({ state: 'draft', assignments: [] });
    // Written by the gateway (no user), naming the demo seed, like a publish (S1).
    expect(published(gw)).toEqual([
      ['2026-11', null, DEMO_SEED],
      ['2026-12', null, DEMO_SEED],
    ]);
    expect(roster.onDuty('duty', clock.now()).map((u) => u.username)).toEqual(['duty']);

    // S5/S6: at the end of the day shift the night shift's officer is the incoming team; two people sign.
    clock.set(shanghai('2026-11-23T17:10'));
    const view = handover.view();
    expect([view.outgoingPeople.map((u) => u.username), view.incomingPeople.map((u) => u.username)]).toEqual([['duty'], ['wang']]);
    const out = handover.signOutgoing({ shiftKey: view.outgoing!.key, checklist: {}, present: ['wang'], unfit: [], note: '' }, gw.gateway.users.get('duty')!);
    expect(out.ok, JSON.stringify(out)).toBe(true);
    const handoverId = handover.view().record!.id;
    expect((await handover.signIncoming({ handoverId, username: 'wang', password: 'wang' })).ok).toBe(true);
  });

  it('leaves a month a supervisor has a roster for as it is, and publishes nothing twice across restarts', async () => {
    clock.set(shanghai('2026-11-23T10:00'));
    const dataDir = newDataDir();
    const plain = await start(dataDir, false);
    const lead = plain.gateway.users.get('lead')!;
    plain.gateway.roster.saveDraft('2026-12', [{ date: '2026-12-01', shiftId: 'day', username: 'wang' }], lead);
    expect(published(plain)).toEqual([]); // not a demo roster site: nothing seeded
    await plain.stop();

    const demo = await start(dataDir, true);
    expect(demo.gateway.roster.get('2026-11')).toMatchObject({ state: 'published', publishedBy: DEMO_SEED });
    // The supervisor's draft of December is theirs: not published, not changed.
    expect(demo.gateway.roster.get('2026-12')).toMatchObject({ state: 'draft', updatedBy: 'lead', publishedBy: null, assignments: [{ date: '2026-12-01', shiftId: 'day', username: 'wang' }] });
    expect(published(demo)).toEqual([['2026-11', null, DEMO_SEED]]);
    await demo.stop();

    const again = await start(dataDir, true);
    expect(published(again)).toEqual([['2026-11', null, DEMO_SEED]]);
  });
});
