// The shift report: what a shift did, in one printable page (readings min/max/mean per point, alarms and
// how they were handled, log entries, patrols done and missed, the handover result), built from the duty
// log's page of that shift (L1), the in-memory reading statistics and the handover record (S6).
import type { Clock } from '../core/clock.ts';
import type { ShiftReportView } from '../contract/shift-report.ts';
import type { ShiftPlan } from '../shifts/shift-plan.ts';
import type { Journal } from './journal.ts';
import type { Handover } from './handover.ts';
import type { ShiftStats } from './shift-stats.ts';
import { DomainError } from '../core/errors.ts';

export function createShiftReport(deps: { plan: ShiftPlan; journal: Journal; handover: Handover; stats: ShiftStats; clock: Clock }): { report(shiftKey?: string): ShiftReportView } {
  const { plan, journal, handover, stats, clock } = deps;
  return {
    report(shiftKey) {
      const now = clock.now();
      // Default: the last shift that has ended.
      const shift = shiftKey
        ? plan.instance(shiftKey.slice(0, 10), shiftKey.slice(11))
        : (plan.shiftsBetween(now - 2 * 86_400_000, now).filter((s) => s.end <= now).at(-1) ?? null);
      if (!shift) throw new DomainError('RW_NOT_FOUND', shiftKey ? `no shift ${shiftKey}` : 'no shift has ended yet', 404);
      const day = journal.day(shift.date);
      const page = day.pages.find((p) => p.shift?.key === shift.key) ?? { people: [], entries: [] };
      const alarms = new Map<number, ShiftReportView['alarms'][number]['entries']>();
      for (const e of page.entries) {
        if (!e.kind.startsWith('alarm.') || e.alarmId === null) continue;
        alarms.set(e.alarmId, [...(alarms.get(e.alarmId) ?? []), e]);
      }
      return {
        shift,
        people: page.people,
        readings: stats.forShift(shift.key),
        alarms: [...alarms].map(([alarmId, entries]) => ({ alarmId, entries })),
        notes: page.entries.filter((e) => (e.kind === 'note.added' || e.kind === 'note.corrected') && day.correctedBy[String(e.id)] === undefined),
        patrolsDone: page.entries.filter((e) => e.kind === 'patrol.done'),
        patrolsMissed: page.entries.filter((e) => e.kind === 'patrol.overdue'),
        handover: handover.recordFor(shift.key),
        generatedAt: now,
      };
    },
  };
}
