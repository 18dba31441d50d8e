// Patrols (P1, P3, P4) with a fake clock: periods per shift, every N minutes at night, monthly and
// half-yearly; rounds with checklist and readings (live and entered); overdue periods logged once and
// announced on the bus for the alarm service.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createPatrols, type Patrols } from '../../src/patrols/patrols.ts';
import { slotsBetween } from '../../src/patrols/slots.ts';
import type { PatrolSchedule } from '../../src/patrols/config-schema.ts';
import type { PatrolOverdue } from '../../src/contract/api.ts';
import type { Reading } from '../../src/core/reading.ts';
import { refused, shanghai, shiftWorld, type ShiftWorld } from '../helpers/shifts.ts';
import { openItems } from '../../src/duty/entries.ts';

const n = (en: string) => ({ en, 'zh-CN': en });
const p4 = [
  { id: 'clean', name: n('Equipment, room and site clean') },
  { id: 'no-leak', name: n('No leaking electricity, oil, water or gas') },
];
const schedules: PatrolSchedule[] = [
  { id: 'dist-shift', room: 'dist-room-b1', name: n('Distribution room round'), every: 'shift', checklist: p4, readings: [{ point: 'dist-b1-th1.temperature' }, { id: 'kwh', name: n('Main meter'), unit: 'kWh' }] },
  { id: 'night-security', room: 'lobby', name: n('Night patrol'), every: { minutes: 40, from: '22:00', to: '06:00' }, graceMinutes: 10, checklist: [{ id: 'doors', name: n('Doors locked') }] },
  { id: 'dist-monthly', room: 'dist-room-b1', name: n('Detailed check'), every: 'month', checklist: p4 },
];

let w: ShiftWorld;
let patrols: Patrols;
let readings: Reading[];
let overdue: PatrolOverdue[];
const temp = (value: number): Reading => ({ pointKey: 'dist-b1-th1.temperature', roomId: 'dist-room-b1', deviceId: 'dist-b1-th1', point: 'temperature', value, unit: '°C', quality: 'good', ts: w.clock.now() });
const ok = { checklist: { clean: true, 'no-leak': true }, readings: { kwh: 10234.5 }, remarks: '' };

beforeEach(async () => {
  w = await shiftWorld({ start: shanghai('2026-11-23T10:00') });
  readings = [];
  overdue = [];
  w.bus.on('patrolOverdue', 'test', (e) => overdue.push(e));
  patrols = createPatrols({ store: w.store, dutyLog: w.dutyLog, plan: w.plan, schedules, clock: w.clock, bus: w.bus, latestReadings: () => readings });
});
afterEach(() => w.dispose());

describe('periods (P1, P3)', () => {
  it('night patrols every 40 minutes from 22:00 to 06:00, across midnight', () => {
    const slots = slotsBetween({ minutes: 40, from: '22:00', to: '06:00' }, w.plan, shanghai('2026-11-23T12:00'), shanghai('2026-11-24T12:00'));
    expect(slots).toHaveLength(12);
    expect([slots[0]!.key, slots[0]!.start, slots.at(-1)!.end]).toEqual(['2026-11-23/000', shanghai('2026-11-23T22:00'), shanghai('2026-11-24T06:00')]);
    expect(slots[3]!.start).toBe(shanghai('2026-11-24T00:00'));
  });

  it('monthly and half-yearly periods follow the local calendar', () => {
    expect(slotsBetween('month', w.plan, shanghai('2026-11-23T10:00'), shanghai('2026-11-23T10:01'))).toEqual([{ key: '2026-11', start: shanghai('2026-11-01T00:00'), end: shanghai('2026-12-01T00:00') }]);
    expect(slotsBetween('halfYear', w.plan, shanghai('2026-11-23T10:00'), shanghai('2027-02-01T00:00')).map((s) => s.key)).toEqual(['2026-H2', '2027-H1']);
    expect(slotsBetween('shift', w.plan, shanghai('2026-11-23T10:00'), shanghai('2026-11-23T10:01')).map((s) => s.key)).toEqual(['2026-11-23/day']);
  });
});

