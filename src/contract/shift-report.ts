// Contract of the shift report (generated at shift end: readings, alarms and their handling, entries,
// patrols, handover result). Re-exported by src/contract/api.ts; imports types only.
import type { DutyLogEntryView, UserView } from './api.ts';
import type { HandoverRecordView } from './handover.ts';
import type { ShiftView } from './shifts.ts';

export interface ShiftReportView {
  shift: ShiftView;
  people: UserView[];
  readings: { pointKey: string; roomId: string; unit: string; min: number; max: number; mean: number; count: number; since: number }[];
  /** Per alarm occurrence: its duty-log entries in order (raised, acknowledged with note, returned, cleared). */
  alarms: { alarmId: number; entries: DutyLogEntryView[] }[];
  /** Manual entries, latest versions only. */
  notes: DutyLogEntryView[];
  patrolsDone: DutyLogEntryView[];
  patrolsMissed: DutyLogEntryView[];
  handover: HandoverRecordView | null;
  generatedAt: number;
}
