// Contract types every area shares (roles, texts in both languages); kept apart so the area contract
// files import them without a cycle through api.ts.
import { Type, type Static } from '@sinclair/typebox';

/** domain.md "People and roles": duty staff, shift lead, supervisor, manager; admin runs the gateway. */
export const Role = Type.Union([
  Type.Literal('duty'),
  Type.Literal('lead'),
  Type.Literal('supervisor'),
  Type.Literal('manager'),
  Type.Literal('admin'),
]);
export type Role = Static<typeof Role>;

/** A row id: what an SQLite INTEGER holds exactly in JavaScript (issue 13: 1e308 or 2^53+1 are refused, not a 500). */
export const StoreId = Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER });
/** A time as epoch milliseconds, whole, within what a JavaScript Date holds (±8.64e15). */
export const EpochMs = Type.Integer({ minimum: 0, maximum: 8.64e15 });
/** Path parameter `:id` of a row, as JSON Schema for fastify (path parameters are converted from text). */
export const idParam = Type.Object({ id: StoreId }, { additionalProperties: false });

/**
 * A text in both languages, nothing else: in a YAML flow mapping an unquoted comma ends the text and starts a
 * key (`{ en: Keep it, send guards, zh-CN: … }`), which must be an error naming the place, not a cut sentence.
 */
export const Localized = Type.Object({ en: Type.String(), 'zh-CN': Type.String() }, { additionalProperties: false });
export type Localized = Static<typeof Localized>;