describe('rounds (P1, P4)', () => {
  it('records the checklist, the live reading and the entered one, counted for the current shift', () => {
    readings = [temp(31.2)];
    const round = patrols.record('dist-shift', ok, w.user('duty'));
    expect([round.slotKey, round.readings, round.checklist]).toEqual(['2026-11-23/day', { 'dist-b1-th1.temperature': 31.2, kwh: 10234.5 }, { clean: true, 'no-leak': true }]);
    const status = patrols.status().find((s) => s.id === 'dist-shift')!;
    expect([status.slot?.key, status.slot?.done, status.lastRound?.id, status.readings.map((r) => [r.key, r.live, r.value])]).toEqual([
      '2026-11-23/day', true, round.id, [['dist-b1-th1.temperature', true, 31.2], ['kwh', false, null]],
    ]);
    expect(w.dutyLog.list({ limit: 1 })[0]).toMatchObject({ kind: 'patrol.done', username: 'duty', roomId: 'dist-room-b1', params: { schedule: 'dist-shift', slot: '2026-11-23/day', failed: '' } });
  });

  it('a problem found needs remarks; every item and entered reading needs an answer', () => {
    expect(refused(() => patrols.record('dist-shift', { ...ok, checklist: { clean: true, 'no-leak': false } }, w.user('duty')))).toBe('RW_INVALID_REQUEST: say what is wrong with no-leak and what was done (remarks)');
    expect(refused(() => patrols.record('dist-shift', { ...ok, checklist: { clean: true } }, w.user('duty')))).toBe('RW_INVALID_REQUEST: every checklist item needs an answer (missing: no-leak)');
    expect(refused(() => patrols.record('dist-shift', { ...ok, readings: {} }, w.user('duty')))).toBe('RW_INVALID_REQUEST: reading "kwh" is missing');
    expect(refused(() => patrols.record('night-security', { checklist: { doors: true }, readings: {}, remarks: '' }, w.user('duty')))).toBe('RW_INVALID_REQUEST: no patrol of "night-security" is scheduled now');
    expect(refused(() => patrols.record('nowhere', ok, w.user('duty')))).toMatch(/^RW_NOT_FOUND/);
    const r = patrols.record('dist-shift', { ...ok, checklist: { clean: true, 'no-leak': false }, remarks: 'Oil drip under transformer 2; tray placed, reported to engineering' }, w.user('duty'));
    expect(w.dutyLog.list({ limit: 1 })[0]!.params['failed']).toBe('no-leak');
    expect(r.readings['dist-b1-th1.temperature']).toBeNull(); // no live reading: recorded as unknown, never guessed
  });

  it('a late round in the grace time counts for the period it missed, the next one for the next', () => {
    w.clock.set(shanghai('2026-11-23T22:45')); // period 22:00–22:40 missed by 5 min, grace 10
    expect(patrols.record('night-security', { checklist: { doors: true }, readings: {}, remarks: '' }, w.user('wang')).slotKey).toBe('2026-11-23/000');
    w.clock.set(shanghai('2026-11-23T22:48'));
    expect(patrols.record('night-security', { checklist: { doors: true }, readings: {}, remarks: '' }, w.user('wang')).slotKey).toBe('2026-11-23/001');
  });
});

