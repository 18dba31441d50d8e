// The duty log as the regulations keep it: L1 pages per shift with people, L2 categories (a complaint
// names the complainant), append-only corrections, L4 daily sign-off, L5 retention, shift start/end marks.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { createRoster, type Roster } from '../../src/shifts/roster.ts';
import { createJournal, type Journal } from '../../src/duty/journal.ts';
import { createAttachments, type Attachments } from '../../src/duty/attachments.ts';
import { createShiftMarks } from '../../src/duty/shift-marks.ts';
import { lastDayGone, purgeExpired, retentionCutoff } from '../../src/duty/retention.ts';
import { createShiftPlan } from '../../src/shifts/shift-plan.ts';
import { formatDate } from '../../src/shifts/zoned-time.ts';
import type { NoteRequest } from '../../src/contract/api.ts';
import { silentLogger } from '../../src/core/logger.ts';
import { refused, shanghai, shiftWorld, type ShiftWorld } from '../helpers/shifts.ts';

let w: ShiftWorld;
let roster: Roster;
let attachments: Attachments;
let journal: Journal;

const note = (over: Partial<NoteRequest> = {}): NoteRequest => ({ category: 'other', situation: 'Water on the floor of pump room B2', handling: 'Mopped, valve tightened', followUp: 'Check at 20:00', ...over });
const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.from('rest of a png')]);


beforeEach(async () => {
  w = await shiftWorld({ start: shanghai('2026-11-23T10:00') });
  roster = createRoster({ store: w.store, plan: w.plan, dutyLog: w.dutyLog, clock: w.clock });
  attachments = createAttachments({ store: w.store, dutyLog: w.dutyLog, clock: w.clock, dataDir: w.dir });
  journal = createJournal({ store: w.store, dutyLog: w.dutyLog, plan: w.plan, roster, attachments, clock: w.clock, roomIds: new Set(['pump-b2']) });
});
afterEach(() => w.dispose());

describe('manual entries (L1, L2)', () => {
  it('records time, situation, handling, follow-up, category and who', () => {
    const e = journal.addNote(note({ category: 'complaint', complainant: 'Tenant 1203, Ms Wu', occurredAt: shanghai('2026-11-23T09:40'), roomId: 'pump-b2' }), w.user('duty'));
    expect([e.kind, e.username, e.roomId, e.ts]).toEqual(['note.added', 'duty', 'pump-b2', w.clock.now()]);
    expect(e.params).toMatchObject({ category: 'complaint', complainant: 'Tenant 1203, Ms Wu', occurredAt: shanghai('2026-11-23T09:40'), handling: 'Mopped, valve tightened', followUp: 'Check at 20:00', user: 'Duty Li' });
  });

  it('refuses a complaint without the complainant, a future time, a stale time and an unknown room', () => {
    expect(refused(() => journal.addNote(note({ category: 'complaint', complainant: ' ' }), w.user('duty')))).toBe('RW_INVALID_REQUEST: a complaint needs the complainant (L2)');
    expect(refused(() => journal.addNote(note({ occurredAt: w.clock.now() + 3_600_000 }), w.user('duty')))).toMatch(/in the future/);
    expect(refused(() => journal.addNote(note({ occurredAt: w.clock.now() - 8 * 86_400_000 }), w.user('duty')))).toMatch(/more than 7 days ago/);
    expect(refused(() => journal.addNote(note({ roomId: 'attic' }), w.user('duty')))).toBe('RW_INVALID_REQUEST: unknown room "attic"');
  });
});

describe('append-only corrections', () => {
  it('a correction is a new entry pointing at the original, which stays as it was', () => {
    const original = journal.addNote(note({ situation: 'Leak in pump room B3' }), w.user('duty'));
    expect(refused(() => journal.correct(original.id, { ...note(), reason: 'wrong room' }, w.user('wang')))).toMatch(/^RW_FORBIDDEN/);
    const fixed = journal.correct(original.id, { ...note(), reason: 'wrong room' }, w.user('duty'));
    expect([fixed.kind, fixed.params['corrects'], fixed.params['reason'], fixed.params['situation']]).toEqual(['note.corrected', original.id, 'wrong room', 'Water on the floor of pump room B2']);
    expect(refused(() => journal.correct(original.id, { ...note(), reason: 'again' }, w.user('lead')))).toBe(`RW_ALREADY_CORRECTED: entry ${original.id} was already corrected by entry ${fixed.id}; correct that one`);
    const again = journal.correct(fixed.id, { ...note({ handling: 'Mopped; valve replaced' }), reason: 'handling completed' }, w.user('lead'));
    const stored = w.dutyLog.list({ limit: 10 });
    expect(stored.find((e) => e.id === original.id)).toEqual(original);
    expect(journal.day('2026-11-23').correctedBy).toEqual({ [original.id]: fixed.id, [fixed.id]: again.id });
  });

  it('automatic entries cannot be corrected', () => {
    const auto = w.dutyLog.append({ ts: w.clock.now(), kind: 'gateway.started', params: {} });
    expect(refused(() => journal.correct(auto.id, { ...note(), reason: 'x' }, w.user('lead')))).toMatch(/^RW_NOT_CORRECTABLE/);
    expect(refused(() => journal.correct(99_999, { ...note(), reason: 'x' }, w.user('lead')))).toMatch(/^RW_NOT_FOUND/);
  });
});

