// A generated month of a small site for the period report's tests (M1): readings of the B1 distribution room's
// sensor every minute for October and November 2026 (Shanghai), with three afternoons above R1's 35 °C warning and
// 40 °C limit; and November's records: alarms (a flood, a chattering trio, a standing one, shelves, escalations),
// a pump's starts and stops and fault codes, patrol rounds, handovers, sign-offs, entries, a playbook, incidents,
// and October's meeting plan. Everything is kept as plain data, so the tests compute the expected figures from it
// on their own, never through the report's code.
import type { Store } from '../../src/store/store.ts';
import type { DutyLog } from '../../src/sinks/duty-log/duty-log.ts';
import type { History } from '../../src/sinks/historian/history.ts';
import type { Reading } from '../../src/core/reading.ts';

const MIN = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;
/** Shanghai is UTC+8 all year: local midnight of a date. */
export const localMidnight = (y: number, m: number, d: number): number => Date.UTC(y, m - 1, d) - 8 * HOUR;
export const NOV = { from: localMidnight(2026, 11, 1), to: localMidnight(2026, 12, 1) };
export const OCT = { from: localMidnight(2026, 10, 1), to: localMidnight(2026, 11, 1) };

export const TEMP = 'dist-b1-th1.temperature';
export const HUM = 'dist-b1-th1.humidity';
export const ROOM = 'dist-room-b1';
export const PUMP_ROOM = 'pump-room';

/** Deterministic pseudo-random numbers (mulberry32), so a failing figure can be reproduced. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Days (0-based in November) with an afternoon above the limits, from 14:00 for 40 minutes. */
export const HOT_DAYS = [4, 11, 18];
export function temperatureAt(ts: number): number {
  const november = ts >= NOV.from;
  const minute = Math.floor((ts - (november ? NOV.from : OCT.from)) / MIN);
  const day = Math.floor(minute / 1440);
  const of = minute % 1440;
  if (november && HOT_DAYS.includes(day) && of >= 840 && of < 880) return 36 + ((of - 840) % 20) * 0.25; // to 40.75
  return november ? 24 + (8 * of) / 1440 + (day % 7) * 0.3 : 23 + (7 * of) / 1440;
}
export function humidityAt(ts: number): number {
  const november = ts >= NOV.from;
  const minute = Math.floor((ts - (november ? NOV.from : OCT.from)) / MIN);
  return (november ? 50 : 45) + (Math.floor(minute / 1440) % 5) + ((minute % 1440) / 1440) * 4;
}

/** One reading a minute of both points through October and November. */
export function readingsOf(from = OCT.from, to = NOV.to): Reading[][] {
  const batches: Reading[][] = [];
  for (let ts = from; ts < to; ts += MIN) {
    const base = { roomId: ROOM, deviceId: 'dist-b1-th1', unit: '', quality: 'good' as const, ts };
    batches.push([
      { ...base, pointKey: TEMP, point: 'temperature', unit: '°C', value: temperatureAt(ts) },
      { ...base, pointKey: HUM, point: 'humidity', unit: '%RH', value: humidityAt(ts) },
    ]);
  }
  return batches;
}

/** The pump controller's operating-hours counter: on average half of each hour running. */
export const operatingHoursAt = (ts: number): number => 5000 + (ts - OCT.from) / 7_200_000;

export function writeReadings(history: History): void {
  for (const batch of readingsOf()) {
    const ts = batch[0]!.ts;
    history.writeReadings([...batch, { pointKey: 'pump-1.operatingHours', roomId: PUMP_ROOM, deviceId: 'pump-1', point: 'operatingHours', unit: 'h', quality: 'good', ts, value: operatingHoursAt(ts) }]);
  }
}

export interface GenAlarm {
  pointKey: string;
  roomId: string;
  deviceId: string;
  condition: string;
  priority: 'critical' | 'high' | 'medium' | 'low';
  kind: 'limit' | 'discrete';
  value: number;
  raisedAt: number;
  returnedAt: number;
  ackedAt: number;
  clearedAt: number;
  escalations: number[];
}

export interface MonthRecords {
  alarms: GenAlarm[];
  shelves: { alarm: number; at: number; until: number; unshelvedAt: number | null }[];
  tags: { deviceId: string; at: number; untaggedAt: number }[];
  pumpRuns: [number, number][];
  patrolSlots: { key: string; end: number; round: number | null; meter: number; failed: boolean }[];
  handovers: { shiftKey: string; completed: boolean; late: boolean }[];
  refusals: { ts: number; shift: string; reasons: string }[];
  unsignedDays: string[];
  roomEntries: number;
  incidents: number;
  previousPlan: string;
}

