// The one contract between the gateway and the console (style.md §10): REST DTOs and socket.io events.
// TypeBox gives both the TypeScript types and the JSON Schema fastify validates requests with.
import { Type, type Static } from '@sinclair/typebox';
export * from './mqtt.ts';
export * from './modbus.ts';
import { ShiftDutyLogKind, ShiftErrorCode } from './shifts.ts';
import { JournalDutyLogKind, JournalErrorCode } from './duty-journal.ts';
import { HandoverDutyLogKind, HandoverErrorCode } from './handover.ts';
import { PatrolDutyLogKind } from './patrols.ts';
import { RoomEntryDutyLogKind } from './room-entries.ts';
import { PlaybookDutyLogKind } from './playbooks.ts';

export { Role, Localized, StoreId, EpochMs, idParam } from './common.ts';
import { Role, Localized, StoreId, EpochMs } from './common.ts';

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
  /** Texts of enumerated values from the profile (unit status, fault codes: "57" → dry running). */
  values: Type.Optional(Type.Record(Type.String(), Localized)),
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
  /** Longest shelving per priority (alarms.maxShelveMinutes): the console offers only durations within it. */
  shelveMaxMinutes: Type.Object({ critical: Type.Integer(), high: Type.Integer(), medium: Type.Integer(), low: Type.Integer() }),
  /**
   * The gateway's clock (epoch ms) when it answered: the one clock of record (L6). Control-room PCs run without
   * NTP, so the console takes "now" from this and from `clock:sync`, not from the browser.
   */
  serverTime: Type.Number(),
});
export type SiteView = Static<typeof SiteView>;

/**
 * ISA-18.2 states (reference/alarm-standards.md): A normal, B unacknowledged, C acknowledged, D returned
 * unacknowledged, E/F latched unacknowledged/acknowledged (fire alarms stay until reset, A4). Shelved (G),
 * suppressed by design (H) and out of service (I) remove an alarm from annunciation; they are shown in
 * AlarmView.annunciation, since the alarm keeps being evaluated underneath (OPC UA Part 9 §4.8).
 */
export const AlarmState = Type.Union([
  Type.Literal('normal'),
  Type.Literal('unack_active'),
  Type.Literal('ack_active'),
  Type.Literal('rtn_unack'),
  Type.Literal('latched_unack'),
  Type.Literal('latched_ack'),
]);
export type AlarmState = Static<typeof AlarmState>;

export const AlarmCondition = Type.Union([
  Type.Literal('lowLow'),
  Type.Literal('low'),
  Type.Literal('high'),
  Type.Literal('highHigh'),
  /** Value changing faster than the configured rate per minute. */
  Type.Literal('rateOfChange'),
  /** A contact, fault code or status the profile defines as an alarm (fire, CCTV, pump fault …). */
  Type.Literal('discrete'),
  /** The device stopped answering (Modbus) or went offline (MQTT LWT / heartbeat). */
  Type.Literal('commLoss'),
  /** A fire device still isolated at the end of the day (A6: never silently overnight). */
  Type.Literal('isolationOvernight'),
  /** A patrol period ended without a round (P1/P3); the alarm's device id is `patrol:<schedule id>`. */
  Type.Literal('patrolOverdue'),
  /** R2: the shift in progress has fewer people rostered than its minimum; device id `roster:staffing`. */
  Type.Literal('understaffed'),
  /** R2 look-ahead: a shift starting in the next 24 h has fewer people rostered than its minimum; `roster:coverage`. */
  Type.Literal('understaffedSoon'),
  /** Run feedback disagrees with the command for longer than the configured delay. */
  Type.Literal('mismatch'),
  /** The device answers a read with exception 01/02/03/0A: its profile or the gateway's table does not match it. */
  Type.Literal('config'),
  /** The historian's outbox is full and readings are being lost (issue 17): the gateway's own alarm, point key
   *  `historian`, value = readings lost in the episode. */
  Type.Literal('historianLoss'),
]);
export type AlarmCondition = Static<typeof AlarmCondition>;

export const Priority = Type.Union([
  Type.Literal('critical'),
  Type.Literal('high'),
  Type.Literal('medium'),
  Type.Literal('low'),
]);
export type Priority = Static<typeof Priority>;

export const Annunciation = Type.Union([
  Type.Literal('annunciated'),
  Type.Literal('shelved'),
  Type.Literal('suppressed'),
  Type.Literal('out_of_service'),
]);
export type Annunciation = Static<typeof Annunciation>;

