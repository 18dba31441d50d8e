// The monthly roster (S1) and "who is on duty" (R2, for the escalation of A2): supervisors edit, import
// and publish; a published month is locked; swaps need another supervisor's approval before the shift.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createRoster, type Roster } from '../../src/shifts/roster.ts';
import { demoAssignments, demoMonths } from '../../src/shifts/demo-roster.ts';
import { createShiftPlan } from '../../src/shifts/shift-plan.ts';
import type { RosterAssignment } from '../../src/contract/api.ts';
import { refused, shanghai, shiftWorld, type ShiftWorld } from '../helpers/shifts.ts';

let w: ShiftWorld;
let roster: Roster;

beforeEach(async () => {
  w = await shiftWorld({ start: shanghai('2026-11-23T10:00') });
  roster = createRoster({ store: w.store, plan: w.plan, dutyLog: w.dutyLog, clock: w.clock });
});
afterEach(() => w.dispose());


/** December 2026: duty on every day shift, wang on every night, zhao also on nights of the first week. */
function december(): RosterAssignment[] {
  const list: RosterAssignment[] = [];
  for (let d = 1; d <= 31; d++) {
    const date = `2026-12-${String(d).padStart(2, '0')}`;
    list.push({ date, shiftId: 'day', username: 'duty' }, { date, shiftId: 'night', username: 'wang' });
    if (d <= 7) list.push({ date, shiftId: 'night', username: 'zhao' });
  }
  list.push({ date: '2026-12-05', shiftId: 'day', username: 'lead' });
  return list;
}

const kinds = () => w.dutyLog.list({ limit: 50 }).map((e) => `${e.kind} by ${e.username}`).reverse();

describe('editing and publishing (S1)', () => {
  it('only supervisors edit, and every problem of a draft is named', () => {
    expect(refused(() => roster.saveDraft('2026-12', december(), w.user('duty')))).toMatch(/^RW_FORBIDDEN/);
    const bad = refused(() =>
      roster.saveDraft(
        '2026-12',
        [
          { date: '2026-11-30', shiftId: 'day', username: 'duty' },
          { date: '2026-12-32', shiftId: 'day', username: 'duty' },
          { date: '2026-12-01', shiftId: 'evening', username: 'duty' },
          { date: '2026-12-01', shiftId: 'day', username: 'ghost' },
        ],
        w.user('lead'),
      ),
    );
    expect(bad).toBe(
      'RW_INVALID_REQUEST: assignment 1: date 2026-11-30 is not a day of 2026-12; assignment 2: date 2026-12-32 is not a day of 2026-12; ' +
        'assignment 3: unknown shift "evening" (shifts: day, night); assignment 4: unknown or inactive user "ghost"',
    );
    expect(roster.get('2026-12').assignments).toEqual([]);
  });

  it('shows staffing gaps (R2) and refuses to publish while there are any', () => {
    const partial = december().filter((a) => !(a.date === '2026-12-24' && a.shiftId === 'night'));
    const view = roster.saveDraft('2026-12', partial, w.user('lead'));
    expect(view.state).toBe('draft');
    expect(view.gaps).toEqual([{ date: '2026-12-24', shiftId: 'night', role: 'duty', need: 1, have: 0 }]);
    expect(refused(() => roster.publish('2026-12', w.user('lead')))).toBe('RW_ROSTER_UNDERSTAFFED: 1 shift(s) below minimum staffing: 2026-12-24/night duty 0/1');
  });

  it('a published month is locked: no edit, no import, no second publish; all logged with who', () => {
    roster.saveDraft('2026-12', december(), w.user('lead'));
    expect(refused(() => roster.publish('2026-12', w.user('duty')))).toMatch(/^RW_FORBIDDEN/);
    const published = roster.publish('2026-12', w.user('chen'));
    expect([published.state, published.publishedBy, published.publishedAt, published.gaps]).toEqual(['published', 'chen', w.clock.now(), []]);
    expect(refused(() => roster.saveDraft('2026-12', [], w.user('lead')))).toMatch(/^RW_ROSTER_LOCKED/);
    expect(refused(() => roster.importCsv('2026-12', 'date,shift,username\n', w.user('lead')))).toMatch(/^RW_ROSTER_LOCKED/);
    expect(refused(() => roster.publish('2026-12', w.user('lead')))).toMatch(/^RW_ROSTER_LOCKED/);
    expect(roster.get('2026-12').assignments).toHaveLength(31 * 2 + 7 + 1);
    expect(kinds()).toEqual(['roster.saved by lead', 'roster.published by chen']);
  });
});