describe('the log as pages per shift (L1) with shift start and end entries', () => {
  beforeEach(() => {
    const list = Array.from({ length: 30 }, (_, i) => `2026-11-${String(i + 1).padStart(2, '0')}`).flatMap((date) => [
      { date, shiftId: 'day', username: 'duty' },
      { date, shiftId: 'night', username: 'wang' },
    ]);
    w.clock.set(shanghai('2026-11-01T07:00')); // published before the month's first shift
    roster.saveDraft('2026-11', list, w.user('lead'));
    roster.publish('2026-11', w.user('lead'));
  });

  it('groups entries by the shift they were written in, the night page running past midnight', () => {
    const marks = createShiftMarks({ store: w.store, dutyLog: w.dutyLog, plan: w.plan, roster, clock: w.clock, logger: silentLogger });
    w.clock.set(shanghai('2026-11-23T08:30'));
    marks.tick();
    w.clock.set(shanghai('2026-11-23T10:00'));
    const morning = journal.addNote(note(), w.user('duty'));
    w.clock.set(shanghai('2026-11-23T17:30'));
    marks.tick();
    w.clock.set(shanghai('2026-11-24T03:00'));
    const night = journal.addNote(note({ category: 'theft', situation: 'Cable drum missing from yard' }), w.user('wang'));
    w.clock.set(shanghai('2026-11-24T08:30:10'));
    marks.tick();
    marks.tick(); // once only
    const day = journal.day('2026-11-23');
    const pages = day.pages.map((p) => [p.shift?.key, p.people.map((u) => u.username), p.entries.map((e) => (e.kind === 'note.added' ? e.id : `${e.kind} ${e.params['shift']}`))]);
    expect(pages).toEqual([
      ['2026-11-23/day', ['duty'], ['shift.started 2026-11-23/day', morning.id, 'shift.ended 2026-11-23/day']],
      ['2026-11-23/night', ['wang'], ['shift.started 2026-11-23/night', night.id, 'shift.ended 2026-11-23/night']],
    ]);
    expect(day.pages[0]!.entries[0]!.params['people']).toBe('Duty Li');
    // A restarted gateway (a new marks service on the same store) writes nothing twice.
    const restarted = createShiftMarks({ store: w.store, dutyLog: w.dutyLog, plan: w.plan, roster, clock: w.clock, logger: silentLogger });
    expect(restarted.tick().map((e) => e.params['shift'])).toEqual([]);
  });

  it('L1: the first start opens the page of the shift on now, not of one that ended before the site ever ran', () => {
    // The demo started at 00:58: the day shift had ended at 17:30 the evening before; the night runs to 08:30.
    w.dutyLog.insert({ ts: shanghai('2026-11-24T00:58'), kind: 'gateway.started', params: {} });
    w.clock.set(shanghai('2026-11-24T00:58'));
    const marks = createShiftMarks({ store: w.store, dutyLog: w.dutyLog, plan: w.plan, roster, clock: w.clock, logger: silentLogger });
    expect(marks.tick().map((e) => `${e.kind} ${String(e.params['shift'])}`)).toEqual(['shift.started 2026-11-23/night']);
  });
});

describe('emergency handling form (L3)', () => {
  it('L3: a major event gets its emergency handling form, an entry of its own that the photos of the scene attach to', () => {
    const minor = journal.addNote(note(), w.user('duty'));
    const major = journal.addNote(note({ major: true, situation: 'Pipe burst in pump room B2', occurredAt: shanghai('2026-11-23T09:40') }), w.user('duty'));
    const form = { occurredAt: shanghai('2026-11-23T09:40'), place: 'Pump room B2', situation: 'Riser pipe burst at the elbow', actions: 'Valve V12 closed, pump power isolated, water pumped out', people: 'Duty Li, Guard Zhao, plumber Wu', result: 'Elbow replaced, water back 11:30' };
    expect(refused(() => journal.addEmergencyForm({ ...form, relatesTo: minor.id }, w.user('duty')))).toBe(`RW_INVALID_REQUEST: entry ${minor.id} is not a major event`);
    const e = journal.addEmergencyForm({ ...form, relatesTo: major.id }, w.user('duty'));
    expect(e).toMatchObject({ kind: 'emergency.form', username: 'duty', params: { ...form, relatesTo: major.id, occurredAtText: '2026-11-23 09:40', user: 'Duty Li', rule: 'L3' } });
    const photo = attachments.add(e.id, { name: 'burst.png', contentType: 'image/png', bytes: PNG }, w.user('duty'));
    expect(attachments.forEntries([e.id]).map((a) => a.id)).toEqual([photo.id]);
  });
});