export const ShelveView = Type.Object({
  by: Type.String(),
  reason: Type.String(),
  at: Type.Number(),
  until: Type.Number(),
});
export type ShelveView = Static<typeof ShelveView>;

export const DeviceTagKind = Type.Union([Type.Literal('maintenance'), Type.Literal('isolation')]);
export type DeviceTagKind = Static<typeof DeviceTagKind>;

/** A maintenance tag (R5, 挂牌) or a fire-device isolation (A6) on a device: out of service (ISA-18.2 I). */
export const DeviceTagView = Type.Object({
  deviceId: Type.String(),
  kind: DeviceTagKind,
  state: Type.Union([Type.Literal('requested'), Type.Literal('active')]),
  reason: Type.String(),
  taggedBy: Type.String(),
  taggedAt: Type.Number(),
  plannedEnd: Type.Union([Type.Number(), Type.Null()]),
  approvedBy: Type.Union([Type.String(), Type.Null()]),
  approvedAt: Type.Union([Type.Number(), Type.Null()]),
});
export type DeviceTagView = Static<typeof DeviceTagView>;

/** What was found on site (A4); `test`: a routine test (a detector's test button), not a false alarm in the statistics. */
export const FireClassification = Type.Union([Type.Literal('confirmed'), Type.Literal('false_alarm'), Type.Literal('device_fault'), Type.Literal('test')]);
export type FireClassification = Static<typeof FireClassification>;

/**
 * The response on site to an alarm someone goes to see: who was sent (A4: to confirm a fire; A7: guards to what a
 * camera saw, whose recording is the alarm's `evidence`) and, for a fire, what they found.
 */
export const OnSiteResponseView = Type.Object({
  dispatchedTo: Type.Union([Type.String(), Type.Null()]),
  dispatchedBy: Type.Union([Type.String(), Type.Null()]),
  dispatchedAt: Type.Union([Type.Number(), Type.Null()]),
  classification: Type.Union([FireClassification, Type.Null()]),
  classifiedBy: Type.Union([Type.String(), Type.Null()]),
  classifiedAt: Type.Union([Type.Number(), Type.Null()]),
  note: Type.Union([Type.String(), Type.Null()]),
});
export type OnSiteResponseView = Static<typeof OnSiteResponseView>;

/** A8: a fault the shift cannot fix, reported upwards: by whom, when, to whom, and what was tried. */
export const ReportUpView = Type.Object({
  by: Type.String(),
  byName: Type.String(),
  at: Type.Number(),
  note: Type.String(),
  targets: Type.String(),
});
export type ReportUpView = Static<typeof ReportUpView>;

export const AlarmView = Type.Object({
  id: Type.Integer(),
  pointKey: Type.String(),
  roomId: Type.String(),
  deviceId: Type.String(),
  condition: AlarmCondition,
  priority: Priority,
  state: AlarmState,
  /** The duty rule (docs/duty-rules.md) the limit implements, e.g. R1 for the distribution room's 40 °C. */
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
  /** A discrete alarm's text (profile message, fault code text) in both languages; null for limits. */
  message: Type.Union([Localized, Type.Null()]),
  /** What to do, from the profile or the site config. */
  response: Type.Union([Localized, Type.Null()]),
  /** Fault code, last error or LWT payload that explains the alarm. */
  detail: Type.Union([Type.String(), Type.Null()]),
  latched: Type.Boolean(),
  annunciation: Annunciation,
  shelved: Type.Union([ShelveView, Type.Null()]),
  tag: Type.Union([DeviceTagView, Type.Null()]),
  /** How many escalation levels have been notified (A1/A2); 0 = none yet. */
  escalationLevel: Type.Integer(),
  nextEscalationAt: Type.Union([Type.Number(), Type.Null()]),
  /** A4/A7: who was sent on site and what they found; null until someone is sent or the fire is classified. */
  onSite: Type.Union([OnSiteResponseView, Type.Null()]),
  /** A8: reported upwards; shown with the alarm until it clears. */
  reportedUp: Type.Union([ReportUpView, Type.Null()]),
  /** A7: the recording a CCTV alarm refers to (Frigate event id, snapshot or clip), kept as evidence. */
  evidence: Type.Union([Type.String(), Type.Null()]),
});
export type AlarmView = Static<typeof AlarmView>;

export const ShelveRequest = Type.Object(
  { minutes: Type.Integer({ minimum: 1, maximum: 24 * 60 }), reason: Type.String({ minLength: 1, maxLength: 500 }) },
  { additionalProperties: false },
);
export type ShelveRequest = Static<typeof ShelveRequest>;

