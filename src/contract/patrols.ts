// Contract of the patrols area (P1, P3, P4). Re-exported by src/contract/api.ts; imports types only from it.
import { Type, type Static } from '@sinclair/typebox';
import type { Localized } from './api.ts';

export const PatrolDutyLogKind = Type.Union([Type.Literal('patrol.done'), Type.Literal('patrol.overdue')]);

export const PatrolRoundRequest = Type.Object(
  {
    /** P4 item id → in order (true) or a problem found (false; then remarks say what and what was done, P1). */
    checklist: Type.Record(Type.String({ maxLength: 41 }), Type.Boolean()),
    /** Values read off instruments (the schedule's entered readings), by reading id. */
    readings: Type.Record(Type.String({ maxLength: 41 }), Type.Number({ minimum: -1e9, maximum: 1e9 })),
    remarks: Type.String({ maxLength: 2000 }),
  },
  { additionalProperties: false },
);
export type PatrolRoundRequest = Static<typeof PatrolRoundRequest>;

export interface PatrolReadingView {
  /** A live point key, or the id of an entered reading. */
  key: string;
  name: Localized | null;
  unit: string;
  live: boolean;
  /** The live value now (live readings) for the form; null when not good. */
  value: number | boolean | null;
}

export interface PatrolRoundView {
  id: number;
  scheduleId: string;
  slotKey: string;
  roomId: string;
  username: string;
  ts: number;
  checklist: Record<string, boolean>;
  readings: Record<string, number | boolean | null>;
  remarks: string;
}

export interface PatrolStatusView {
  id: string;
  roomId: string;
  name: Localized;
  every: string;
  checklist: { id: string; name: Localized }[];
  readings: PatrolReadingView[];
  /** The period a round recorded now counts for, or null outside every period (a night-only schedule by day). */
  slot: { key: string; start: number; end: number; done: boolean } | null;
  lastRound: PatrolRoundView | null;
  /** Periods of the last two days that ended without a round (P1/P3 overdue). */
  overdue: { key: string; end: number }[];
}

/** Bus event for the alarm side (raised by the alarm service on main): a patrol period ended without a round. */
export interface PatrolOverdue {
  scheduleId: string;
  roomId: string;
  slotKey: string;
  /** When the period (plus grace) ended. */
  dueBy: number;
  ts: number;
}