describe('daily sign-off (L4)', () => {
  it('a supervisor signs an ended day once; unsigned days stay visible', () => {
    w.clock.set(shanghai('2026-11-23T10:00'));
    journal.addNote(note(), w.user('duty'));
    expect(refused(() => journal.sign('2026-11-22', 'ok', w.user('duty')))).toMatch(/^RW_FORBIDDEN: only a supervisor signs/);
    // The 22nd's night shift runs until 08:30 on the 23rd; the 23rd is still being written.
    expect(refused(() => journal.sign('2026-11-23', 'ok', w.user('lead')))).toMatch(/^RW_INVALID_REQUEST: the log of 2026-11-23 is still being written/);
    expect(journal.unsigned(3).days.map((d) => d.date)).toEqual(['2026-11-22', '2026-11-21', '2026-11-20']);
    const signed = journal.sign('2026-11-22', 'Checked, leak follow-up with engineering', w.user('lead'));
    expect(signed.signoff).toEqual({ by: 'lead', byName: 'Lead Zhang', at: w.clock.now(), comment: 'Checked, leak follow-up with engineering' });
    expect(refused(() => journal.sign('2026-11-22', 'again', w.user('chen')))).toMatch(/^RW_ALREADY_SIGNED/);
    expect(journal.unsigned(3).days.map((d) => d.date)).toEqual(['2026-11-21', '2026-11-20']);
    w.clock.set(shanghai('2026-11-24T09:00'));
    expect(journal.unsigned(1).days).toEqual([{ date: '2026-11-23', entries: 2, awaiting: 'supervisor' }]); // the note and the signature of the 22nd
    expect(w.dutyLog.list({ limit: 1 })[0]).toMatchObject({ kind: 'log.signed', username: 'lead', params: { date: '2026-11-22' } });
  });

  it('L4: days that were over before the site first started are not listed as unsigned (a new install owes no signatures)', () => {
    // The demo started at 00:58 on the 23rd: the 22nd's night shift ran until 08:30 that morning, so the 22nd was
    // still being written; the 21st and before had no gateway to write them.
    w.dutyLog.insert({ ts: shanghai('2026-11-23T00:58'), kind: 'gateway.started', params: {} });
    w.clock.set(shanghai('2026-11-25T10:00'));
    expect(journal.unsigned(31).days.map((d) => d.date)).toEqual(['2026-11-24', '2026-11-23', '2026-11-22']);
  });
});

describe('the manager\'s second signature (L4)', () => {
  it('L4: where the site asks for it, the manager in charge signs each day after the supervisor; until then the day is unsigned', () => {
    const counter = createJournal({ store: w.store, dutyLog: w.dutyLog, plan: w.plan, roster, attachments, clock: w.clock, roomIds: new Set(), managerSignature: true });
    const manager = { username: 'zhao', displayName: 'Manager Zhao', role: 'manager' as const };
    expect(refused(() => counter.countersign('2026-11-22', 'ok', manager))).toBe('RW_INVALID_REQUEST: the log of 2026-11-22 is not yet checked and signed by a supervisor');
    counter.sign('2026-11-22', 'Checked', w.user('lead'));
    expect(counter.unsigned(1).days.find((d) => d.date === '2026-11-22')?.awaiting).toBe('manager');
    expect(refused(() => counter.countersign('2026-11-22', 'ok', w.user('chen')))).toBe('RW_FORBIDDEN: the manager in charge signs here (L4)');
    const day = counter.countersign('2026-11-22', 'Seen', manager);
    expect([day.countersignRequired, day.countersign?.by, day.countersign?.comment]).toEqual([true, 'zhao', 'Seen']);
    expect(w.dutyLog.list({ limit: 1 })[0]).toMatchObject({ kind: 'log.countersigned', username: 'zhao', params: { date: '2026-11-22', rule: 'L4' } });
    expect(counter.unsigned(1).days.some((d) => d.date === '2026-11-22')).toBe(false);
    expect(refused(() => counter.countersign('2026-11-22', 'again', manager))).toMatch(/^RW_ALREADY_SIGNED/);
    // A manager who did the check (a manager counts as a supervisor) does not give the second signature too.
    counter.sign('2026-11-21', 'Checked', manager);
    expect(refused(() => counter.countersign('2026-11-21', 'me again', manager))).toMatch(/^RW_FORBIDDEN: Manager Zhao already signed the log of 2026-11-21/);
    // A site without it: one signature is the whole sign-off, and the manager's is refused.
    expect(journal.day('2026-11-22').countersignRequired).toBe(false);
    expect(refused(() => journal.countersign('2026-11-22', 'x', manager))).toMatch(/^RW_INVALID_REQUEST: this site does not ask/);
  });
});

