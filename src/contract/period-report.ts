// Contract of the period report (M1: the supervisor's week, month, half-year and year): readings trends and
// exceedances from the historian's rollups, alarm KPIs (EEMUA 191 / ISA-18.2), equipment run hours, and the
// evidence of patrols, handovers, sign-offs, entries and playbooks; with the meeting record signed on it.
// Re-exported by src/contract/api.ts; the console imports the types only.
import { Type, type Static } from '@sinclair/typebox';
import type { Priority } from './api.ts';

export const PeriodReportQuery = Type.Object(
  {
    /** 2026-11, 2026-W47, 2026-H2 or 2026; default: the current month. */
    period: Type.Optional(Type.String({ pattern: '^[0-9]{4}(-[0-9]{2}|-W[0-9]{2}|-H[12])?$' })),
    /** A room id; absent: the whole site. */
    room: Type.Optional(Type.String({ pattern: '^[a-z0-9][a-z0-9-]{0,63}$' })),
  },
  { additionalProperties: false },
);
export type PeriodReportQuery = Static<typeof PeriodReportQuery>;

/** The tables a period report has, each downloadable as CSV with the same figures as the page. */
export const REPORT_TABLES = ['comparison', 'trends', 'exceedances', 'patrolReadings', 'alarmKpis', 'badActors', 'chattering', 'standing', 'responseTimes', 'equipment', 'faults', 'patrols', 'compliance', 'refusals'] as const;
export type ReportTable = (typeof REPORT_TABLES)[number];
export const ReportTableParams = Type.Object({ table: Type.Union(REPORT_TABLES.map((t) => Type.Literal(t))) }, { additionalProperties: false });

export const MeetingRecordRequest = Type.Object(
  {
    notes: Type.String({ minLength: 1, maxLength: 8000 }),
    plan: Type.String({ minLength: 1, maxLength: 8000 }),
  },
  { additionalProperties: false },
);
export type MeetingRecordRequest = Static<typeof MeetingRecordRequest>;

export interface MeetingRecordView {
  periodKey: string;
  roomId: string | null;
  notes: string;
  plan: string;
  signedBy: string;
  signedByName: string;
  signedAt: number;
  /** The duty-log entry that records it (A5: hash-chained, never edited; a new record supersedes). */
  entryId: number;
}

export interface Figures {
  min: number;
  max: number;
  mean: number;
}

export interface TrendPointView {
  pointKey: string;
  roomId: string;
  unit: string;
  limits: { low?: number; high?: number; lowLow?: number; highHigh?: number };
  /** One line per day of the period with data (site time zone), from the 1-hour rollups, mean weighted by count. */
  days: ({ date: string } & Figures)[];
  period: Figures | null;
  previous: Figures | null;
}

export interface ExceedanceView {
  pointKey: string;
  roomId: string;
  unit: string;
  limit: 'high' | 'highHigh';
  value: number;
  /** Minutes whose highest reading was above the limit. */
  minutes: number;
  /** Runs of consecutive such minutes. */
  excursions: number;
  worst: number;
  worstAt: number;
}

export interface DurationStats {
  count: number;
  /** Seconds; null without any. */
  median: number | null;
  p90: number | null;
}

export interface AlarmKpisView {
  raised: number;
  /** 10-minute periods of the report window up to now. */
  periods10Min: number;
  operatorPositions: number;
  avgPer10Min: number;
  peakPer10Min: number;
  peakAt: number | null;
  floodPeriods: number;
  floodShare: number;
  badActors: { pointKey: string; condition: string; roomId: string; count: number; share: number }[];
  /** Alarms raised 3 or more times within one minute; episodes counted per point and condition. */
  chattering: { pointKey: string; condition: string; episodes: number }[];
  /** Occurrences back to normal within 10 s of being raised. */
  fleeting: number;
  /** Occurrences active more than 24 h within the period. */
  standing: { alarmId: number; pointKey: string; condition: string; raisedAt: number; hours: number }[];
  shelvedMinutes: number;
  shelves: number;
  outOfServiceMinutes: number;
  outOfService: number;
  byPriority: { priority: Priority; count: number; ack: DurationStats; clear: DurationStats }[];
  escalations: { level: number; count: number }[];
}

export interface PatrolComplianceView {
  scheduleId: string;
  roomId: string;
  due: number;
  done: number;
  late: number;
  missed: number;
  /** Rounds with a checklist item answered "not OK" (P4). */
  checklistFailed: number;
}

export interface PeriodReportView {
  period: { key: string; kind: 'week' | 'month' | 'halfYear' | 'year'; from: number; to: number; previousKey: string; timezone: string };
  roomId: string | null;
  generatedAt: number;
  readingsSource: { backend: 'local' | 'influx'; error: string | null; outboxPoints: number };
  trends: TrendPointView[];
  exceedances: ExceedanceView[];
  /** P1/P4 meter readings taken on patrol, per schedule and reading. */
  patrolReadings: ({ scheduleId: string; roomId: string; reading: string; count: number } & Figures)[];
  alarms: AlarmKpisView;
  /** Starts and run hours from the run log (A3's start/stop entries); `counterHours`: how far the controller's own
   *  operating-hours counter moved in the period (a `duration` point in hours), null without one or its history. */
  equipment: { deviceId: string; roomId: string; starts: number; runHours: number; counterHours: number | null }[];
  /** Equipment alarms by point and code (the value of a fault-code point; its text is in the profile's values). */
  faults: { deviceId: string; roomId: string; pointKey: string; condition: string; code: number; count: number; lastAt: number }[];
  compliance: {
    patrols: PatrolComplianceView[];
    handovers: { shifts: number; onTime: number; late: number; missing: number; refused: { ts: number; shift: string; reasons: string; user: string }[] };
    dutyLog: { days: number; signed: number; unsigned: string[] };
    roomEntries: number;
    playbooks: { opened: number; closed: number; list: { id: number; type: string; openedAt: number; closedAt: number | null; report: string | null }[] };
    /** L2 incidents per category: `count` written down in the period, `closed` resolved in it (S5, S7). */
    incidents: { category: string; count: number; closed: number }[];
  };
  meeting: MeetingRecordView | null;
  /** The plan written at the previous period's meeting (M1: the month reviews last month's plan). */
  previousPlan: MeetingRecordView | null;
}