export const DeviceTagRequest = Type.Object(
  {
    kind: DeviceTagKind,
    reason: Type.String({ minLength: 1, maxLength: 500 }),
    plannedEnd: Type.Optional(EpochMs),
  },
  { additionalProperties: false },
);
export type DeviceTagRequest = Static<typeof DeviceTagRequest>;

export const DispatchRequest = Type.Object({ to: Type.String({ minLength: 1, maxLength: 100 }) }, { additionalProperties: false });
export type DispatchRequest = Static<typeof DispatchRequest>;

/** A7: where the recording of a CCTV alarm is kept (an export, a locked clip), added to the camera's own reference. */
export const KeepEvidenceRequest = Type.Object({ reference: Type.String({ minLength: 1, maxLength: 500 }) }, { additionalProperties: false });
export type KeepEvidenceRequest = Static<typeof KeepEvidenceRequest>;

/** A2: an emergency escalation straight to the supervisor or manager, skipping levels, with why it cannot wait. */
export const EmergencyEscalationRequest = Type.Object(
  { role: Type.Union([Type.Literal('supervisor'), Type.Literal('manager')]), reason: Type.String({ minLength: 1, maxLength: 500 }) },
  { additionalProperties: false },
);
export type EmergencyEscalationRequest = Static<typeof EmergencyEscalationRequest>;

/** A8: what was tried and what is needed, for the shift lead or supervisor. */
export const ReportUpRequest = Type.Object({ note: Type.String({ minLength: 1, maxLength: 1000 }) }, { additionalProperties: false });
export type ReportUpRequest = Static<typeof ReportUpRequest>;

export const ClassifyRequest = Type.Object(
  { classification: FireClassification, note: Type.String({ minLength: 1, maxLength: 1000 }) },
  { additionalProperties: false },
);
export type ClassifyRequest = Static<typeof ClassifyRequest>;

/** Alarm load (EEMUA 191 / ISA-18.2): a flood is more than 10 alarms in 10 minutes for the site. */
export const AlarmSummary = Type.Object({
  flood: Type.Boolean(),
  raisedLast10Min: Type.Integer(),
  byRoom: Type.Record(Type.String(), Type.Integer()),
  byCondition: Type.Record(Type.String(), Type.Integer()),
  /** Point keys with ≥ 3 raises in the last minute. */
  chattering: Type.Array(Type.String()),
});
export type AlarmSummary = Static<typeof AlarmSummary>;

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
  Type.Literal('alarm.latched'),
  Type.Literal('alarm.reset'),
  Type.Literal('alarm.shelved'),
  Type.Literal('alarm.unshelved'),
  Type.Literal('alarm.escalated'),
  Type.Literal('alarm.dispatched'),
  Type.Literal('alarm.classified'),
  /** A7: the duty officer says where a CCTV alarm's recording is kept as evidence. */
  Type.Literal('alarm.evidenceKept'),
  /** E4 as a log line, written by earlier versions; a confirmed fire now opens the fire playbook (playbook.opened). */
  Type.Literal('fire.checklist'),
  /** A4: a confirmed fire told to the roster chain (lead, supervisor, manager) at once. */
  Type.Literal('fire.notified'),
  /** A3: a key-equipment fault routed to the department head and the manager as it is raised. */
  Type.Literal('alarm.routed'),
  /** A8: an acknowledged fault the shift cannot fix, reported to the shift lead and supervisor. */
  Type.Literal('alarm.reportedUp'),
  /** A2: an emergency escalation skipping levels; an open item until its report is written (resolved). */
  Type.Literal('alarm.emergencyEscalated'),
  Type.Literal('device.tagged'),
  Type.Literal('device.tagApproved'),
  Type.Literal('device.untagged'),
  Type.Literal('gateway.started'),
  Type.Literal('gateway.stopped'),
  /** Found on start: the previous run ended without a clean stop (crash, kill -9, power cut); the blind period. */
  Type.Literal('gateway.uncleanStop'),
  Type.Literal('user.login'),
  Type.Literal('user.logout'),
  ...ShiftDutyLogKind.anyOf,
  ...JournalDutyLogKind.anyOf,
  ...HandoverDutyLogKind.anyOf,
  ...PatrolDutyLogKind.anyOf,
  ...RoomEntryDutyLogKind.anyOf,
  ...PlaybookDutyLogKind.anyOf,
  // Acquisition (issue 3): run-status changes (A3) and devices going offline / coming back.
  Type.Literal('equipment.started'),
  Type.Literal('equipment.stopped'),
  Type.Literal('equipment.runLog'),
  /** A3: an operating mode changed (local/remote, auto/manual …), with the value before and after. */
  Type.Literal('equipment.modeChanged'),
  Type.Literal('device.offline'),
  Type.Literal('device.online'),
  // Issue 17: an episode of readings lost at the historian's outbox bound began / ended (count, time range).
  Type.Literal('historian.dropsStarted'),
  Type.Literal('historian.dropsEnded'),
  // M1: the supervisor's meeting record on a period report.
  Type.Literal('report.meetingSigned'),
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
  beforeId: Type.Optional(StoreId),
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
  Type.Literal('RW_NOT_LATCHED'),
  Type.Literal('RW_NOT_FIRE_ALARM'),
  Type.Literal('RW_TAG_EXISTS'),
  /** A6: a tag on a fire/life-safety device says when it ends. */
  Type.Literal('RW_PLANNED_END_REQUIRED'),
  Type.Literal('RW_NO_TAG'),
  Type.Literal('RW_INTERNAL'),
  Type.Literal('RW_LOGIN_THROTTLED'),
  /** The history database (InfluxDB) does not answer: trends and statistics wait for it (503). */
  Type.Literal('RW_HISTORY_UNAVAILABLE'),
  ...ShiftErrorCode.anyOf,
  ...JournalErrorCode.anyOf,
  ...HandoverErrorCode.anyOf,
]);
export type ErrorCode = Static<typeof ErrorCode>;

