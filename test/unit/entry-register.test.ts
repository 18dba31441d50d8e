// The machine-room entry register (R3): approver must be a supervisor who confirms with their own password,
// escort a staff member; in and out times; each movement in the duty log; leaving twice is refused.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createRoster } from '../../src/shifts/roster.ts';
import { createEntryRegister, type EntryRegister } from '../../src/rooms/entry-register.ts';
import type { RoomEntryRequest } from '../../src/contract/api.ts';
import { refused, shanghai, shiftWorld, type ShiftWorld } from '../helpers/shifts.ts';

let w: ShiftWorld;
let register: EntryRegister;
const visit = (over: Partial<RoomEntryRequest> = {}): RoomEntryRequest => ({ roomId: 'dist-room-b1', visitor: 'Wu Gang', organisation: 'City Power', purpose: 'Meter replacement', approvedBy: 'lead', approverPassword: 'lead', escort: 'duty', ...over });

beforeEach(async () => {
  w = await shiftWorld({ start: shanghai('2026-11-23T10:00') });
  const roster = createRoster({ store: w.store, plan: w.plan, dutyLog: w.dutyLog, clock: w.clock });
  register = createEntryRegister({ store: w.store, dutyLog: w.dutyLog, roster, users: w.users, clock: w.clock, roomIds: new Set(['dist-room-b1']) });
});
afterEach(() => w.dispose());

describe('room entry register (R3)', () => {
  it('registers an approved, escorted visitor in and out, in the duty log too', async () => {
    const inside = await register.enter(visit(), w.user('duty'));
    expect([inside.inAt, inside.outAt, inside.approvedBy, inside.escort, inside.recordedBy]).toEqual([w.clock.now(), null, 'lead', 'duty', 'duty']);
    w.clock.advance(45 * 60_000);
    const out = register.exit(inside.id, w.user('wang'));
    expect(out.outAt).toBe(w.clock.now());
    expect(refused(() => register.exit(inside.id, w.user('duty')))).toBe(`RW_INVALID_REQUEST: visitor ${inside.id} has already left`);
    expect(refused(() => register.exit(999, w.user('duty')))).toMatch(/^RW_NOT_FOUND/);
    expect(w.dutyLog.list({ limit: 5 }).map((e) => [e.kind, e.username, e.roomId, e.params['minutes'] ?? e.params['approver']]).reverse()).toEqual([
      ['room.entered', 'duty', 'dist-room-b1', 'Lead Zhang'],
      ['room.exited', 'wang', 'dist-room-b1', 45],
    ]);
  });

  it('refuses an approver who is not a supervisor or does not confirm with their own password, an unknown escort or room (R3)', async () => {
    await expect(register.enter(visit({ approvedBy: 'wang' }), w.user('duty'))).rejects.toMatchObject({ code: 'RW_INVALID_REQUEST', message: 'the approver "wang" must be an active supervisor (R3)' });
    await expect(register.enter(visit({ approverPassword: 'duty' }), w.user('duty'))).rejects.toMatchObject({ code: 'RW_BAD_CREDENTIALS', message: 'lead did not confirm the entry: wrong password (R3)' });
    await expect(register.enter(visit({ escort: 'ghost' }), w.user('duty'))).rejects.toMatchObject({ code: 'RW_INVALID_REQUEST', message: 'the escort "ghost" must be an active staff member (R3)' });
    await expect(register.enter(visit({ roomId: 'roof' }), w.user('duty'))).rejects.toMatchObject({ code: 'RW_INVALID_REQUEST', message: 'unknown room "roof"' });
    expect(w.dutyLog.list({ limit: 5 }).filter((e) => e.kind === 'room.entered')).toEqual([]);
  });

  it('lists those still inside first', async () => {
    const a = await register.enter(visit({ visitor: 'A' }), w.user('duty'));
    const b = await register.enter(visit({ visitor: 'B' }), w.user('duty'));
    register.exit(b.id, w.user('duty'));
    const c = await register.enter(visit({ visitor: 'C' }), w.user('duty'));
    expect(register.list(10).map((e) => e.id)).toEqual([c.id, a.id, b.id]);
  });
});
