// Contract of the handover area (S3–S7). Re-exported by src/contract/api.ts; imports types only from it.
import { Type, type Static } from '@sinclair/typebox';
import { StoreId } from './common.ts';
import type { AlarmView, DeviceTagView, DutyLogEntryView, Localized, UserView } from './api.ts';
import type { ShiftView } from './shifts.ts';
import type { PlaybookView } from './playbooks.ts';

export const HandoverDutyLogKind = Type.Union([
  Type.Literal('handover.refused'),
  Type.Literal('handover.outgoingSigned'),
  Type.Literal('handover.completed'),
  Type.Literal('handover.late'),
  /** S3: an incoming person reports arrival before the shift (the time on record). */
  Type.Literal('handover.arrived'),
]);

export const HandoverErrorCode = Type.Union([Type.Literal('RW_HANDOVER_REFUSED'), Type.Literal('RW_HANDOVER_STATE')]);

/** S5: why a handover cannot happen now; the console shows `handover.refusal.<code>` with params. */
export type RefusalCode = 'incidentOpen' | 'playbookOpen' | 'equipmentTransition' | 'equipmentRecent' | 'checklistIncomplete' | 'understaffed' | 'unfitNoSubstitute';
export interface Refusal {
  code: RefusalCode;
  params: Record<string, string | number>;
}

const Username = Type.String({ pattern: '^[A-Za-z0-9._-]{1,64}$' });

export const OutgoingSignRequest = Type.Object(
  {
    shiftKey: Type.String({ maxLength: 60 }),
    /** S4: checklist item id → checked and complete. */
    checklist: Type.Record(Type.String({ maxLength: 41 }), Type.Boolean()),
    /** Incoming people who have arrived (S3). */
    present: Type.Array(Username, { maxItems: 50 }),
    /** S5: incoming people declared unfit for duty, each with the substitute found (if any). */
    unfit: Type.Array(Type.Object({ username: Username, substitute: Type.Optional(Username) }, { additionalProperties: false }), { maxItems: 50 }),
    note: Type.String({ maxLength: 2000 }),
  },
  { additionalProperties: false },
);
export type OutgoingSignRequest = Static<typeof OutgoingSignRequest>;

/** S6: the incoming person signs with their own password, on any console. */
export const IncomingSignRequest = Type.Object(
  { handoverId: StoreId, username: Username, password: Type.String({ minLength: 1, maxLength: 256 }) },
  { additionalProperties: false },
);
export type IncomingSignRequest = Static<typeof IncomingSignRequest>;

export interface HandoverRecordView {
  id: number;
  shiftKey: string;
  nextShiftKey: string | null;
  state: 'awaitingIncoming' | 'completed';
  outgoing: string;
  outgoingName: string;
  outgoingSignedAt: number;
  incoming: string | null;
  incomingName: string | null;
  incomingSignedAt: number | null;
  checklist: Record<string, boolean>;
  present: string[];
  unfit: { username: string; substitute?: string }[];
  note: string;
  late: boolean;
}

/** S4: what the outgoing shift hands over, gathered for the screen. */
export interface HandoverView {
  now: number;
  outgoing: ShiftView | null;
  incoming: ShiftView | null;
  outgoingPeople: UserView[];
  incomingPeople: UserView[];
  /** Active users: the substitutes to choose from (S5). */
  people: UserView[];
  openAlarms: AlarmView[];
  /** S3: incoming people who reported their arrival, with when (minutes before the shift start). */
  arrivals: { username: string; name: string; at: number; minutesEarly: number }[];
  /** R3: visitors still inside a machine room, handed over to the incoming shift. */
  visitorsInside: { visitor: string; organisation: string; roomId: string; escort: string; inAt: number }[];
  /** S4: device tags (maintenance, isolation) in force or requested. */
  activeTags: DeviceTagView[];
  openIncidents: DutyLogEntryView[];
  /** E1–E4 playbooks still open. */
  openPlaybooks: PlaybookView[];
  unfinishedTasks: DutyLogEntryView[];
  /** S4: incidents and follow-ups closed during the outgoing shift (`note.resolved`, with who and how). */
  resolvedItems: DutyLogEntryView[];
  equipmentChanges: DutyLogEntryView[];
  instructions: DutyLogEntryView[];
  checklist: { id: string; name: Localized }[];
  /** Refusals that hold whatever the outgoing person declares (incidents, equipment). */
  refusals: Refusal[];
  record: HandoverRecordView | null;
  /** S6: the outgoing shift's end plus the grace has passed without a completed handover. */
  late: boolean;
}
