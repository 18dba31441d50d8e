// Alarm events as they leave the alarm service for the sinks (duty log, historian, console).
import type { AlarmState, AlarmView } from '../contract/api.ts';

export type AlarmEventKind =
  | 'raised'
  | 'acknowledged'
  | 'returned'
  | 'cleared'
  | 'latched'
  | 'reset'
  | 'shelved'
  | 'unshelved'
  | 'escalated'
  | 'dispatched'
  | 'classified'
  | 'evidenceKept'
  | 'reportedUp'
  | 'emergencyEscalated';

/** One transition of one alarm, already durable in the store when sinks see it. */
export interface AlarmTransition {
  kind: AlarmEventKind;
  from: AlarmState;
  to: AlarmState;
  /** When the transition happened, ms since epoch. */
  ts: number;
  /** Who caused it; null when the process did (value crossing a limit). */
  username: string | null;
  alarm: AlarmView;
}