export const ErrorBody = Type.Object({
  error: Type.Object({ code: ErrorCode, message: Type.String() }),
});
export type ErrorBody = Static<typeof ErrorBody>;

export type AckResult = { ok: true; alarm: AlarmView } | { ok: false; error: { code: ErrorCode; message: string } };
/** The answer to `clock:sync`: the gateway's clock (epoch ms) when it answered (L6). */
export type ClockResult = { ok: true; serverTime: number } | { ok: false; error: { code: ErrorCode; message: string } };
export type TagResult = { ok: true; tag: DeviceTagView | null } | { ok: false; error: { code: ErrorCode; message: string } };

/** socket.io events, server to console. */
export interface ServerToConsoleEvents {
  readings: (readings: ReadingView[]) => void;
  /** Alarm changes, in order, gathered per turn of the gateway's event loop (one message, not one per alarm). */
  alarms: (alarms: AlarmView[]) => void;
  /** New duty-log entries, in order, gathered the same way. */
  dutyLogEntries: (entries: DutyLogEntryView[]) => void;
  alarmSummary: (summary: AlarmSummary) => void;
  deviceTag: (tag: DeviceTagView | { deviceId: string; removed: true }) => void;
}

/** socket.io events, console to server; every one is checked against the session's user. */
export interface ConsoleToServerEvents {
  'alarm:ack': (request: { id: number; note: string }, reply: (result: AckResult) => void) => void;
  'alarm:shelve': (request: { id: number } & ShelveRequest, reply: (result: AckResult) => void) => void;
  'alarm:unshelve': (request: { id: number }, reply: (result: AckResult) => void) => void;
  'alarm:reset': (request: { id: number; note: string }, reply: (result: AckResult) => void) => void;
  'alarm:dispatch': (request: { id: number } & DispatchRequest, reply: (result: AckResult) => void) => void;
  'alarm:classify': (request: { id: number } & ClassifyRequest, reply: (result: AckResult) => void) => void;
  'alarm:keepEvidence': (request: { id: number } & KeepEvidenceRequest, reply: (result: AckResult) => void) => void;
  'alarm:reportUp': (request: { id: number } & ReportUpRequest, reply: (result: AckResult) => void) => void;
  'alarm:escalate': (request: { id: number } & EmergencyEscalationRequest, reply: (result: AckResult) => void) => void;
  'device:tag': (request: { deviceId: string } & DeviceTagRequest, reply: (result: TagResult) => void) => void;
  'device:approveTag': (request: { deviceId: string }, reply: (result: TagResult) => void) => void;
  'device:untag': (request: { deviceId: string }, reply: (result: TagResult) => void) => void;
  /** The gateway's time, asked on every connect and once a minute; the console measures the round trip. */
  'clock:sync': (request: Record<string, never>, reply: (result: ClockResult) => void) => void;
}

export { routes, SESSION_COOKIE } from './routes.ts';
export * from './shifts.ts';
export * from './duty-journal.ts';
export * from './handover.ts';
export * from './patrols.ts';
export * from './room-entries.ts';
export * from './shift-report.ts';
export * from './playbooks.ts';
export * from './history.ts';
export * from './security.ts';
export * from './period-report.ts';
