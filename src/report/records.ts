// The records part of a period report (M1): equipment run hours and starts (A3's start/stop entries), faults of
// the equipment, and the compliance evidence: patrols done/late/missed per schedule (P1, P3), handovers on time,
// late or refused with their reasons (S5, S6), duty-log days signed (L4), room entries (R3), playbooks (E1–E4,
// L7) and the incidents written down (L2). Pure reads of the main store.
import type { DatabaseSync } from 'node:sqlite';
import type { PeriodReportView } from '../contract/period-report.ts';
import type { PatrolSchedule } from '../patrols/config-schema.ts';
import { slotsBetween } from '../patrols/slots.ts';
import type { ShiftPlan } from '../shifts/shift-plan.ts';
import { formatDate, localDateOf } from '../shifts/zoned-time.ts';
import { daysOf, type Period } from './period.ts';

const DAY = 86_400_000;
/** L2 categories that are incidents (accidents, theft, fights, staff violations), not routine notes. */
const INCIDENT_CATEGORIES = ['accident-wind', 'accident-fire', 'accident-water', 'accident-electricity', 'theft', 'fight', 'staff-violation', 'complaint'];

export interface RecordsDeps {
  db: DatabaseSync;
  plan: ShiftPlan;
  schedules: readonly PatrolSchedule[];
  /** Devices whose run status the gateway watches (pumps, chillers): device id → room id. */
  equipment: ReadonlyMap<string, string>;
}

type Records = Pick<PeriodReportView, 'faults' | 'compliance' | 'patrolReadings'> & { equipment: Omit<PeriodReportView['equipment'][number], 'counterHours'>[] };