describe('a roster the gateway compiles (the demo seed)', () => {
  it('gives every shift its minimum from the role\'s people in turn, so consecutive shifts change hands (R2, S6)', () => {
    const list = demoAssignments(w.plan, roster.people(), '2026-12');
    expect(list.slice(0, 4)).toEqual([
      { date: '2026-12-01', shiftId: 'day', username: 'duty' },
      { date: '2026-12-01', shiftId: 'night', username: 'wang' },
      { date: '2026-12-02', shiftId: 'day', username: 'zhao' },
      { date: '2026-12-02', shiftId: 'night', username: 'duty' },
    ]);
    expect(list).toHaveLength(62);
    expect(list.every((a) => a.username !== 'lead' && a.username !== 'chen')).toBe(true); // supervisors: no minimum here
    const published = roster.publishCompiled('2026-12', list, 'demo seed')!;
    expect([published.state, published.publishedBy, published.gaps]).toEqual(['published', 'demo seed', []]);
    expect(w.dutyLog.list({ limit: 1 })[0]).toMatchObject({ kind: 'roster.published', username: null, params: { month: '2026-12', user: 'demo seed', assignments: 62 } });
  });

  it('never overwrites a month that has a roster, draft or published, and leaves nothing of a refused one', () => {
    roster.saveDraft('2026-12', [{ date: '2026-12-01', shiftId: 'day', username: 'duty' }], w.user('lead'));
    expect(roster.publishCompiled('2026-12', demoAssignments(w.plan, roster.people(), '2026-12'), 'demo seed')).toBeNull();
    expect(roster.get('2026-12')).toMatchObject({ state: 'draft', updatedBy: 'lead', assignments: [{ date: '2026-12-01', shiftId: 'day', username: 'duty' }] });
    // Three supervisors a shift, but the site has two: the month cannot be staffed (R2), so nothing of it is kept.
    const busy = createShiftPlan([{ id: 'all', name: { en: 'All day', 'zh-CN': '全天' }, start: '08:00', end: '08:00', minStaff: { supervisor: 3 } }], 'Asia/Shanghai');
    const strict = createRoster({ store: w.store, plan: busy, dutyLog: w.dutyLog, clock: w.clock });
    expect(refused(() => strict.publishCompiled('2027-01', demoAssignments(busy, strict.people(), '2027-01'), 'demo seed'))).toMatch(/^RW_ROSTER_UNDERSTAFFED/);
    expect(strict.get('2027-01')).toMatchObject({ state: 'draft', updatedBy: null, assignments: [] });
  });

  it('covers this month, the next (across the year end) and a night shift still running from the last month', () => {
    expect(demoMonths(w.plan, shanghai('2026-11-23T10:00'))).toEqual(['2026-11', '2026-12']);
    expect(demoMonths(w.plan, shanghai('2026-12-15T10:00'))).toEqual(['2026-12', '2027-01']);
    expect(demoMonths(w.plan, shanghai('2027-01-01T02:00'))).toEqual(['2026-12', '2027-01', '2027-02']);
  });
});

describe('CSV import and export', () => {
  it('round-trips a month, quoting names and accepting Excel\'s byte-order mark', () => {
    roster.saveDraft('2026-12', december(), w.user('lead'));
    const csv = roster.exportCsv('2026-12');
    expect(csv.split('\r\n').slice(0, 3)).toEqual(['date,shift,username,name', '2026-12-01,day,duty,Duty Li', '2026-12-01,night,wang,Duty Wang']);
    const january = '\uFEFF' + csv.replaceAll('2026-12-', '2027-01-').replace('Duty Li', '"Li, Wei ""the elder"""');
    const view = roster.importCsv('2027-01', january, w.user('chen'));
    expect(view.assignments).toEqual(december().map((a) => ({ ...a, date: a.date.replace('2026-12-', '2027-01-') })).sort((a, b) => `${a.date}/${a.shiftId}/${a.username}`.localeCompare(`${b.date}/${b.shiftId}/${b.username}`)));
    expect(kinds()).toEqual(['roster.saved by lead', 'roster.imported by chen']);
  });

  it('names the line of every problem and imports nothing', () => {
    const csv = 'shift,date,username\r\nday,2027-01-01,duty\r\n\r\nnight,2027-01-01,nobody\r\nswing,2027-01-02,wang\r\n';
    expect(refused(() => roster.importCsv('2027-01', csv, w.user('lead')))).toBe('RW_INVALID_REQUEST: line 4: unknown or inactive user "nobody"; line 5: unknown shift "swing" (shifts: day, night)');
    expect(refused(() => roster.importCsv('2027-01', 'when,who\n2027-01-01,duty', w.user('lead')))).toBe('RW_INVALID_REQUEST: line 1: the header must name the columns date, shift and username');
    expect(refused(() => roster.importCsv('2027-01', 'date,shift,username\n"2027-01-01,day,duty', w.user('lead')))).toBe('RW_INVALID_REQUEST: line 2: a quoted field is not closed');
    expect(roster.get('2027-01').assignments).toEqual([]);
  });
});

describe('who is on duty (R2; called by the alarm escalation)', () => {
  it('answers from the published roster only, by role, across midnight', () => {
    roster.saveDraft('2026-12', december(), w.user('lead'));
    expect(roster.onDuty('duty', shanghai('2026-12-05T03:00'))).toEqual([]); // a draft is not in force
    roster.publish('2026-12', w.user('lead'));
    // 03:00 on the 5th is the night shift that began on the 4th.
    expect(roster.onDuty('duty', shanghai('2026-12-05T03:00')).map((u) => u.username)).toEqual(['wang', 'zhao']);
    expect(roster.onDuty('duty', shanghai('2026-12-05T09:00'))).toEqual([{ username: 'duty', displayName: 'Duty Li', role: 'duty' }]);
    expect(roster.onDuty('supervisor', shanghai('2026-12-05T09:00')).map((u) => u.username)).toEqual(['lead']);
    expect(roster.onDuty('supervisor', shanghai('2026-12-06T09:00'))).toEqual([]);
    expect(roster.onDuty('duty', shanghai('2027-01-01T09:00'))).toEqual([]); // January not rostered
  });
});