const PRIORITIES = ['critical', 'high', 'medium', 'low'] as const;

export function monthRecords(shiftKeys: readonly { key: string; start: number; end: number }[]): MonthRecords {
  const rnd = random(16);
  const alarms: GenAlarm[] = [];
  const add = (a: Omit<GenAlarm, 'roomId' | 'deviceId' | 'kind' | 'value' | 'escalations'> & Partial<GenAlarm>): void => {
    const escalations = a.escalations ?? (a.priority === 'critical' || a.priority === 'high' ? [300_000, 900_000].filter((d) => a.ackedAt - a.raisedAt > d).map((_, i) => i + 1) : []);
    alarms.push({ roomId: ROOM, deviceId: 'dist-b1-th1', kind: 'limit', value: 36, ...a, escalations });
  };
  // 100 alarms spread over the month (not in the burst's 10 minutes).
  for (let i = 0; i < 100; i++) {
    const raisedAt = NOV.from + Math.floor(rnd() * 29 * DAY);
    const priority = PRIORITIES[Math.floor(rnd() * 4)]!;
    const ackedAt = raisedAt + (5 + Math.floor(rnd() * 1800)) * 1000;
    const returnedAt = raisedAt + (30 + Math.floor(rnd() * 3600)) * 1000;
    add({ pointKey: i % 3 === 0 ? HUM : TEMP, condition: i % 2 ? 'high' : 'highHigh', priority, raisedAt, ackedAt, returnedAt, clearedAt: Math.max(ackedAt, returnedAt) });
  }
  // A flood: 12 raises between 10:01 and 10:08 on 29 November (local); different points so none chatter.
  const burst = localMidnight(2026, 11, 29) + 10 * HOUR + MIN;
  for (let i = 0; i < 12; i++) {
    const raisedAt = burst + i * 35_000;
    add({ pointKey: i % 2 ? HUM : TEMP, condition: i % 4 < 2 ? 'high' : 'highHigh', priority: 'medium', raisedAt, ackedAt: raisedAt + 120_000, returnedAt: raisedAt + 600_000, clearedAt: raisedAt + 600_000 });
  }
  // Chattering and fleeting: the humidity low alarm three times in 50 s, each back within 5 s.
  const chatter = localMidnight(2026, 11, 30) + 3 * HOUR;
  for (let i = 0; i < 3; i++) add({ pointKey: HUM, condition: 'low', priority: 'low', raisedAt: chatter + i * 25_000, returnedAt: chatter + i * 25_000 + 5_000, ackedAt: chatter + i * 25_000 + 60_000, clearedAt: chatter + i * 25_000 + 60_000 });
  // Standing: active 30 h from 20 November 08:00.
  const standing = localMidnight(2026, 11, 20) + 8 * HOUR;
  add({ pointKey: TEMP, condition: 'high', priority: 'high', raisedAt: standing, ackedAt: standing + 600_000, returnedAt: standing + 30 * HOUR, clearedAt: standing + 30 * HOUR });
  // The pump's faults: dry running (57) three times, overload (48) once.
  [2, 9, 16, 23].forEach((d, i) => {
    const raisedAt = NOV.from + d * DAY + 6 * HOUR;
    alarms.push({ pointKey: 'pump-1.alarmCode', roomId: PUMP_ROOM, deviceId: 'pump-1', condition: 'discrete', priority: 'high', kind: 'discrete', value: i === 3 ? 48 : 57, raisedAt, ackedAt: raisedAt + 200_000, returnedAt: raisedAt + HOUR, clearedAt: raisedAt + HOUR, escalations: [] });
  });
  alarms.sort((a, b) => a.raisedAt - b.raisedAt);

  // Shelving: 45 minutes ended by hand, 30 minutes run out; out of service: the pump tagged for 8 hours.
  const shelves = [
    { alarm: 10, at: NOV.from + 12 * DAY, until: NOV.from + 12 * DAY + HOUR, unshelvedAt: NOV.from + 12 * DAY + 45 * MIN },
    { alarm: 20, at: NOV.from + 14 * DAY, until: NOV.from + 14 * DAY + 30 * MIN, unshelvedAt: null },
  ];
  const tags = [{ deviceId: 'pump-1', at: NOV.from + 9 * DAY + 9 * HOUR, untaggedAt: NOV.from + 9 * DAY + 17 * HOUR }];

  // The pump runs 08:00–20:00 every day, and across both month ends.
  const pumpRuns: [number, number][] = [[NOV.from - 2 * HOUR, NOV.from + 2 * HOUR]];
  for (let d = 0; d < 29; d++) pumpRuns.push([NOV.from + d * DAY + 8 * HOUR, NOV.from + d * DAY + 20 * HOUR]);
  pumpRuns.push([NOV.from + 29 * DAY + 8 * HOUR, NOV.to + 4 * HOUR]);

  // A patrol each shift: every 6th missed, every 7th done late (in the grace), the others in time.
  const patrolSlots = shiftKeys.map((s, i) => ({ key: s.key, end: s.end, round: i % 6 === 5 ? null : i % 7 === 3 ? s.end + 5 * MIN : s.start + 2 * HOUR, meter: 1000 + i * 12.5, failed: i % 10 === 0 }));
  // Handovers: every 8th late (every other of those never completed), every 9th not recorded.
  const handovers = shiftKeys.map((s, i) => ({ shiftKey: s.key, late: i % 8 === 7, completed: i % 8 === 7 ? i % 16 === 7 : i % 9 !== 8 }));
  const refusals = [3, 17, 40].filter((i) => i < shiftKeys.length).map((i) => ({ ts: shiftKeys[i]!.end - 10 * MIN, shift: shiftKeys[i]!.key, reasons: i === 17 ? 'incidentOpen' : 'checklistIncomplete, staffShort' }));
  return {
    alarms,
    shelves,
    tags,
    pumpRuns,
    patrolSlots,
    handovers,
    refusals,
    unsignedDays: ['2026-11-07', '2026-11-14', '2026-11-21'],
    roomEntries: 3,
    incidents: 2,
    previousPlan: 'Replace the B1 exhaust fan before December',
  };
}

