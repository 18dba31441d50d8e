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

export const Localized = Type.Object({ en: Type.String(), 'zh-CN': Type.String() });
export type Localized = Static<typeof Localized>;
