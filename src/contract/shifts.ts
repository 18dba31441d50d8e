// Contract of the shifts area (S1, S2, R2): shift occurrences, the monthly roster, swaps, who is on duty.
// Re-exported by src/contract/api.ts. This file must not use api.ts's values at load time (api.ts imports
// it for the duty-log kinds and error codes: an ES-module cycle), so it imports types only.
import { EpochMs, Role } from './common.ts';
import { Type, type Static } from '@sinclair/typebox';

/** Duty-log kinds written by the roster; the console renders `dutyLog.kind.<kind>`. */
export const ShiftDutyLogKind = Type.Union([
  Type.Literal('roster.saved'),
  Type.Literal('roster.imported'),
  Type.Literal('roster.published'),
  Type.Literal('roster.swapRequested'),
  Type.Literal('roster.swapApproved'),
  Type.Literal('roster.swapRejected'),
]);

export const ShiftErrorCode = Type.Union([
  Type.Literal('RW_ROSTER_LOCKED'),
  Type.Literal('RW_ROSTER_UNDERSTAFFED'),
  Type.Literal('RW_SWAP_INVALID'),
  Type.Literal('RW_SWAP_TOO_LATE'),
]);

const Text = Type.Object({ en: Type.String(), 'zh-CN': Type.String() });
const RoleName = Role;
const Month = Type.String({ pattern: '^[0-9]{4}-(0[1-9]|1[0-2])$' });
const Day = Type.String({ pattern: '^[0-9]{4}-[0-9]{2}-[0-9]{2}$' });
const ShiftId = Type.String({ pattern: '^[a-z0-9][a-z0-9-]{0,30}$' });
const Username = Type.String({ pattern: '^[A-Za-z0-9._-]{1,64}$' });

export const ShiftView = Type.Object({
  key: Type.String(),
  date: Type.String(),
  shiftId: Type.String(),
  name: Text,
  start: Type.Number(),
  end: Type.Number(),
  minStaff: Type.Record(Type.String(), Type.Integer()),
});
export type ShiftView = Static<typeof ShiftView>;

export const ShiftsQuery = Type.Object({ from: EpochMs, to: EpochMs }, { additionalProperties: false });
export type ShiftsQuery = Static<typeof ShiftsQuery>;

export const MonthParams = Type.Object({ month: Month });
export type MonthParams = Static<typeof MonthParams>;

export const RosterAssignment = Type.Object({ date: Day, shiftId: ShiftId, username: Username }, { additionalProperties: false });
export type RosterAssignment = Static<typeof RosterAssignment>;

/** A shift occurrence with fewer people of a role than its minimum (R2). */
export const StaffingGap = Type.Object({ date: Type.String(), shiftId: Type.String(), role: RoleName, need: Type.Integer(), have: Type.Integer() });
export type StaffingGap = Static<typeof StaffingGap>;

export const RosterView = Type.Object({
  month: Type.String(),
  /** A published month is locked (S1); only approved swaps change it. */
  state: Type.Union([Type.Literal('draft'), Type.Literal('published')]),
  updatedBy: Type.Union([Type.String(), Type.Null()]),
  updatedAt: Type.Union([Type.Number(), Type.Null()]),
  publishedBy: Type.Union([Type.String(), Type.Null()]),
  publishedAt: Type.Union([Type.Number(), Type.Null()]),
  assignments: Type.Array(RosterAssignment),
  gaps: Type.Array(StaffingGap),
  /** Everyone who may be rostered: active users. */
  people: Type.Array(Type.Object({ username: Type.String(), displayName: Type.String(), role: RoleName })),
});
export type RosterView = Static<typeof RosterView>;

export const RosterSaveRequest = Type.Object({ assignments: Type.Array(RosterAssignment, { maxItems: 5000 }) }, { additionalProperties: false });
export type RosterSaveRequest = Static<typeof RosterSaveRequest>;

/** CSV with a header line: date,shift,username (further columns such as name are ignored). */
export const RosterCsvImport = Type.Object({ csv: Type.String({ maxLength: 60_000 }) }, { additionalProperties: false });
export type RosterCsvImport = Static<typeof RosterCsvImport>;

export const SwapRequest = Type.Object(
  { date: Day, shiftId: ShiftId, fromUser: Username, toUser: Username, reason: Type.String({ minLength: 1, maxLength: 500 }) },
  { additionalProperties: false },
);
export type SwapRequest = Static<typeof SwapRequest>;

export const SwapDecision = Type.Object({ approve: Type.Boolean(), comment: Type.String({ maxLength: 500 }) }, { additionalProperties: false });
export type SwapDecision = Static<typeof SwapDecision>;

export const SwapView = Type.Object({
  id: Type.Integer(),
  month: Type.String(),
  date: Type.String(),
  shiftId: Type.String(),
  fromUser: Type.String(),
  toUser: Type.String(),
  reason: Type.String(),
  state: Type.Union([Type.Literal('pending'), Type.Literal('approved'), Type.Literal('rejected')]),
  requestedBy: Type.String(),
  requestedAt: Type.Number(),
  decidedBy: Type.Union([Type.String(), Type.Null()]),
  decidedAt: Type.Union([Type.Number(), Type.Null()]),
  comment: Type.Union([Type.String(), Type.Null()]),
});
export type SwapView = Static<typeof SwapView>;

export const OnDutyView = Type.Object({
  at: Type.Number(),
  shifts: Type.Array(ShiftView),
  people: Type.Array(Type.Object({ username: Type.String(), displayName: Type.String(), role: RoleName, shiftKey: Type.String() })),
});
export type OnDutyView = Static<typeof OnDutyView>;
