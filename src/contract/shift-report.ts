// Contract of the shift report (generated at shift end: readings, alarms and their handling, entries,
// patrols, handover result). Re-exported by src/contract/api.ts; imports types only.
import type { DutyLogEntryView, UserView } from './api.ts';
import type { HandoverRecordView } from './handover.ts';
import type { ShiftView } from './shifts.ts';

export interface ShiftReportView {
  shift: ShiftView;
  people: UserView[];
  /** Per numeric point with data in the window: min of the minutes' mins, max of their maxes, count-weighted mean,
   *  readings counted, and the first minute with data (a gap at the start shows). */
  readings: { pointKey: string; roomId: string; unit: string; min: number; max: number; mean: number; count: number; since: number }[];
  /** Where `readings` come from: the historian's 1-minute rollups (and the minute in progress, from memory) over
   *  [from, to), the shift or its start up to now while it runs. */
  readingsSource: {
    backend: 'local' | 'influx';
    from: number;
    to: number;
    /** Points still waiting for InfluxDB in the outbox: the latest minutes may be missing until they are written. */
    outboxPoints: number;
    /** Why the history did not answer; `readings` is then empty, the rest of the report stands. */
    error: string | null;
  };
  /** Per alarm occurrence: its duty-log entries in order (raised, acknowledged with note, returned, cleared). */
  alarms: { alarmId: number; entries: DutyLogEntryView[] }[];
  /** Manual entries, latest versions only. */
  notes: DutyLogEntryView[];
  patrolsDone: DutyLogEntryView[];
  patrolsMissed: DutyLogEntryView[];
  handover: HandoverRecordView | null;
  generatedAt: number;
}
