// Contract of the emergency playbooks (E1–E4, L7). Re-exported by src/contract/api.ts; imports nothing from it.
import { Type, type Static } from '@sinclair/typebox';
import { StoreId } from './common.ts';

export const PlaybookDutyLogKind = Type.Union([Type.Literal('playbook.opened'), Type.Literal('playbook.step'), Type.Literal('playbook.closed')]);

export const PlaybookType = Type.Union([Type.Literal('power-cut'), Type.Literal('pipe-burst'), Type.Literal('gas-leak'), Type.Literal('fire')]);

export const PlaybookOpenRequest = Type.Object(
  {
    type: PlaybookType,
    situation: Type.String({ minLength: 1, maxLength: 2000 }),
    /** Opened from an alarm (A4: a fire-panel signal, A8: a fault). */
    alarmId: Type.Optional(StoreId),
    roomId: Type.Optional(Type.String({ maxLength: 64 })),
  },
  { additionalProperties: false },
);
export type PlaybookOpenRequest = Static<typeof PlaybookOpenRequest>;

export const PlaybookStepRequest = Type.Object({ note: Type.String({ maxLength: 1000 }) }, { additionalProperties: false });
export type PlaybookStepRequest = Static<typeof PlaybookStepRequest>;

/** L7: the written incident report: cause, course, result (S4 wording), follow-up. */
export const PlaybookReport = Type.Object(
  {
    cause: Type.String({ minLength: 1, maxLength: 2000 }),
    course: Type.String({ minLength: 1, maxLength: 4000 }),
    result: Type.String({ minLength: 1, maxLength: 2000 }),
    followUp: Type.String({ maxLength: 2000 }),
  },
  { additionalProperties: false },
);
export type PlaybookReport = Static<typeof PlaybookReport>;

export interface PlaybookView {
  id: number;
  type: Static<typeof PlaybookType>;
  rule: string;
  situation: string;
  alarmId: number | null;
  roomId: string | null;
  openedBy: string;
  openedAt: number;
  steps: { id: string; doneBy: string | null; doneAt: number | null; note: string | null }[];
  state: 'open' | 'closed';
  closedBy: string | null;
  closedAt: number | null;
  report: PlaybookReport | null;
}
