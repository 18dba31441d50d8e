// Shift definitions in the site config (S2: shift times vary by site and season; R2: staffed around the
// clock, so a minimum staffing per shift and role). Referenced by src/config/schema.ts as `shifts:`.
import { Type, type Static } from '@sinclair/typebox';

/**
 * A name in both languages, strict: YAML flow maps split unquoted text at commas
 * (`{ en: Keys, radios, zh-CN: … }`), and an extra key must be refused, not ignored.
 */
export const LocalizedName = Type.Object({ en: Type.String({ minLength: 1 }), 'zh-CN': Type.String({ minLength: 1 }) }, { additionalProperties: false });

const TimeOfDay = Type.String({ pattern: '^([01][0-9]|2[0-3]):[0-5][0-9]$', description: 'local wall time HH:MM' });
const MonthDay = Type.String({ pattern: '^(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$', description: 'MM-DD' });

/** A seasonal variant: from..to inclusive, by the date the shift starts; wraps the year end when from > to. */
export const ShiftSeason = Type.Object(
  {
    from: MonthDay,
    to: MonthDay,
    start: Type.Optional(TimeOfDay),
    end: Type.Optional(TimeOfDay),
  },
  { additionalProperties: false },
);
export type ShiftSeason = Static<typeof ShiftSeason>;

export const MinStaff = Type.Object(
  {
    duty: Type.Optional(Type.Integer({ minimum: 0, maximum: 50 })),
    supervisor: Type.Optional(Type.Integer({ minimum: 0, maximum: 50 })),
    admin: Type.Optional(Type.Integer({ minimum: 0, maximum: 50 })),
  },
  { additionalProperties: false },
);
export type MinStaff = Static<typeof MinStaff>;

export const ShiftConfig = Type.Object(
  {
    id: Type.String({ pattern: '^[a-z0-9][a-z0-9-]{0,30}$' }),
    name: LocalizedName,
    /** Local wall time; an end at or before the start means the shift ends the next day (S2: night 17:30–08:30). */
    start: TimeOfDay,
    end: TimeOfDay,
    seasons: Type.Optional(Type.Array(ShiftSeason)),
    minStaff: Type.Optional(MinStaff),
  },
  { additionalProperties: false },
);
export type ShiftConfig = Static<typeof ShiftConfig>;
