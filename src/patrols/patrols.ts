// Patrols and inspections (P1, P3, P4): each schedule has periods (slots); a round recorded on a phone or
// the console counts for the earliest open period it falls in (or its grace); a period that ends without
// a round is overdue: written to the duty log once and announced on the bus for the alarm service.
import QRCode from 'qrcode';
import type { Store } from '../store/store.ts';
import type { Clock } from '../core/clock.ts';
import type { Bus } from '../core/bus.ts';
import type { Reading } from '../core/reading.ts';
import type { DutyLog } from '../sinks/duty-log/duty-log.ts';
import type { UserView } from '../contract/api.ts';
import type { PatrolRoundRequest, PatrolRoundView, PatrolStatusView } from '../contract/patrols.ts';
import type { PatrolSchedule } from './config-schema.ts';
import type { ShiftPlan } from '../shifts/shift-plan.ts';
import { DomainError } from '../core/errors.ts';
import { slotsBetween, type Slot } from './slots.ts';

export interface Patrols {
  status(): PatrolStatusView[];
  record(scheduleId: string, round: PatrolRoundRequest, by: UserView): PatrolRoundView;
  rounds(scheduleId: string, limit: number): PatrolRoundView[];
  /**
   * Logs and announces every period that ended (with grace) in the last two days without a round; periods that
   * began before `watchedSince` (the site's first start) are not held against anyone.
   */
  tick(watchedSince?: number): number;
  /** SVG of a QR code opening the schedule's patrol form in the console at `consoleUrl`. */
  qrSvg(scheduleId: string, consoleUrl: string): Promise<string>;
}

interface RoundRow {
  id: number;
  schedule_id: string;
  slot_key: string;
  room_id: string;
  username: string;
  ts: number;
  checklist: string;
  readings: string;
  remarks: string;
}

const LOOKBACK = 2 * 86_400_000;

const roundView = (r: RoundRow): PatrolRoundView => ({
  id: r.id,
  scheduleId: r.schedule_id,
  slotKey: r.slot_key,
  roomId: r.room_id,
  username: r.username,
  ts: r.ts,
  checklist: JSON.parse(r.checklist) as Record<string, boolean>,
  readings: JSON.parse(r.readings) as Record<string, number | boolean | null>,
  remarks: r.remarks,
});