describe('swaps (S1: approved in advance, logged)', () => {
  beforeEach(() => {
    roster.saveDraft('2026-12', december(), w.user('lead'));
    roster.publish('2026-12', w.user('lead'));
  });
  const ask = (by: string, from = 'wang', to = 'zhao', date = '2026-12-10') => roster.requestSwap({ date, shiftId: 'night', fromUser: from, toUser: to, reason: 'family matter' }, w.user(by));

  it('a duty member asks for their own swap; a supervisor approves it and the roster follows', () => {
    expect(refused(() => ask('duty'))).toMatch(/^RW_FORBIDDEN: you can only ask to swap your own shift/);
    const swap = ask('wang');
    expect(swap.state).toBe('pending');
    expect(roster.onDuty('duty', shanghai('2026-12-10T20:00')).map((u) => u.username)).toEqual(['wang']); // pending changes nothing
    expect(refused(() => roster.decideSwap(swap.id, true, 'ok', w.user('duty')))).toMatch(/^RW_FORBIDDEN/);
    const approved = roster.decideSwap(swap.id, true, 'ok, covered', w.user('lead'));
    expect([approved.state, approved.decidedBy, approved.comment]).toEqual(['approved', 'lead', 'ok, covered']);
    expect(roster.onDuty('duty', shanghai('2026-12-10T20:00')).map((u) => u.username)).toEqual(['zhao']);
    expect(refused(() => roster.decideSwap(swap.id, false, 'changed my mind', w.user('chen')))).toBe(`RW_SWAP_INVALID: swap ${swap.id} is already approved`);
    expect(kinds()).toEqual(['roster.saved by lead', 'roster.published by lead', 'roster.swapRequested by wang', 'roster.swapApproved by lead']);
  });

  it('a rejected swap changes nothing and is kept on record', () => {
    const swap = ask('wang');
    expect(roster.decideSwap(swap.id, false, 'no cover that night', w.user('chen')).state).toBe('rejected');
    expect(roster.onDuty('duty', shanghai('2026-12-10T20:00')).map((u) => u.username)).toEqual(['wang']);
    expect(roster.swaps('2026-12').map((s) => [s.id, s.state, s.decidedBy])).toEqual([[swap.id, 'rejected', 'chen']]);
  });

  it('a supervisor cannot approve the swap they asked for', () => {
    const swap = ask('lead');
    expect(refused(() => roster.decideSwap(swap.id, true, '', w.user('lead')))).toMatch(/^RW_FORBIDDEN: a swap is approved by another supervisor/);
    expect(roster.decideSwap(swap.id, true, '', w.user('chen')).state).toBe('approved');
  });

  it('is refused once the shift has started, asked or approved', () => {
    w.clock.set(shanghai('2026-12-10T17:30'));
    expect(refused(() => ask('wang'))).toMatch(/^RW_SWAP_TOO_LATE: 2026-12-10\/night has already started/);
    w.clock.set(shanghai('2026-12-09T12:00'));
    const swap = ask('wang');
    w.clock.set(shanghai('2026-12-10T18:00'));
    expect(refused(() => roster.decideSwap(swap.id, true, '', w.user('lead')))).toMatch(/^RW_SWAP_TOO_LATE/);
    expect(roster.decideSwap(swap.id, false, 'too late', w.user('lead')).state).toBe('rejected'); // a refusal is always possible
  });

  it('checks who is rostered, and refuses a swap that would leave the shift understaffed (R2)', () => {
    expect(refused(() => ask('lead', 'zhao', 'duty'))).toBe('RW_SWAP_INVALID: zhao is not rostered on 2026-12-10/night');
    expect(refused(() => ask('lead', 'wang', 'wang', '2026-12-03'))).toBe('RW_SWAP_INVALID: wang is already rostered on 2026-12-03/night');
    expect(refused(() => ask('lead', 'wang', 'ghost'))).toBe('RW_SWAP_INVALID: unknown or inactive user "ghost"');
    const toSupervisor = ask('wang', 'wang', 'chen');
    expect(refused(() => roster.decideSwap(toSupervisor.id, true, '', w.user('lead')))).toBe(`RW_ROSTER_UNDERSTAFFED: swap ${toSupervisor.id} would leave 2026-12-10/night with 0/1 duty`);
    // Rolled back: the swap is still pending and wang still rostered.
    expect(roster.swaps('2026-12')[0]!.state).toBe('pending');
    expect(roster.onDuty('duty', shanghai('2026-12-10T20:00')).map((u) => u.username)).toEqual(['wang']);
  });
});
