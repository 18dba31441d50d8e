// The period report (M1: the supervisor's week, month, half-year and year, for the site or one room): readings
// trends and exceedances from the historian's rollups (either backend, one History interface), alarm KPIs,
// equipment and compliance from the store's records, and the meeting record with last period's plan.
import type { DatabaseSync } from 'node:sqlite';
import type { Clock } from '../core/clock.ts';
import type { Logger } from '../core/logger.ts';
import type { Site } from '../config/load.ts';
import type { MeetingRecordRequest, MeetingRecordView, PeriodReportView, TrendPointView, UserView } from '../contract/api.ts';
import type { PatrolSchedule } from '../patrols/config-schema.ts';
import type { ShiftPlan } from '../shifts/shift-plan.ts';
import type { History } from '../sinks/historian/history.ts';
import type { DutyLog } from '../sinks/duty-log/duty-log.ts';
import { DomainError } from '../core/errors.ts';
import { reportPoints } from '../duty/shift-report.ts';
import { alarmKpis } from './alarm-kpis.ts';
import { meetingOf, signMeeting } from './meeting.ts';
import { parsePeriod, periodKeyAt, type Period } from './period.ts';
import { readingsOf, type ReportPointLimits } from './readings.ts';
import { patrolSeriesOf } from './patrol-series.ts';
import { recordsOf } from './records.ts';

export interface PeriodReports {
  /** `periodKey` default: the current month; `roomId` null: the whole site. */
  report(periodKey: string | undefined, roomId: string | null): Promise<PeriodReportView>;
  signMeeting(periodKey: string, roomId: string | null, record: MeetingRecordRequest, by: UserView): MeetingRecordView;
}

export interface PeriodReportDeps {
  db: DatabaseSync;
  dutyLog: DutyLog;
  site: Site;
  plan: ShiftPlan;
  schedules: readonly PatrolSchedule[];
  history: Pick<History, 'hourTotals' | 'minutesAbove' | 'status'>;
  clock: Clock;
  logger: Logger;
}

/** Pumps and chillers: the devices with a run-status point (A3's start/stop entries come from it). */
export function equipmentOf(site: Site): Map<string, string> {
  return new Map(site.devices.filter((d) => d.points.some((p) => 'running' in p.spec && p.spec.running !== undefined)).map((d) => [d.config.id, d.config.room]));
}

export function createPeriodReports(deps: PeriodReportDeps): PeriodReports {
  const { db, site, clock, logger } = deps;
  const timeZone = site.timezone;
  const points: ReportPointLimits[] = reportPoints(site).map((p) => {
    const l = site.points.get(p.pointKey)?.limits;
    const limits: ReportPointLimits['limits'] = {};
    for (const k of ['lowLow', 'low', 'high', 'highHigh'] as const) if (l?.[k] !== undefined) limits[k] = l[k];
    return { ...p, limits };
  });
  const equipment = equipmentOf(site);
  /** The controller's operating-hours counter (a `duration` point in hours): its rise over the period. */
  const counterOf = new Map(site.devices.flatMap((d) => d.points.filter((p) => p.spec.quantity === 'duration' && p.spec.unit === 'h').map((p) => [d.config.id, p.key] as const)));
  const counterHours = (deviceId: string, trends: readonly TrendPointView[]): number | null => {
    const f = trends.find((t) => t.pointKey === counterOf.get(deviceId))?.period;
    return f ? f.max - f.min : null;
  };

  const periodOf = (key: string): Period => {
    const p = parsePeriod(key, timeZone);
    if (!p) throw new DomainError('RW_INVALID_REQUEST', `no period "${key}": write 2026-11, 2026-W47, 2026-H2 or 2026`, 400);
    return p;
  };
  const checkRoom = (roomId: string | null): void => {
    if (roomId !== null && !site.config.rooms.some((r) => r.id === roomId)) throw new DomainError('RW_NOT_FOUND', `no room "${roomId}"`, 404);
  };

  return {
    async report(periodKey, roomId) {
      checkRoom(roomId);
      const now = clock.now();
      const period = periodOf(periodKey ?? periodKeyAt('month', now, timeZone));
      if (period.from > now) throw new DomainError('RW_INVALID_REQUEST', `the period ${period.key} has not begun`, 400);
      const previous = periodOf(period.previousKey);
      // Nothing is recorded after now: a running period is reported up to now.
      const to = Math.min(period.to, now);
      const mine = points.filter((p) => roomId === null || p.roomId === roomId);
      const { backend, outboxPoints } = deps.history.status();
      let readings: Awaited<ReturnType<typeof readingsOf>> = { trends: [], exceedances: [] };
      let error: string | null = null;
      try {
        readings = await readingsOf(deps.history, mine, period, previous, timeZone);
      } catch (err) {
        // The records of the period stand without the readings; the page says why they are missing.
        logger.warn('period report: the history did not answer; readings left out', { period: period.key, err: String(err) });
        error = String((err as Error)?.message ?? err);
      }
      const recordsDeps = { db, plan: deps.plan, schedules: deps.schedules, equipment };
      const records = recordsOf(recordsDeps, period, to, now, roomId);
      const schedules = deps.schedules.filter((s) => roomId === null || s.room === roomId);
      return {
        period: { key: period.key, kind: period.kind, from: period.from, to: period.to, previousKey: period.previousKey, timezone: timeZone },
        roomId,
        generatedAt: now,
        readingsSource: { backend, error, outboxPoints },
        ...readings,
        ...patrolSeriesOf(db, schedules, period, to, previous, timeZone),
        alarms: alarmKpis(db, period.from, to, roomId),
        ...records,
        equipment: records.equipment.map((e) => ({ ...e, counterHours: counterHours(e.deviceId, readings.trends) })),
        // M1: the month is read beside the previous one (the readings' comparison is in the trends).
        previous: { alarms: alarmKpis(db, previous.from, previous.to, roomId), compliance: recordsOf(recordsDeps, previous, previous.to, now, roomId).compliance },
        meeting: meetingOf(db, period.key, roomId),
        previousPlan: meetingOf(db, period.previousKey, roomId),
      };
    },

    signMeeting(periodKey, roomId, record, by) {
      checkRoom(roomId);
      const period = periodOf(periodKey);
      // M1: the meeting reviews a period that has begun; a plan for a period not yet started is next period's plan.
      if (period.from > clock.now()) throw new DomainError('RW_INVALID_REQUEST', `the period ${period.key} has not begun`, 400);
      return signMeeting(deps.dutyLog, period.key, roomId, record, by, clock.now());
    },
  };
}