describe('overdue (alarm hook and duty log)', () => {
  it('a period ending without a round is logged and announced once; done periods are not', () => {
    w.clock.set(shanghai('2026-11-23T22:05'));
    patrols.record('night-security', { checklist: { doors: true }, readings: {}, remarks: '' }, w.user('wang'));
    w.clock.set(shanghai('2026-11-23T23:29'));
    // Catching up on the last two days: every missed period, the day shift's round among them; not the done one.
    expect(patrols.tick()).toBeGreaterThan(3);
    const first = overdue.map((o) => `${o.scheduleId} ${o.slotKey}`);
    expect(first).toContain('dist-shift 2026-11-23/day');
    expect(overdue.find((o) => o.slotKey === '2026-11-23/day')?.dueBy).toBe(shanghai('2026-11-23T17:45'));
    expect(first.filter((k) => k.startsWith('night-security 2026-11-23/'))).toEqual([]);
    overdue.length = 0;
    w.clock.set(shanghai('2026-11-23T23:31')); // 22:40–23:20 + 10 min grace has passed without a round
    expect(patrols.tick()).toBe(1);
    expect(patrols.tick()).toBe(0);
    expect(overdue.map((o) => [o.scheduleId, o.slotKey, o.dueBy])).toEqual([['night-security', '2026-11-23/001', shanghai('2026-11-23T23:30')]]);
    expect(w.dutyLog.list({ limit: 1 })[0]).toMatchObject({ kind: 'patrol.overdue', roomId: 'lobby', params: { schedule: 'night-security', slot: '2026-11-23/001' } });
    const shown = patrols.status().find((s) => s.id === 'night-security')!.overdue.map((o) => o.key);
    expect([shown.includes('2026-11-23/001'), shown.includes('2026-11-23/000')]).toEqual([true, false]);
  });

  it('P1: a supervisor doubles the shift patrols for the night: two periods, each due and each missed on its own', () => {
    const until = shanghai('2026-11-24T08:30');
    expect(refused(() => patrols.stepUp('dist-shift', { until, reason: 'Typhoon warning' }, w.user('duty')))).toBe('RW_FORBIDDEN: only a supervisor steps up patrols (P1)');
    expect(refused(() => patrols.stepUp('dist-shift', { until: shanghai('2026-11-23T09:00'), reason: 'x' }, w.user('lead')))).toMatch(/^RW_INVALID_REQUEST/);
    const status = patrols.stepUp('dist-shift', { from: shanghai('2026-11-23T17:00'), until, reason: 'Typhoon warning: peak load on the chillers' }, w.user('lead'));
    expect(status.stepUp).toEqual({ factor: 2, from: shanghai('2026-11-23T17:00'), until, reason: 'Typhoon warning: peak load on the chillers', by: 'lead', byName: 'Lead Zhang' });
    expect(w.dutyLog.list({ limit: 1 })[0]).toMatchObject({ kind: 'patrol.steppedUp', username: 'lead', params: { schedule: 'dist-shift', factor: 2, rule: 'P1', reason: 'Typhoon warning: peak load on the chillers' } });
    // The day shift (started before) is unchanged; the night is split in two halves.
    expect(status.slot?.key).toBe('2026-11-23/day');
    patrols.record('dist-shift', ok, w.user('duty'));
    w.clock.set(shanghai('2026-11-23T20:00'));
    expect(patrols.status().find((s) => s.id === 'dist-shift')!.slot).toMatchObject({ key: '2026-11-23/night+1', start: shanghai('2026-11-23T17:30'), end: shanghai('2026-11-24T01:00'), done: false });
    expect(patrols.record('dist-shift', ok, w.user('wang')).slotKey).toBe('2026-11-23/night+1');
    w.clock.set(shanghai('2026-11-24T08:46')); // the second half ended at 08:30, plus 15 min grace
    patrols.tick(shanghai('2026-11-23T09:00')); // watched since this morning
    expect(overdue.filter((o) => o.scheduleId === 'dist-shift').map((o) => [o.slotKey, o.dueBy])).toEqual([['2026-11-23/night+2', shanghai('2026-11-24T08:45')]]);
  });

  it('P1: a finding the shift cannot fix is reported in writing to the supervisor: an open item until closed', () => {
    patrols = createPatrols({ store: w.store, dutyLog: w.dutyLog, plan: w.plan, schedules, clock: w.clock, bus: w.bus, latestReadings: () => readings, supervisors: () => [w.user('lead')] });
    expect(refused(() => patrols.record('dist-shift', { ...ok, remarks: 'x', unfixed: true }, w.user('duty')))).toBe('RW_INVALID_REQUEST: mark the checklist item that has the problem the shift cannot fix');
    patrols.record('dist-shift', { ...ok, checklist: { clean: true, 'no-leak': false }, remarks: 'Oil leak at transformer 2 gasket; needs a shutdown to replace', unfixed: true }, w.user('duty'));
    const reported = w.dutyLog.list({ limit: 1 })[0]!;
    expect(reported).toMatchObject({ kind: 'patrol.reported', username: 'duty', roomId: 'dist-room-b1', params: { to: 'Lead Zhang', failed: 'no-leak', situation: 'Oil leak at transformer 2 gasket; needs a shutdown to replace', rule: 'P1' } });
    expect(openItems(w.store.db).map((e) => e.id)).toEqual([reported.id]);
  });

  it('QR code: an SVG that opens the patrol form in the console', async () => {
    const svg = await patrols.qrSvg('dist-shift', 'http://192.168.1.20:8080/');
    expect(svg).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    expect(svg.length).toBeGreaterThan(500);
    await expect(patrols.qrSvg('nowhere', 'http://x')).rejects.toMatchObject({ code: 'RW_NOT_FOUND' });
  });
});
