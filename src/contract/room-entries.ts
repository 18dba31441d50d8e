// Contract of the room entry register (R3). Re-exported by src/contract/api.ts; imports nothing from it.
import { Type, type Static } from '@sinclair/typebox';

export const RoomEntryDutyLogKind = Type.Union([Type.Literal('room.entered'), Type.Literal('room.exited')]);

const Username = Type.String({ pattern: '^[A-Za-z0-9._-]{1,64}$' });

/** R3: an outsider enters a machine room only with approval, escorted, and is written into the register. */
export const RoomEntryRequest = Type.Object(
  {
    roomId: Type.String({ minLength: 1, maxLength: 64 }),
    visitor: Type.String({ minLength: 1, maxLength: 100 }),
    organisation: Type.String({ maxLength: 100 }),
    purpose: Type.String({ minLength: 1, maxLength: 500 }),
    /** The supervisor who approved the entry. */
    approvedBy: Username,
    /** R3: the approving supervisor confirms with their own password, at the duty officer's console. */
    approverPassword: Type.String({ minLength: 1, maxLength: 256 }),
    /** The staff member escorting the visitor. */
    escort: Username,
  },
  { additionalProperties: false },
);
export type RoomEntryRequest = Static<typeof RoomEntryRequest>;

export interface RoomEntryView {
  id: number;
  roomId: string;
  visitor: string;
  organisation: string;
  purpose: string;
  approvedBy: string;
  escort: string;
  inAt: number;
  outAt: number | null;
  recordedBy: string;
}
