// The one contract between the gateway and the console (style.md §10): REST DTOs and socket.io events.
// TypeBox gives both the TypeScript types and the JSON Schema fastify validates requests with.
import { Type, type Static } from '@sinclair/typebox';

export const Role = Type.Union([Type.Literal('duty'), Type.Literal('supervisor'), Type.Literal('admin')]);
export type Role = Static<typeof Role>;

export const Localized = Type.Object({ en: Type.String(), 'zh-CN': Type.String() });
export type Localized = Static<typeof Localized>;

export const UserView = Type.Object({
  username: Type.String(),
  displayName: Type.String(),
  role: Role,
});
export type UserView = Static<typeof UserView>;

export const LoginRequest = Type.Object(
  {
    username: Type.String({ minLength: 1, maxLength: 64 }),
    password: Type.String({ minLength: 1, maxLength: 256 }),
  },
  { additionalProperties: false },
);
export type LoginRequest = Static<typeof LoginRequest>;

export const Quality = Type.Union([
  Type.Literal('good'),
  Type.Literal('bad'),
  Type.Literal('comm_lost'),
  Type.Literal('stale'),
]);

export const ReadingView = Type.Object({
  pointKey: Type.String(),
  roomId: Type.String(),
  deviceId: Type.String(),
  point: Type.String(),
  value: Type.Union([Type.Number(), Type.Boolean(), Type.Null()]),
  unit: Type.String(),
  quality: Quality,
  ts: Type.Number(),
  detail: Type.Optional(Type.String()),
});
export type ReadingView = Static<typeof ReadingView>;

export const LimitsView = Type.Object({
  lowLow: Type.Optional(Type.Number()),
  low: Type.Optional(Type.Number()),
  high: Type.Optional(Type.Number()),
  highHigh: Type.Optional(Type.Number()),
  deadband: Type.Number(),
  onDelaySeconds: Type.Number(),
});
export type LimitsView = Static<typeof LimitsView>;

export const PointView = Type.Object({
  key: Type.String(),
  deviceId: Type.String(),
  roomId: Type.String(),
  point: Type.String(),
  label: Localized,
  unit: Type.String(),
  /** Decimals to show, from the profile (30.0 °C stays 30.0). */
  precision: Type.Optional(Type.Integer({ minimum: 0, maximum: 6 })),
  limits: Type.Optional(LimitsView),
});
export type PointView = Static<typeof PointView>;

export const DeviceView = Type.Object({
  id: Type.String(),
  roomId: Type.String(),
  name: Localized,
  profile: Type.String(),
});
export type DeviceView = Static<typeof DeviceView>;

export const RoomView = Type.Object({
  id: Type.String(),
  name: Localized,
  kind: Type.String(),
});
export type RoomView = Static<typeof RoomView>;

export const SiteView = Type.Object({
  id: Type.String(),
  name: Localized,
  timezone: Type.String(),
  demo: Type.Boolean(),
  /** The site's default console language, used until a user picks one on their browser. */
  language: Type.Union([Type.Literal('en'), Type.Literal('zh-CN')]),
  rooms: Type.Array(RoomView),
  devices: Type.Array(DeviceView),
  points: Type.Array(PointView),
});
export type SiteView = Static<typeof SiteView>;

/** ISA-18.2 states A–D (reference/alarm-standards.md); later issues add latched, shelved, suppressed, out of service. */
export const AlarmState = Type.Union([
  Type.Literal('normal'),
  Type.Literal('unack_active'),
  Type.Literal('ack_active'),
  Type.Literal('rtn_unack'),
]);
export type AlarmState = Static<typeof AlarmState>;

export const AlarmCondition = Type.Union([
  Type.Literal('lowLow'),
  Type.Literal('low'),
  Type.Literal('high'),
  Type.Literal('highHigh'),
]);
export type AlarmCondition = Static<typeof AlarmCondition>;

export const Priority = Type.Union([
  Type.Literal('critical'),
  Type.Literal('high'),
  Type.Literal('medium'),
  Type.Literal('low'),
]);
export type Priority = Static<typeof Priority>;

