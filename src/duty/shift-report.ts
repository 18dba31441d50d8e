// The shift report: what a shift did, in one printable page (readings min/max/mean per point, alarms and
// how they were handled, log entries, patrols done and missed, the handover result), built from the duty
// log's page of that shift (L1), the historian's 1-minute rollups over the shift (kept ≥ 2 years, L5, so a
// restart or an old shift loses nothing) and the handover record (S6).
import type { Clock } from '../core/clock.ts';
import type { Logger } from '../core/logger.ts';
import type { Site } from '../config/load.ts';
import type { ShiftReportView } from '../contract/shift-report.ts';
import type { ShiftPlan } from '../shifts/shift-plan.ts';
import type { History } from '../sinks/historian/history.ts';
import type { Journal } from './journal.ts';
import type { Handover } from './handover.ts';
import { DomainError } from '../core/errors.ts';

/** A point the report sums up, with what the printed line needs besides the figures. */
export interface ReportPoint {
  pointKey: string;
  roomId: string;
  unit: string;
}

/**
 * The numeric points of the site, by key: Modbus points that are not booleans or status-word bits. MQTT points
 * are discrete signals (fire-alarm and CCTV contacts), whose alarms and events the report lists instead.
 */
export function reportPoints(site: Site): ReportPoint[] {
  return site.modbusDevices
    .flatMap((d) => d.points)
    .filter((p) => p.spec.type !== 'bool' && p.spec.bit === undefined)
    .map((p) => ({ pointKey: p.key, roomId: p.roomId, unit: p.spec.unit }))
    .sort((a, b) => a.pointKey.localeCompare(b.pointKey));
}

export interface ShiftReport {
  report(shiftKey?: string): Promise<ShiftReportView>;
}

export function createShiftReport(deps: {
  plan: ShiftPlan;
  journal: Journal;
  handover: Handover;
  history: Pick<History, 'windowStats' | 'status'>;
  points: readonly ReportPoint[];
  clock: Clock;
  logger: Logger;
}): ShiftReport {
  const { plan, journal, handover, history, points, clock, logger } = deps;
  const keys = points.map((p) => p.pointKey);
  const pointOf = new Map(points.map((p) => [p.pointKey, p]));

  /** The shift's figures over [start, end), or up to now while it runs; the rest of the report stands if the history does not answer. */
  const readings = async (start: number, end: number, now: number): Promise<Pick<ShiftReportView, 'readings' | 'readingsSource'>> => {
    // Nothing is stored after now: the window is the whole shift, and `to` says up to when that is.
    const to = Math.min(end, now);
    const { backend, outboxPoints } = history.status();
    try {
      const stats = await history.windowStats(keys, start, end);
      return {
        readings: stats.map((s) => ({ ...s, roomId: pointOf.get(s.pointKey)!.roomId, unit: pointOf.get(s.pointKey)!.unit })),
        readingsSource: { backend, from: start, to, outboxPoints, error: null },
      };
    } catch (err) {
      logger.warn('shift report: the history did not answer; readings left out', { err: String(err) });
      return { readings: [], readingsSource: { backend, from: start, to, outboxPoints, error: String((err as Error)?.message ?? err) } };
    }
  };

  return {
    async report(shiftKey) {
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
        ...(await readings(shift.start, shift.end, now)),
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
