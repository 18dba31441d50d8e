// Handover settings of a site (S4, S5, S6), referenced by src/config/schema.ts as `handover:`.
import { Type, type Static } from '@sinclair/typebox';
import { LocalizedName } from '../shifts/config-schema.ts';

export const HandoverConfig = Type.Object(
  {
    /** S4: what is counted and checked at every handover (keys, radios, tools, instruments …). */
    checklist: Type.Array(Type.Object({ id: Type.String({ pattern: '^[a-z0-9][a-z0-9-]{0,40}$' }), name: LocalizedName }, { additionalProperties: false }), { maxItems: 50 }),
    /** S5: major equipment; a listed point showing one of its transitional values (starting, stopping) blocks the handover. */
    majorEquipment: Type.Optional(
      Type.Array(
        Type.Object({ point: Type.String({ minLength: 3 }), transitional: Type.Array(Type.Union([Type.Number(), Type.Boolean()]), { minItems: 1 }) }, { additionalProperties: false }),
      ),
    ),
    /** S5: an equipment.* duty-log entry (start, stop) this recent also blocks the handover. Default 15. */
    equipmentQuietMinutes: Type.Optional(Type.Integer({ minimum: 0, maximum: 240 })),
    /** S6: a handover not completed this long after the outgoing shift's end is flagged late. Default 15. */
    lateAfterMinutes: Type.Optional(Type.Integer({ minimum: 0, maximum: 240 })),
    /** S3: the handover screen opens this long before the shift ends. Default 60. */
    opensMinutesBefore: Type.Optional(Type.Integer({ minimum: 5, maximum: 240 })),
  },
  { additionalProperties: false },
);
export type HandoverConfig = Static<typeof HandoverConfig>;

export function checkHandoverConfig(config: HandoverConfig | undefined, points: ReadonlySet<string>, at: (path: string, message: string) => void): void {
  if (!config) return;
  const ids = new Set<string>();
  config.checklist.forEach((item, i) => {
    if (ids.has(item.id)) at(`/handover/checklist/${i}/id`, `checklist item "${item.id}" is listed twice`);
    ids.add(item.id);
  });
  config.majorEquipment?.forEach((m, i) => {
    if (!points.has(m.point)) at(`/handover/majorEquipment/${i}/point`, `unknown point "${m.point}" (a device id and point name, e.g. chiller-1.runState)`);
  });
}