/** Records of [period.from, to) where `to` ≤ now; `roomId` null for the whole site. */
export function recordsOf(deps: RecordsDeps, period: Period, to: number, now: number, roomId: string | null): Records {
  const { db, plan } = deps;
  const { from } = period;
  const inRoom = (r: string | null): boolean => roomId === null || r === roomId;
  const entries = (kind: string, a: number, b: number) =>
    (db.prepare('SELECT ts, room_id, device_id, point_key, params FROM duty_log WHERE kind = ? AND ts >= ? AND ts < ? ORDER BY ts, id').all(kind, a, b) as { ts: number; room_id: string | null; device_id: string | null; point_key: string | null; params: string }[]).filter(
      (e) => inRoom(e.room_id),
    );

  // Equipment: run intervals from start/stop entries; one running at the start of the period counts from it.
  const events = (db
    .prepare("SELECT ts, kind, device_id FROM duty_log WHERE kind IN ('equipment.started', 'equipment.stopped') AND ts < ? ORDER BY ts, id")
    .all(to) as { ts: number; kind: string; device_id: string | null }[]);
  const runs = new Map<string, { starts: number; ms: number; since: number | null }>();
  for (const [deviceId, room] of deps.equipment) if (inRoom(room)) runs.set(deviceId, { starts: 0, ms: 0, since: null });
  for (const e of events) {
    const r = e.device_id === null ? undefined : runs.get(e.device_id);
    if (!r) continue;
    if (e.kind === 'equipment.started') {
      if (e.ts >= from) r.starts++;
      r.since ??= e.ts;
    } else if (r.since !== null) {
      r.ms += Math.max(0, e.ts - Math.max(r.since, from));
      r.since = null;
    }
  }
  const equipment = [...runs].map(([deviceId, r]) => ({ deviceId, roomId: deps.equipment.get(deviceId)!, starts: r.starts, runHours: (r.ms + (r.since === null ? 0 : to - Math.max(r.since, from))) / 3_600_000 }));

  const faultRows = db
    .prepare("SELECT device_id, room_id, point_key, condition, value AS code, count(*) AS count, max(raised_at) AS lastAt FROM alarms WHERE kind = 'discrete' AND raised_at >= ? AND raised_at < ? GROUP BY point_key, condition, value ORDER BY count DESC, point_key, value")
    .all(from, to) as { device_id: string; room_id: string; point_key: string; condition: string; code: number; count: number; lastAt: number }[];
  const faults = faultRows
    .filter((f) => deps.equipment.has(f.device_id) && inRoom(f.room_id))
    .map((f) => ({ deviceId: f.device_id, roomId: f.room_id, pointKey: f.point_key, condition: f.condition, code: f.code, count: f.count, lastAt: f.lastAt }));

  // Patrols: a period is due once it has ended with its grace; done in time, done late (in the grace), or missed.
  const schedules = deps.schedules.filter((s) => inRoom(s.room));
  const patrols = schedules.map((s) => {
    const grace = (s.graceMinutes ?? 15) * 60_000;
    const due = slotsBetween(s.every, plan, from, to).filter((slot) => slot.start >= from && slot.end + grace <= now);
    const rounds = new Map(
      // The first round of each period counts (a later one for the same period is a repeat).
      (db.prepare('SELECT slot_key, min(ts) AS ts, checklist FROM patrol_rounds WHERE schedule_id = ? AND ts >= ? AND ts < ? GROUP BY slot_key').all(s.id, from - DAY, to + DAY) as { slot_key: string; ts: number; checklist: string }[]).map((r) => [r.slot_key, r]),
    );
    const done = due.filter((slot) => rounds.has(slot.key));
    const late = done.filter((slot) => rounds.get(slot.key)!.ts >= slot.end).length;
    const checklistFailed = done.filter((slot) => Object.values(JSON.parse(rounds.get(slot.key)!.checklist) as Record<string, unknown>).includes(false)).length;
    return { scheduleId: s.id, roomId: s.room, due: due.length, done: done.length, late, missed: due.length - done.length, checklistFailed };
  });
  const patrolReadings = schedules.flatMap((s) => {
    const acc = new Map<string, number[]>();
    for (const row of db.prepare('SELECT readings FROM patrol_rounds WHERE schedule_id = ? AND ts >= ? AND ts < ?').all(s.id, from, to) as { readings: string }[]) {
      for (const [reading, v] of Object.entries(JSON.parse(row.readings) as Record<string, unknown>)) {
        if (typeof v !== 'number') continue;
        const list = acc.get(reading) ?? [];
        list.push(v);
        acc.set(reading, list);
      }
    }
    return [...acc].map(([reading, vs]) => ({ scheduleId: s.id, roomId: s.room, reading, count: vs.length, min: Math.min(...vs), max: Math.max(...vs), mean: vs.reduce((a, b) => a + b, 0) / vs.length }));
  });

  // Handovers of the shifts that started in the period and have ended: completed without a late mark are on time.
  const shifts = plan.shiftsBetween(from, to).filter((s) => s.start >= from && s.end <= now).map((s) => s.key);
  const keys = new Set(shifts);
  const completed = new Set((db.prepare("SELECT shift_key FROM handovers WHERE state = 'completed'").all() as { shift_key: string }[]).map((r) => r.shift_key).filter((k) => keys.has(k)));
  const lateMarks = new Set((db.prepare("SELECT shift_key FROM shift_marks WHERE event = 'handover-late'").all() as { shift_key: string }[]).map((r) => r.shift_key).filter((k) => keys.has(k)));
  const onTime = [...completed].filter((k) => !lateMarks.has(k)).length;
  const refused = entries('handover.refused', from, to).map((e) => {
    const p = JSON.parse(e.params) as Record<string, unknown>;
    return { ts: e.ts, shift: String(p['shift'] ?? ''), reasons: String(p['reasons'] ?? ''), user: String(p['user'] ?? '') };
  });

  // L4: every ended day of the period (site calendar) is signed by a supervisor.
  const today = formatDate(localDateOf(now, plan.timeZone));
  const days = daysOf(period).map(formatDate).filter((d) => d < today);
  const signed = new Set((db.prepare('SELECT date FROM duty_log_signoffs WHERE date >= ? AND date <= ?').all(days[0] ?? '', days.at(-1) ?? '') as { date: string }[]).map((r) => r.date));

  const roomEntries = (db.prepare('SELECT room_id FROM room_entries WHERE in_at >= ? AND in_at < ?').all(from, to) as { room_id: string }[]).filter((r) => inRoom(r.room_id)).length;
  const books = (db.prepare('SELECT id, type, room_id, opened_at, closed_at, report FROM playbooks WHERE (opened_at >= ? AND opened_at < ?) OR (closed_at >= ? AND closed_at < ?) ORDER BY id').all(from, to, from, to) as { id: number; type: string; room_id: string | null; opened_at: number; closed_at: number | null; report: string | null }[]).filter(
    (b) => roomId === null || b.room_id === roomId,
  );
  // L2 incidents by category: written down in the period, and closed in it (a `note.resolved` entry, S5/S7, or a
  // note written already resolved). A resolution names the note it closes; the category is that note's.
  const incidents = new Map<string, { count: number; closed: number }>();
  const tally = (category: unknown, field: 'count' | 'closed'): void => {
    if (typeof category !== 'string' || !INCIDENT_CATEGORIES.includes(category)) return;
    const t = incidents.get(category) ?? { count: 0, closed: 0 };
    t[field]++;
    incidents.set(category, t);
  };
  for (const e of entries('note.added', from, to)) {
    const p = JSON.parse(e.params) as { category?: unknown; resolved?: unknown };
    tally(p.category, 'count');
    if (p.resolved === true) tally(p.category, 'closed');
  }
  const categoryOf = db.prepare("SELECT json_extract(params, '$.category') AS category FROM duty_log WHERE id = ?");
  for (const e of entries('note.resolved', from, to)) {
    const closes = (JSON.parse(e.params) as { resolves?: unknown }).resolves;
    if (typeof closes === 'number') tally((categoryOf.get(closes) as { category: unknown } | undefined)?.category, 'closed');
  }

  return {
    equipment,
    faults,
    patrolReadings,
    compliance: {
      patrols,
      handovers: { shifts: shifts.length, onTime, late: lateMarks.size, missing: shifts.length - onTime - lateMarks.size, refused },
      dutyLog: { days: days.length, signed: days.filter((d) => signed.has(d)).length, unsigned: days.filter((d) => !signed.has(d)) },
      roomEntries,
      playbooks: {
        opened: books.filter((b) => b.opened_at >= from && b.opened_at < to).length,
        closed: books.filter((b) => b.closed_at !== null && b.closed_at >= from && b.closed_at < to).length,
        list: books.map((b) => ({ id: b.id, type: b.type, openedAt: b.opened_at, closedAt: b.closed_at, report: b.report })),
      },
      incidents: [...incidents].map(([category, t]) => ({ category, ...t })).sort((a, b) => b.count - a.count || a.category.localeCompare(b.category)),
    },
  };
}