export const AlarmView = Type.Object({
  id: Type.Integer(),
  pointKey: Type.String(),
  roomId: Type.String(),
  deviceId: Type.String(),
  condition: AlarmCondition,
  priority: Priority,
  state: AlarmState,
  /** The domain.md rule the limit implements, e.g. R1 for the distribution room's 40 °C. */
  rule: Type.Union([Type.String(), Type.Null()]),
  value: Type.Number(),
  limit: Type.Number(),
  unit: Type.String(),
  raisedAt: Type.Number(),
  ackedBy: Type.Union([Type.String(), Type.Null()]),
  /** Display name of the acknowledger as it was when they acknowledged. */
  ackedByName: Type.Union([Type.String(), Type.Null()]),
  ackedAt: Type.Union([Type.Number(), Type.Null()]),
  ackNote: Type.Union([Type.String(), Type.Null()]),
  clearedAt: Type.Union([Type.Number(), Type.Null()]),
});
export type AlarmView = Static<typeof AlarmView>;

export const AckRequest = Type.Object(
  { note: Type.String({ maxLength: 500 }) },
  { additionalProperties: false },
);
export type AckRequest = Static<typeof AckRequest>;

/** Duty-log entry kinds; the console renders each through i18n key `dutyLog.kind.<kind>` with `params`. */
export const DutyLogKind = Type.Union([
  Type.Literal('alarm.raised'),
  Type.Literal('alarm.acknowledged'),
  Type.Literal('alarm.returned'),
  Type.Literal('alarm.cleared'),
  Type.Literal('gateway.started'),
  Type.Literal('gateway.stopped'),
  Type.Literal('user.login'),
  Type.Literal('user.logout'),
]);
export type DutyLogKind = Static<typeof DutyLogKind>;

export const DutyLogParam = Type.Union([Type.String(), Type.Number(), Type.Boolean(), Type.Null()]);

export const DutyLogEntryView = Type.Object({
  id: Type.Integer(),
  ts: Type.Number(),
  kind: DutyLogKind,
  roomId: Type.Union([Type.String(), Type.Null()]),
  deviceId: Type.Union([Type.String(), Type.Null()]),
  pointKey: Type.Union([Type.String(), Type.Null()]),
  /** Who did it; null for automatic entries written by the gateway. */
  username: Type.Union([Type.String(), Type.Null()]),
  alarmId: Type.Union([Type.Integer(), Type.Null()]),
  params: Type.Record(Type.String(), DutyLogParam),
});
export type DutyLogEntryView = Static<typeof DutyLogEntryView>;

export const DutyLogQuery = Type.Object({
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })),
  beforeId: Type.Optional(Type.Integer({ minimum: 1 })),
});
export type DutyLogQuery = Static<typeof DutyLogQuery>;

/** Stable error codes (style.md: fastify's FST_ERR_* catalogue); the console translates `error.<code>`. */
export const ErrorCode = Type.Union([
  Type.Literal('RW_AUTH_REQUIRED'),
  Type.Literal('RW_BAD_CREDENTIALS'),
  Type.Literal('RW_FORBIDDEN'),
  Type.Literal('RW_INVALID_REQUEST'),
  Type.Literal('RW_NOT_FOUND'),
  Type.Literal('RW_ALARM_NOT_ACKABLE'),
  Type.Literal('RW_NOTE_REQUIRED'),
  Type.Literal('RW_INTERNAL'),
]);
export type ErrorCode = Static<typeof ErrorCode>;

export const ErrorBody = Type.Object({
  error: Type.Object({ code: ErrorCode, message: Type.String() }),
});
export type ErrorBody = Static<typeof ErrorBody>;

export type AckResult = { ok: true; alarm: AlarmView } | { ok: false; error: { code: ErrorCode; message: string } };

/** socket.io events, server to console. */
export interface ServerToConsoleEvents {
  readings: (readings: ReadingView[]) => void;
  alarm: (alarm: AlarmView) => void;
  dutyLog: (entry: DutyLogEntryView) => void;
}

/** socket.io events, console to server; every one is checked against the session's user. */
export interface ConsoleToServerEvents {
  'alarm:ack': (request: { id: number; note: string }, reply: (result: AckResult) => void) => void;
}

export { routes, SESSION_COOKIE } from './routes.ts';
export * from './history.ts';