/** Writes the records into a running gateway's store, through its duty log (hash chain intact). */
export function insertRecords(store: Store, dutyLog: DutyLog, r: MonthRecords): void {
  const { db } = store;
  const log = (e: Parameters<DutyLog['append']>[0]): number => dutyLog.append(e).id;
  const insertAlarm = db.prepare(
    `INSERT INTO alarms (point_key, room_id, device_id, condition, priority, state, value, limit_value, unit, raised_at, acked_by, acked_by_name, acked_at, cleared_at, kind)
     VALUES (?, ?, ?, ?, ?, 'normal', ?, 35, '', ?, 'duty', 'Duty Li', ?, ?, ?) RETURNING id`,
  );
  const ids: number[] = [];
  for (const a of r.alarms) {
    const { id } = insertAlarm.get(a.pointKey, a.roomId, a.deviceId, a.condition, a.priority, a.value, a.raisedAt, a.ackedAt, a.clearedAt, a.kind) as { id: number };
    ids.push(id);
    const common = { roomId: a.roomId, deviceId: a.deviceId, pointKey: a.pointKey, alarmId: id };
    log({ ...common, ts: a.raisedAt, kind: 'alarm.raised', params: { condition: a.condition, priority: a.priority, value: a.value } });
    log({ ...common, ts: a.returnedAt, kind: 'alarm.returned', params: { condition: a.condition } });
    log({ ...common, ts: a.ackedAt, kind: 'alarm.acknowledged', username: 'duty', params: { condition: a.condition, user: 'Duty Li' } });
    a.escalations.forEach((level) => log({ ...common, ts: a.raisedAt + (level === 1 ? 300_000 : 900_000), kind: 'alarm.escalated', params: { level, role: level === 1 ? 'lead' : 'supervisor', targets: '—' } }));
    log({ ...common, ts: a.clearedAt, kind: 'alarm.cleared', params: { condition: a.condition } });
  }
  for (const s of r.shelves) {
    const a = r.alarms[s.alarm]!;
    const common = { roomId: a.roomId, deviceId: a.deviceId, pointKey: a.pointKey, alarmId: ids[s.alarm]! };
    log({ ...common, ts: s.at, kind: 'alarm.shelved', username: 'duty', params: { reason: 'sensor being replaced', until: new Date(s.until).toISOString() } });
    log({ ...common, ts: s.unshelvedAt ?? s.until, kind: 'alarm.unshelved', ...(s.unshelvedAt ? { username: 'duty' } : {}), params: { how: s.unshelvedAt ? 'manual' : 'expired' } });
  }
  for (const t of r.tags) {
    log({ ts: t.at, kind: 'device.tagged', roomId: PUMP_ROOM, deviceId: t.deviceId, username: 'lead', params: { tagKind: 'maintenance', reason: 'seal replacement' } });
    log({ ts: t.untaggedAt, kind: 'device.untagged', roomId: PUMP_ROOM, deviceId: t.deviceId, username: 'lead', params: { tagKind: 'maintenance', reason: 'seal replacement' } });
  }
  for (const [on, off] of r.pumpRuns) {
    log({ ts: on, kind: 'equipment.started', roomId: PUMP_ROOM, deviceId: 'pump-1', pointKey: 'pump-1.speed', params: { value: 2900, unit: 'rpm', rule: 'A3', readings: '—' } });
    log({ ts: off, kind: 'equipment.stopped', roomId: PUMP_ROOM, deviceId: 'pump-1', pointKey: 'pump-1.speed', params: { value: 0, unit: 'rpm', rule: 'A3', readings: '—' } });
  }
  const round = db.prepare("INSERT INTO patrol_rounds (schedule_id, slot_key, room_id, username, ts, checklist, readings, remarks, entry_id) VALUES ('b1-shift', ?, ?, 'duty', ?, ?, ?, '', ?)");
  for (const s of r.patrolSlots) {
    if (s.round === null) continue;
    const entry = log({ ts: s.round, kind: 'patrol.done', roomId: ROOM, username: 'duty', params: { schedule: 'b1-shift', slot: s.key, failed: '', remarks: '', user: 'Duty Li' } });
    round.run(s.key, ROOM, s.round, JSON.stringify({ clean: !s.failed }), JSON.stringify({ meter: s.meter }), entry);
  }
  const handover = db.prepare("INSERT INTO handovers (shift_key, state, outgoing_user, outgoing_signed_at, incoming_user, incoming_signed_at, checklist, present, unfit, note) VALUES (?, 'completed', 'duty', 0, 'lead', 0, '{}', '[]', '[]', '')");
  const late = db.prepare("INSERT INTO shift_marks (shift_key, event, entry_id) VALUES (?, 'handover-late', ?)");
  for (const h of r.handovers) {
    if (h.completed) handover.run(h.shiftKey);
    if (h.late) late.run(h.shiftKey, log({ ts: NOV.from, kind: 'handover.late', params: { shift: h.shiftKey } }));
  }
  for (const x of r.refusals) log({ ts: x.ts, kind: 'handover.refused', username: 'duty', params: { shift: x.shift, side: 'outgoing', reasons: x.reasons, user: 'Duty Li' } });
  const sign = db.prepare("INSERT INTO duty_log_signoffs (date, signed_by, signed_at, comment, entry_id) VALUES (?, 'lead', ?, 'checked', ?)");
  for (let d = 1; d <= 30; d++) {
    const date = `2026-11-${String(d).padStart(2, '0')}`;
    if (r.unsignedDays.includes(date)) continue;
    const ts = localMidnight(2026, 11, d) + 23 * HOUR;
    sign.run(date, ts, log({ ts, kind: 'log.signed', username: 'lead', params: { date, comment: 'checked', user: 'Lead Zhang' } }));
  }
  const entry = db.prepare("INSERT INTO room_entries (room_id, visitor, organisation, purpose, approved_by, escort, in_at, out_at, recorded_by) VALUES (?, 'Visitor', 'Power Co.', 'meter check', 'lead', 'duty', ?, ?, 'duty')");
  for (let i = 0; i < r.roomEntries; i++) entry.run(ROOM, NOV.from + (3 + i * 7) * DAY + 10 * HOUR, NOV.from + (3 + i * 7) * DAY + 11 * HOUR);
  const incidents = Array.from({ length: r.incidents }, (_, i) => log({ ts: NOV.from + (5 + i) * DAY, kind: 'note.added', roomId: ROOM, username: 'duty', params: { category: 'accident-water', situation: 'water on the floor', handling: 'mopped', followUp: 'find the leak', user: 'Duty Li' } }));
  // The first incident is closed in the console (S5/S7) the next day; the others stay open.
  const resolvedAt = NOV.from + 6 * DAY;
  if (incidents[0] !== undefined) log({ ts: resolvedAt, kind: 'note.resolved', roomId: ROOM, username: 'duty', params: { resolves: incidents[0], how: 'leaking valve replaced', resolvedAt, situation: 'water on the floor', major: false, user: 'Duty Li' } });
  log({ ts: NOV.from + 2 * HOUR, kind: 'report.meetingSigned', username: 'lead', params: { period: '2026-10', notes: 'October reviewed', plan: r.previousPlan, user: 'Lead Zhang' } });
}