describe('retention (L5: two years)', () => {
  it('removes only what is older than two years, with its attachments, and says so', () => {
    const now = shanghai('2028-11-23T10:00');
    const cutoff = retentionCutoff(now);
    expect(new Date(cutoff).toISOString()).toBe('2026-11-23T02:00:00.000Z');
    w.clock.set(cutoff - 60_000);
    const old = journal.addNote(note({ major: true }), w.user('duty'));
    attachments.add(old.id, { name: 'scene.png', contentType: 'image/png', bytes: PNG }, w.user('duty'));
    w.clock.set(cutoff + 60_000);
    const young = journal.addNote(note(), w.user('duty'));
    w.clock.set(now);
    const deps = { store: w.store, dutyLog: w.dutyLog, attachments, clock: w.clock, logger: silentLogger, plan: w.plan };

    const dry = purgeExpired(deps, true);
    expect([dry.entries, dry.attachments, dry.dryRun]).toEqual([2, 1, true]); // the note and its attachment entry
    expect(w.dutyLog.list({ limit: 10 }).some((e) => e.id === old.id)).toBe(true);

    const done = purgeExpired(deps);
    expect([done.entries, done.attachments, done.rosterMonths]).toEqual([2, 1, 0]);
    const left = w.dutyLog.list({ limit: 10 });
    expect(left.map((e) => e.kind)).toEqual(['retention.purged', 'note.added']);
    expect(left[1]!.id).toBe(young.id);
    // A5: the chain still verifies from its recorded new start, and only from there.
    expect(left[0]!.params).toMatchObject({ firstKeptId: young.id });
    expect(w.dutyLog.verify()).toEqual({ entries: 2, firstBreak: null });
    expect(readdirSync(join(w.dir, 'attachments'))).toEqual([]);
    expect(purgeExpired(deps).entries).toBe(0); // nothing more to remove, and no second purge entry
    expect(w.dutyLog.list({ limit: 10 })).toHaveLength(2);
    expect(existsSync(join(w.dir, 'roomwatch.db'))).toBe(true);
  });

  it('a day\'s sign-off and a month\'s roster go once the whole log is past, its last night shift included (site days, S2)', () => {
    w.clock.set(shanghai('2026-11-20T10:00'));
    roster.saveDraft('2026-11', [{ date: '2026-11-30', shiftId: 'night', username: 'duty' }], w.user('lead'));
    w.clock.set(shanghai('2026-12-01T10:00'));
    journal.sign('2026-11-29', 'ok', w.user('lead'));
    journal.sign('2026-11-30', 'ok', w.user('lead'));
    const deps = { store: w.store, dutyLog: w.dutyLog, attachments, clock: w.clock, logger: silentLogger, plan: w.plan };
    // Two years on, 08:10 on 1 December site time (00:10 UTC, already 1 December in UTC): the night of 30 November
    // (17:30–08:30) still has twenty minutes inside the two years, so its sign-off and November's roster stay.
    w.clock.set(shanghai('2028-12-01T08:10'));
    expect(purgeExpired(deps, true)).toMatchObject({ signoffs: 1, rosterMonths: 0 });
    w.clock.set(shanghai('2028-12-01T08:30'));
    expect(purgeExpired(deps, true)).toMatchObject({ signoffs: 2, rosterMonths: 1 });
    // 03:00 site time (19:00 UTC the day before): the 29th's log ended at 08:30 on the 30th, the 30th's has not.
    w.clock.set(shanghai('2028-12-01T03:00'));
    expect(purgeExpired(deps, true)).toMatchObject({ signoffs: 1, rosterMonths: 0 });
  });

  it('counts days in the site\'s zone west of UTC too, where the UTC date runs a day ahead in the evening', () => {
    const chicago = createShiftPlan([], 'America/Chicago');
    // 20:00 on 30 November in Chicago is 02:00 on 1 December UTC; that evening is still inside the two years.
    expect(formatDate(lastDayGone(Date.parse('2026-12-01T02:00:00Z'), chicago))).toBe('2026-11-29');
    expect(formatDate(lastDayGone(Date.parse('2026-12-01T06:00:00Z'), chicago))).toBe('2026-11-30'); // midnight in Chicago
  });
});
