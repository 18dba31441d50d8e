// Contract of the duty-log area (L1–L5): manual entries with an L2 category, corrections as new entries,
// the log as pages per shift, the daily sign-off, attachments. Re-exported by src/contract/api.ts; like
// shifts.ts it imports types only from api.ts (api.ts imports this file).
import { Type, type Static } from '@sinclair/typebox';
import { EpochMs } from './common.ts';
import type { DutyLogEntryView, UserView } from './api.ts';
import type { ShiftView } from './shifts.ts';

export const JournalDutyLogKind = Type.Union([
  Type.Literal('note.added'),
  Type.Literal('note.corrected'),
  Type.Literal('note.attached'),
  /** An incident or follow-up closed: who, when it was over, how (S5, S7). */
  Type.Literal('note.resolved'),
  Type.Literal('log.signed'),
  Type.Literal('shift.started'),
  Type.Literal('shift.ended'),
  Type.Literal('retention.purged'),
]);

export const JournalErrorCode = Type.Union([
  Type.Literal('RW_ALREADY_CORRECTED'),
  Type.Literal('RW_ALREADY_SIGNED'),
  Type.Literal('RW_NOT_CORRECTABLE'),
  Type.Literal('RW_ATTACHMENT_REFUSED'),
]);

/** L2: what must be logged; `instruction` carries superiors' instructions to the handover (S4). */
export const NoteCategory = Type.Union([
  Type.Literal('complaint'),
  Type.Literal('theft'),
  Type.Literal('accident-wind'),
  Type.Literal('accident-fire'),
  Type.Literal('accident-water'),
  Type.Literal('accident-electricity'),
  Type.Literal('fight'),
  Type.Literal('staff-violation'),
  Type.Literal('move-in'),
  Type.Literal('move-out'),
  Type.Literal('construction'),
  Type.Literal('instruction'),
  Type.Literal('other'),
]);
export type NoteCategory = Static<typeof NoteCategory>;

/** L1: time, what happened (objective account), how it was handled, follow-up/result. */
export const NoteRequest = Type.Object(
  {
    /** When it happened (UTC ms); defaults to now. The record's own time is the gateway's clock (L6). */
    occurredAt: Type.Optional(EpochMs),
    category: NoteCategory,
    situation: Type.String({ minLength: 1, maxLength: 2000 }),
    handling: Type.String({ maxLength: 2000 }),
    followUp: Type.String({ maxLength: 1000 }),
    /** L2: a complaint names the complainant. */
    complainant: Type.Optional(Type.String({ maxLength: 200 })),
    /** L3: a major event (gets photos and a written report, L7). */
    major: Type.Optional(Type.Boolean()),
    roomId: Type.Optional(Type.String({ maxLength: 64 })),
    /** Closed: the incident is over / the task done. An open major entry blocks the handover (S5), an open follow-up is handed over (S7). */
    resolved: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
export type NoteRequest = Static<typeof NoteRequest>;

/** Closing an incident or a follow-up (S5, S7): how it ended and when (defaults to now; L7 write-ups come later). */
export const ResolveRequest = Type.Object(
  {
    how: Type.String({ minLength: 1, maxLength: 2000 }),
    /** When it was over (UTC ms); defaults to now. */
    resolvedAt: Type.Optional(EpochMs),
  },
  { additionalProperties: false },
);
export type ResolveRequest = Static<typeof ResolveRequest>;

/** Open incidents and follow-ups, however old, until someone closes them. */
export interface OpenItemsView {
  items: DutyLogEntryView[];
}

export const CorrectionRequest = Type.Composite([NoteRequest, Type.Object({ reason: Type.String({ minLength: 1, maxLength: 500 }) })], { additionalProperties: false });
export type CorrectionRequest = Static<typeof CorrectionRequest>;

export const SignRequest = Type.Object(
  { date: Type.String({ pattern: '^[0-9]{4}-[0-9]{2}-[0-9]{2}$' }), comment: Type.String({ maxLength: 1000 }) },
  { additionalProperties: false },
);
export type SignRequest = Static<typeof SignRequest>;

export const DayQuery = Type.Object({ date: Type.String({ pattern: '^[0-9]{4}-[0-9]{2}-[0-9]{2}$' }) }, { additionalProperties: false });
export type DayQuery = Static<typeof DayQuery>;

export interface AttachmentView {
  id: number;
  entryId: number;
  fileName: string;
  contentType: string;
  size: number;
  sha256: string;
  uploadedBy: string;
  uploadedAt: number;
}

/** One page of the log: a shift occurrence with its rostered people and its entries (L1). */
export interface DutyLogPageView {
  /** null: entries outside every configured shift (or a site without shifts). */
  shift: ShiftView | null;
  people: UserView[];
  entries: DutyLogEntryView[];
}

export interface DutyLogDayView {
  date: string;
  pages: DutyLogPageView[];
  /** entry id → id of the correction that replaces it (the latest version has none). */
  correctedBy: Record<string, number>;
  attachments: AttachmentView[];
  signoff: { by: string; byName: string; at: number; comment: string } | null;
}

/** Days without a supervisor's signature (L4), newest first. */
export interface UnsignedDaysView {
  days: { date: string; entries: number }[];
}
