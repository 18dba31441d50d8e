// Patrol schedules of a site (P1, P3, P4), referenced by src/config/schema.ts as `patrols:`.
// P1: distribution room patrolled each shift, checked in detail monthly, overhauled half-yearly;
// P3: night patrols every 30–40 minutes; P4: the checklist ("three clean, four no-leak, five good").
import { Type, type Static } from '@sinclair/typebox';
import { LocalizedName } from '../shifts/config-schema.ts';

const ItemId = Type.String({ pattern: '^[a-z0-9][a-z0-9-]{0,40}$' });
const TimeOfDay = Type.String({ pattern: '^([01][0-9]|2[0-3]):[0-5][0-9]$' });

export const PatrolEvery = Type.Union([
  Type.Literal('shift'),
  Type.Literal('month'),
  Type.Literal('halfYear'),
  /** Every N minutes, optionally only inside a local window (may cross midnight, e.g. 22:00–06:00). */
  Type.Object({ minutes: Type.Integer({ minimum: 5, maximum: 720 }), from: Type.Optional(TimeOfDay), to: Type.Optional(TimeOfDay) }, { additionalProperties: false }),
]);
export type PatrolEvery = Static<typeof PatrolEvery>;

export const PatrolReading = Type.Union([
  /** Taken from a live point when the round is recorded. */
  Type.Object({ point: Type.String({ minLength: 3 }) }, { additionalProperties: false }),
  /** Read off an instrument and entered by hand. */
  Type.Object({ id: ItemId, name: LocalizedName, unit: Type.String({ maxLength: 16 }) }, { additionalProperties: false }),
]);
export type PatrolReading = Static<typeof PatrolReading>;

export const PatrolSchedule = Type.Object(
  {
    id: ItemId,
    room: Type.String({ minLength: 1 }),
    name: LocalizedName,
    every: PatrolEvery,
    /** A round may still be done this long after its period ends; then it is overdue. Default 15. */
    graceMinutes: Type.Optional(Type.Integer({ minimum: 0, maximum: 24 * 60 })),
    checklist: Type.Array(Type.Object({ id: ItemId, name: LocalizedName }, { additionalProperties: false }), { minItems: 1, maxItems: 60 }),
    readings: Type.Optional(Type.Array(PatrolReading, { maxItems: 40 })),
  },
  { additionalProperties: false },
);
export type PatrolSchedule = Static<typeof PatrolSchedule>;

export function checkPatrolConfig(schedules: readonly PatrolSchedule[] | undefined, rooms: ReadonlySet<string>, points: ReadonlySet<string>, at: (path: string, message: string) => void): void {
  const ids = new Set<string>();
  (schedules ?? []).forEach((s, i) => {
    if (ids.has(s.id)) at(`/patrols/${i}/id`, `patrol schedule "${s.id}" is defined twice`);
    ids.add(s.id);
    if (!rooms.has(s.room)) at(`/patrols/${i}/room`, `unknown room "${s.room}"`);
    if (typeof s.every === 'object' && (s.every.from === undefined) !== (s.every.to === undefined)) at(`/patrols/${i}/every`, 'give both from and to, or neither');
    const items = new Set<string>();
    s.checklist.forEach((c, j) => {
      if (items.has(c.id)) at(`/patrols/${i}/checklist/${j}/id`, `checklist item "${c.id}" is listed twice`);
      items.add(c.id);
    });
    s.readings?.forEach((r, j) => {
      if ('point' in r && !points.has(r.point)) at(`/patrols/${i}/readings/${j}/point`, `unknown point "${r.point}"`);
    });
  });
}
