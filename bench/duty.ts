// `npm run bench -- duty [--days 31] [--per-day 200]`: the shifts and duty-log area on a real SQLite store.
// onDuty(role, at) is what the alarm escalation calls on every step; the day view is what the duty-log
// page and the handover read; adding a note is a durable write (synchronous=FULL) with its log entry.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { openStore } from '../src/store/store.ts';
import { createUsers } from '../src/auth/users.ts';
import { createDutyLog } from '../src/sinks/duty-log/duty-log.ts';
import { silentLogger } from '../src/core/logger.ts';
import { createShiftPlan } from '../src/shifts/shift-plan.ts';
import { createRoster } from '../src/shifts/roster.ts';
import { createAttachments } from '../src/duty/attachments.ts';
import { createJournal } from '../src/duty/journal.ts';
import { cpuMeter, report, summarize } from './lib/report.ts';

const time = (fn: () => void): number => {
  const t0 = performance.now();
  fn();
  return performance.now() - t0;
};

export async function main(args: string[]): Promise<void> {
  const { values } = parseArgs({ args, options: { days: { type: 'string', default: '30' }, 'per-day': { type: 'string', default: '200' } } });
  const days = Math.min(30, Number(values.days));
  const perDay = Number(values['per-day']);
  const dir = mkdtempSync(join(tmpdir(), 'roomwatch-bench-duty-'));
  const store = openStore(dir, silentLogger);
  let now = Date.parse('2026-11-01T00:00:00+08:00');
  const clock = { now: () => now };
  try {
    const users = createUsers(store, clock, 12);
    const crew = Array.from({ length: 12 }, (_, i) => ({ username: `duty${i}`, displayName: `Duty ${i}`, role: 'duty' as const, passwordHash: 'scrypt$16384$8$1$AAAA$AAAA' }));
    await users.syncFromConfig([...crew, { username: 'lead', displayName: 'Lead', role: 'supervisor', passwordHash: 'scrypt$16384$8$1$AAAA$AAAA' }]);
    const lead = users.get('lead')!;
    const dutyLog = createDutyLog(store);
    const plan = createShiftPlan(
      [
        { id: 'day', name: { en: 'Day', 'zh-CN': '白班' }, start: '08:30', end: '16:30', minStaff: { duty: 2 } },
        { id: 'evening', name: { en: 'Evening', 'zh-CN': '中班' }, start: '16:30', end: '23:30', minStaff: { duty: 2 } },
        { id: 'night', name: { en: 'Night', 'zh-CN': '夜班' }, start: '23:30', end: '08:30', minStaff: { duty: 2 } },
      ],
      'Asia/Shanghai',
    );
    const roster = createRoster({ store, plan, dutyLog, clock });
    const assignments = Array.from({ length: 30 }, (_, d) => `2026-11-${String(d + 1).padStart(2, '0')}`).flatMap((date, d) =>
      plan.definitions.flatMap((s, k) => [0, 1, 2].map((j) => ({ date, shiftId: s.id, username: `duty${(d * 3 + k * 4 + j) % 12}` }))),
    );
    roster.saveDraft('2026-11', assignments, lead);
    roster.publish('2026-11', lead);
    const journal = createJournal({ store, dutyLog, plan, roster, attachments: createAttachments({ store, dutyLog, clock, dataDir: dir }), clock, roomIds: new Set() });

    // Durable writes: one note per call, each its own committed transaction.
    const writes: number[] = [];
    let cpu = cpuMeter();
    for (let d = 0; d < days; d++) {
      for (let i = 0; i < perDay; i++) {
        now = Date.parse('2026-11-01T00:00:00+08:00') + d * 86_400_000 + Math.floor((i * 86_400_000) / perDay);
        writes.push(time(() => journal.addNote({ category: 'other', situation: `Round ${i}`, handling: 'ok', followUp: '' }, users.get(`duty${i % 12}`)!)));
      }
    }
    let c = cpu.stop();
    report(`duty log: add a note (durable), ${writes.length} notes`, { 'notes/s': (writes.length / c.wallMs) * 1000, 'cpu core share': c.coreShare }, summarize(writes));

    now = Date.parse('2026-12-01T12:00:00+08:00');
    const onDuty: number[] = [];
    cpu = cpuMeter();
    for (let i = 0; i < 5000; i++) {
      const at = Date.parse('2026-11-01T00:00:00+08:00') + ((i * 7_919_993) % (30 * 86_400_000));
      onDuty.push(time(() => void roster.onDuty('duty', at)));
    }
    c = cpu.stop();
    report('roster: onDuty(duty, at), published month, 3 shifts × 3 people', { 'calls/s': (onDuty.length / c.wallMs) * 1000, 'cpu core share': c.coreShare }, summarize(onDuty));

    const dayViews: number[] = [];
    cpu = cpuMeter();
    for (let i = 0; i < 300; i++) dayViews.push(time(() => void journal.day(`2026-11-${String((i % days) + 1).padStart(2, '0')}`)));
    c = cpu.stop();
    report(`duty log: a day's pages (${perDay} entries a day, ${writes.length} in the store)`, { 'views/s': (dayViews.length / c.wallMs) * 1000, 'cpu core share': c.coreShare }, summarize(dayViews));
  } finally {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