export function createPatrols(deps: { store: Store; dutyLog: DutyLog; plan: ShiftPlan; schedules: readonly PatrolSchedule[]; clock: Clock; bus: Bus; latestReadings: () => readonly Reading[] }): Patrols {
  const { store, dutyLog, plan, schedules, clock, bus } = deps;
  const { db } = store;
  const byId = new Map(schedules.map((s) => [s.id, s]));
  const grace = (s: PatrolSchedule): number => (s.graceMinutes ?? 15) * 60_000;
  const done = (s: PatrolSchedule, slot: Slot): boolean => db.prepare('SELECT 1 FROM patrol_rounds WHERE schedule_id = ? AND slot_key = ?').get(s.id, slot.key) !== undefined;
  const schedule = (id: string): PatrolSchedule => {
    const s = byId.get(id);
    if (!s) throw new DomainError('RW_NOT_FOUND', `no patrol schedule "${id}"`, 404);
    return s;
  };
  /** The period a round at `at` counts for: the earliest one still open (its end plus grace not passed) and not done. */
  const slotFor = (s: PatrolSchedule, at: number): Slot | null => {
    const open = slotsBetween(s.every, plan, at - grace(s), at + 1).filter((slot) => slot.start <= at && at < slot.end + grace(s));
    return open.find((slot) => !done(s, slot)) ?? open.at(-1) ?? null;
  };
  const live = (): Map<string, Reading> => new Map(deps.latestReadings().map((r) => [r.pointKey, r]));
  const every = (s: PatrolSchedule): string => (typeof s.every === 'string' ? s.every : `${s.every.minutes}min${s.every.from ? ` ${s.every.from}-${s.every.to}` : ''}`);

  return {
    status() {
      const now = clock.now();
      const latest = live();
      return schedules.map((s) => {
        const slot = slotFor(s, now);
        const last = db.prepare('SELECT * FROM patrol_rounds WHERE schedule_id = ? ORDER BY id DESC LIMIT 1').get(s.id) as RoundRow | undefined;
        const overdue = (db.prepare('SELECT slot_key FROM patrol_overdue WHERE schedule_id = ? ORDER BY rowid DESC LIMIT 20').all(s.id) as { slot_key: string }[]).map((r) => r.slot_key);
        const recent = slotsBetween(s.every, plan, now - LOOKBACK, now).filter((x) => overdue.includes(x.key));
        return {
          id: s.id,
          roomId: s.room,
          name: s.name,
          every: every(s),
          checklist: s.checklist,
          readings: (s.readings ?? []).map((r) => {
            if ('point' in r) {
              const reading = latest.get(r.point);
              return { key: r.point, name: null, unit: reading?.unit ?? '', live: true, value: reading?.quality === 'good' ? reading.value : null };
            }
            return { key: r.id, name: r.name, unit: r.unit, live: false, value: null };
          }),
          slot: slot ? { ...slot, done: done(s, slot) } : null,
          lastRound: last ? roundView(last) : null,
          overdue: recent.map((x) => ({ key: x.key, end: x.end })),
        };
      });
    },

    record(id, round, by) {
      const s = schedule(id);
      const now = clock.now();
      const slot = slotFor(s, now);
      if (!slot) throw new DomainError('RW_INVALID_REQUEST', `no patrol of "${id}" is scheduled now`, 400);
      const missing = s.checklist.filter((c) => typeof round.checklist[c.id] !== 'boolean').map((c) => c.id);
      if (missing.length > 0) throw new DomainError('RW_INVALID_REQUEST', `every checklist item needs an answer (missing: ${missing.join(', ')})`, 400);
      const failed = s.checklist.filter((c) => round.checklist[c.id] === false).map((c) => c.id);
      // P1: problems found are recorded (and what could not be fixed is reported in writing).
      if (failed.length > 0 && round.remarks.trim() === '') throw new DomainError('RW_INVALID_REQUEST', `say what is wrong with ${failed.join(', ')} and what was done (remarks)`, 400);
      const latest = live();
      const readings: Record<string, number | boolean | null> = {};
      for (const r of s.readings ?? []) {
        if ('point' in r) {
          const reading = latest.get(r.point);
          readings[r.point] = reading?.quality === 'good' ? reading.value : null;
        } else {
          const value = round.readings[r.id];
          if (typeof value !== 'number' || !Number.isFinite(value)) throw new DomainError('RW_INVALID_REQUEST', `reading "${r.id}" is missing`, 400);
          readings[r.id] = value;
        }
      }
      const checklist = Object.fromEntries(s.checklist.map((c) => [c.id, round.checklist[c.id]!]));
      const row = store.transaction(() => {
        const e = dutyLog.insert({ ts: now, kind: 'patrol.done', roomId: s.room, username: by.username, params: { schedule: s.id, slot: slot.key, failed: failed.join(', '), remarks: round.remarks, user: by.displayName } });
        const r = db
          .prepare('INSERT INTO patrol_rounds (schedule_id, slot_key, room_id, username, ts, checklist, readings, remarks, entry_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING *')
          .get(s.id, slot.key, s.room, by.username, now, JSON.stringify(checklist), JSON.stringify(readings), round.remarks, e.id) as unknown as RoundRow;
        return r;
      });
      return roundView(row);
    },

    rounds(id, limit) {
      schedule(id);
      return (db.prepare('SELECT * FROM patrol_rounds WHERE schedule_id = ? ORDER BY id DESC LIMIT ?').all(id, limit) as unknown as RoundRow[]).map(roundView);
    },

    tick(watchedSince = Number.NEGATIVE_INFINITY) {
      const now = clock.now();
      let flagged = 0;
      for (const s of schedules) {
        for (const slot of slotsBetween(s.every, plan, now - LOOKBACK - grace(s), now)) {
          const dueBy = slot.end + grace(s);
          if (dueBy > now || dueBy <= now - LOOKBACK || slot.start < watchedSince || done(s, slot)) continue;
          const entry = store.transaction(() => {
            if (db.prepare('SELECT 1 FROM patrol_overdue WHERE schedule_id = ? AND slot_key = ?').get(s.id, slot.key)) return null;
            const e = dutyLog.insert({ ts: now, kind: 'patrol.overdue', roomId: s.room, params: { schedule: s.id, slot: slot.key, dueBy } });
            db.prepare('INSERT INTO patrol_overdue (schedule_id, slot_key, entry_id) VALUES (?, ?, ?)').run(s.id, slot.key, e.id);
            return e;
          });
          if (!entry) continue;
          flagged++;
          bus.emit('patrolOverdue', { scheduleId: s.id, roomId: s.room, slotKey: slot.key, dueBy, ts: now });
        }
      }
      return flagged;
    },

    async qrSvg(id, consoleUrl) {
      schedule(id);
      return QRCode.toString(`${consoleUrl.replace(/\/+$/, '')}/#patrols/${encodeURIComponent(id)}`, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
    },
  };
}
