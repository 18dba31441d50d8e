// Emergency playbooks (E1–E4, L7): steps timestamped into the duty log, closed only with the written
// report once every step is done; an open playbook holds the handover (S5).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createPlaybooks, type Playbooks } from '../../src/playbooks/playbooks.ts';
import { playbookSteps, playbookTypes } from '../../src/playbooks/definitions.ts';
import { createRoster } from '../../src/shifts/roster.ts';
import { createHandover } from '../../src/duty/handover.ts';
import { isMessageKey } from '../../src/i18n/index.ts';
import { silentLogger } from '../../src/core/logger.ts';
import { refused, shanghai, shiftWorld, type ShiftWorld } from '../helpers/shifts.ts';

let w: ShiftWorld;
let playbooks: Playbooks;
const report = { cause: 'Utility feeder fault', course: 'Generator started at 10:03, lifts checked', result: 'Mains back 10:40', followUp: 'Utility report requested' };

beforeEach(async () => {
  w = await shiftWorld({ start: shanghai('2026-11-23T10:00') });
  playbooks = createPlaybooks({ store: w.store, dutyLog: w.dutyLog, clock: w.clock, roomIds: new Set(['dist-room-b1']) });
});
afterEach(() => w.dispose());

describe('emergency playbooks', () => {
  it('every step of every playbook (E1, E2, E3, E4) has its text in both languages', () => {
    for (const type of playbookTypes) for (const step of playbookSteps[type]) expect([type, step, isMessageKey(`playbook.${type}.${step}`)]).toEqual([type, step, true]);
  });

  it('E1 power cut: steps timestamped into the duty log, closed with the written report', () => {
    // Issue 13: a playbook names an alarm that exists (this store has none).
    expect(() => playbooks.open({ type: 'power-cut', situation: 'Whole tower dark', alarmId: 7 }, w.user('duty'))).toThrow('no alarm 7');
    const pb = playbooks.open({ type: 'power-cut', situation: 'Whole tower dark', roomId: 'dist-room-b1' }, w.user('duty'));
    expect([pb.rule, pb.state, pb.alarmId, pb.steps.length]).toEqual(['E1', 'open', null, 6]);
    for (const [i, step] of playbookSteps['power-cut'].entries()) {
      w.clock.advance(60_000);
      if (i === playbookSteps['power-cut'].length - 1) expect(refused(() => playbooks.close(pb.id, report, w.user('lead')))).toMatch(/steps not done yet: report-duty-director/);
      playbooks.step(pb.id, step, i === 1 ? 'Utility ticket 4711' : '', w.user(i % 2 ? 'duty' : 'wang'));
    }
    expect(refused(() => playbooks.step(pb.id, 'check-lifts', 'again', w.user('duty')))).toBe('RW_INVALID_REQUEST: step "check-lifts" is already done');
    expect(refused(() => playbooks.step(pb.id, 'dance', '', w.user('duty')))).toMatch(/has no step "dance"/);
    const closed = playbooks.close(pb.id, report, w.user('lead'));
    expect([closed.state, closed.closedBy, closed.report, closed.steps.every((s) => s.doneAt !== null)]).toEqual(['closed', 'lead', report, true]);
    expect(closed.steps[1]).toMatchObject({ id: 'call-utility', doneBy: 'duty', doneAt: shanghai('2026-11-23T10:02'), note: 'Utility ticket 4711' });
    const log = w.dutyLog.list({ limit: 20 }).reverse();
    expect(log.map((e) => e.kind)).toEqual(['playbook.opened', ...playbookSteps['power-cut'].map(() => 'playbook.step'), 'playbook.closed']);
    expect(log.at(-1)!.params).toMatchObject({ cause: 'Utility feeder fault', result: 'Mains back 10:40', user: 'Lead Zhang' });
    expect(refused(() => playbooks.step(pb.id, 'check-lifts', '', w.user('duty')))).toMatch(/is closed/);
  });

  it('an open playbook holds the handover (S5)', () => {
    const roster = createRoster({ store: w.store, plan: w.plan, dutyLog: w.dutyLog, clock: w.clock });
    const handover = createHandover({ store: w.store, dutyLog: w.dutyLog, plan: w.plan, roster, clock: w.clock, logger: silentLogger, alarms: { open: () => [], tags: () => [] }, latestReadings: () => [], config: { checklist: [] }, openPlaybooks: () => playbooks.list(true) });
    playbooks.open({ type: 'fire', situation: 'Smoke detector B2 confirmed' }, w.user('duty'));
    expect(handover.view().refusals).toEqual([{ code: 'playbookOpen', params: { count: 1, first: 'Smoke detector B2 confirmed', rule: 'E4' } }]);
    expect(handover.view().openPlaybooks.map((p) => p.type)).toEqual(['fire']);
  });
});
