// The site configuration (YAML), as one TypeBox schema: the TypeScript types and the runtime validation
// come from the same source (style.md §5). Keys are camelCase everywhere, as users type them.
import { Type, type Static } from '@sinclair/typebox';
import { Localized, Role, Priority } from '../contract/api.ts';
import { BrokerConfig, MqttConnection } from './mqtt-schema.ts';
import { ShiftConfig } from '../shifts/config-schema.ts';
import { HandoverConfig } from '../duty/handover-config.ts';
import { PatrolSchedule } from '../patrols/config-schema.ts';
import { ModbusConnection } from './modbus-connection.ts';

const Id = Type.String({ pattern: '^[a-z0-9][a-z0-9-]{0,62}$', description: 'lower-case letters, digits and dashes' });

export const LimitConfig = Type.Object(
  {
    lowLow: Type.Optional(Type.Number()),
    low: Type.Optional(Type.Number()),
    high: Type.Optional(Type.Number()),
    highHigh: Type.Optional(Type.Number()),
    /** A condition clears only when the value is back past the limit by this much (ISA-18.2 deadband). */
    deadband: Type.Optional(Type.Number({ minimum: 0 })),
    /** The condition must hold this long before the alarm is raised (filters spikes). */
    onDelaySeconds: Type.Optional(Type.Number({ minimum: 0, maximum: 3600 })),
    /** Priority of the *high/low* alarms; the outer limits (highHigh/lowLow) are one step higher. */
    priority: Type.Optional(Priority),
    /** The duty rule (docs/duty-rules.md) this limit implements, shown in the alarm and the duty log (e.g. R1). */
    rule: Type.Optional(Type.String({ maxLength: 16 })),
    /** The condition must have been gone this long before the alarm returns (filters flicker). */
    offDelaySeconds: Type.Optional(Type.Number({ minimum: 0, maximum: 3600 })),
    /** Rate-of-change alarm: more than this many units per minute between two readings. */
    ratePerMinute: Type.Optional(Type.Number({ exclusiveMinimum: 0 })),
  },
  { additionalProperties: false },
);
export type LimitConfig = Static<typeof LimitConfig>;

/**
 * Suppression by design (ISA-18.2 H): the alarm is evaluated but not annunciated while another point
 * has a given value, e.g. a pump's low-flow alarm while the pump is stopped.
 */
export const SuppressWhen = Type.Object(
  { point: Type.String({ minLength: 3 }), equals: Type.Union([Type.Number(), Type.Boolean()]) },
  { additionalProperties: false },
);
export type SuppressWhen = Static<typeof SuppressWhen>;

const Seconds = Type.Array(Type.Integer({ minimum: 1 }), { maxItems: 3 });

const ShelveMinutes = Type.Integer({ minimum: 1, maximum: 7 * 24 * 60 });

export const AlarmsConfig = Type.Object(
  {
    /**
     * Longest an alarm may be shelved (ISA-18.2: shelving is temporary), one number for every priority or one per
     * priority. Defaults: critical 30, high 60, medium 120, low 120 (issue 13 medium 8; src/alarms/shelve-limits.ts).
     */
    maxShelveMinutes: Type.Optional(
      Type.Union([
        ShelveMinutes,
        Type.Object(
          { critical: Type.Optional(ShelveMinutes), high: Type.Optional(ShelveMinutes), medium: Type.Optional(ShelveMinutes), low: Type.Optional(ShelveMinutes) },
          { additionalProperties: false },
        ),
      ]),
    ),
    /** Site-local time at which a fire device still isolated raises an alarm (A6). Default "23:00". */
    isolationEndOfDay: Type.Optional(Type.String({ pattern: '^([01][0-9]|2[0-3]):[0-5][0-9]$' })),
    /**
     * Run feedback vs command: the equipment was told to run (or stop) and its feedback says otherwise for
     * longer than `delaySeconds` (a pump that does not start, a chiller that trips). Points as <device>.<point>.
     */
    mismatch: Type.Optional(
      Type.Array(
        Type.Object(
          {
            command: Type.String({ minLength: 3 }),
            feedback: Type.String({ minLength: 3 }),
            delaySeconds: Type.Optional(Type.Number({ minimum: 0, maximum: 3600 })),
            priority: Type.Optional(Priority),
          },
          { additionalProperties: false },
        ),
      ),
    ),
    /**
     * A1/A2: an alarm not acknowledged after T1 notifies the shift lead, after T2 the supervisor, after T3 the
     * manager. Seconds after the alarm was raised, per priority.
     */
    escalation: Type.Optional(
      Type.Object(
        {
          critical: Type.Optional(Seconds),
          high: Type.Optional(Seconds),
          medium: Type.Optional(Seconds),
          low: Type.Optional(Seconds),
          webhook: Type.Optional(
            Type.Object(
              { url: Type.String({ pattern: '^https?://' }), timeoutMs: Type.Optional(Type.Integer({ minimum: 100, maximum: 60_000 })) },
              { additionalProperties: false },
            ),
          ),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);
export type AlarmsConfig = Static<typeof AlarmsConfig>;

/** When a discrete point is in alarm: `true`/`false` for a boolean point, `nonzero` or listed values for a code. */
export const ActiveWhen = Type.Union([Type.Boolean(), Type.Literal('nonzero'), Type.Array(Type.Integer(), { minItems: 1 })]);

/**
 * The parts of a profile's discrete alarm a site may change (texts, priority, latching), and its polarity:
 * `activeWhen: false` for a normally-closed contact (a fire panel's NC relay output: closed = normal).
 */
const DiscreteAlarmOverride = Type.Object({
  activeWhen: ActiveWhen,
  priority: Priority,
  latched: Type.Boolean(),
  message: Localized,
  response: Localized,
  rule: Type.String({ maxLength: 16 }),
});

/**
 * What real installs vary on one point of a Modbus profile (issue 12 §2), set per device in the site config:
 * - `scale` replaces the profile's raw multiplier (an XY-MD02 with ×100 firmware: 0.01);
 * - `unit: °F` says the unit reports Fahrenheit (a chiller set to °F): the gateway converts to the profile's °C, so
 *   limits, R1 and rollups stay in °C;
 * - `offset` is added to the value, in the profile's unit (a sensor that reads 0.8 °C high: -0.8);
 * - `precision` the decimals shown.
 * The profile's range still applies, after conversion.
 */
export const PointOverride = Type.Object(
  {
    scale: Type.Optional(Type.Number()),
    offset: Type.Optional(Type.Number()),
    unit: Type.Optional(Type.Literal('°F')),
    precision: Type.Optional(Type.Integer({ minimum: 0, maximum: 6 })),
  },
  { additionalProperties: false },
);
export type PointOverride = Static<typeof PointOverride>;

// Modbus TCP, RTU and RTU over TCP connections live in their own file (shared links, line settings).
export { ModbusConnection, ModbusTcpConnection } from './modbus-connection.ts';

export const DeviceConfig = Type.Object(
  {
    id: Id,
    room: Id,
    profile: Id,
    name: Type.Optional(Localized),
    connection: Type.Union([...ModbusConnection.anyOf, MqttConnection]),
    pollIntervalMs: Type.Optional(Type.Integer({ minimum: 100, maximum: 3_600_000 })),
    /** Failed cycles in a row before the device counts as offline (communication-loss alarm); default 3. */
    commLossAfterCycles: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })),
    /** Answered cycles in a row before an offline device counts as back (hysteresis: a flapping device does not
     * write a duty-log line per flap); default 2. */
    commRestoreAfterCycles: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })),
    /** Demo/test only: start the built-in simulator of this profile on the connection's port. */
    simulate: Type.Optional(Type.Boolean()),
    /** Per-point limits; they override the profile's and the room kind's defaults. */
    limits: Type.Optional(Type.Record(Type.String(), LimitConfig)),
    /** Per-point overrides of the profile's discrete alarms (priority, latching, texts). */
    alarms: Type.Optional(Type.Record(Type.String(), Type.Partial(DiscreteAlarmOverride))),
    /** Per-point suppression by design. */
    suppress: Type.Optional(Type.Record(Type.String(), SuppressWhen)),
    /** Per-point value variants of this unit (Modbus), without editing the profile: see PointOverride. */
    points: Type.Optional(Type.Record(Type.String(), PointOverride)),
  },
  { additionalProperties: false },
);
export type DeviceConfig = Static<typeof DeviceConfig>;

export const RoomKind = Type.Union([
  Type.Literal('distribution'),
  Type.Literal('pump'),
  Type.Literal('chiller'),
  Type.Literal('fire-control'),
  Type.Literal('cctv'),
  Type.Literal('other'),
]);
export type RoomKind = Static<typeof RoomKind>;

export const RoomConfig = Type.Object(
  { id: Id, kind: RoomKind, name: Localized },
  { additionalProperties: false },
);
export type RoomConfig = Static<typeof RoomConfig>;

export const UserConfig = Type.Object(
  {
    username: Type.String({ pattern: '^[A-Za-z0-9._-]{1,64}$' }),
    displayName: Type.String({ minLength: 1, maxLength: 64 }),
    role: Role,
    /** scrypt hash made by `npm run hash-password`; required outside demo mode. */
    passwordHash: Type.Optional(Type.String({ pattern: '^scrypt\\$' })),
    /** Plain password: accepted only when site.demo is true. */
    password: Type.Optional(Type.String({ minLength: 1 })),
  },
  { additionalProperties: false },
);
export type UserConfig = Static<typeof UserConfig>;

export const InfluxConfig = Type.Object(
  {
    url: Type.String({ pattern: '^https?://' }),
    database: Type.String({ minLength: 1 }),
    username: Type.Optional(Type.String()),
    password: Type.Optional(Type.String()),
    batchSize: Type.Optional(Type.Integer({ minimum: 1, maximum: 50_000 })),
    flushIntervalMs: Type.Optional(Type.Integer({ minimum: 10, maximum: 60_000 })),
    /** Bounds of the on-disk outbox (store-and-forward) and what goes at the bound (docs/influx-schema.md). */
    outboxMaxPoints: Type.Optional(Type.Integer({ minimum: 10 })),
    outboxMaxMiB: Type.Optional(Type.Number({ minimum: 1 })),
    outboxPolicy: Type.Optional(Type.Union([Type.Literal('dropOldestRaw'), Type.Literal('dropNewest')])),
    /** Points kept in memory at most while InfluxDB keeps up (what a kill -9 can lose); 0 = every point on disk. */
    outboxMemoryPoints: Type.Optional(Type.Integer({ minimum: 0, maximum: 10_000_000 })),
  },
  { additionalProperties: false },
);
export type InfluxConfig = Static<typeof InfluxConfig>;

export const SiteConfig = Type.Object(
  {
    site: Type.Object(
      {
        id: Id,
        name: Localized,
        timezone: Type.Optional(Type.String({ minLength: 1 })),
        /** Demo mode: plain demo passwords allowed and announced at start-up. Never in production. */
        demo: Type.Optional(Type.Boolean()),
        /**
         * Demo mode only: at start the current and next month get a published roster built from the users (each
         * shift its minStaff, R2), "demo seed" publishing it; a month that has a roster already is left alone.
         */
        demoRoster: Type.Optional(Type.Boolean()),
        language: Type.Optional(Type.Union([Type.Literal('en'), Type.Literal('zh-CN')])),
      },
      { additionalProperties: false },
    ),
    storage: Type.Optional(
      Type.Object({ dataDir: Type.String({ minLength: 1 }) }, { additionalProperties: false }),
    ),
    http: Type.Optional(
      Type.Object(
        {
          host: Type.Optional(Type.String()),
          port: Type.Optional(Type.Integer({ minimum: 0, maximum: 65535 })),
          sessionHours: Type.Optional(Type.Number({ minimum: 0.1, maximum: 24 * 30 })),
          /**
           * The console's address as phones and PCs reach it (patrol QR codes name it), e.g.
           * https://roomwatch.plant.lan:8443. Default: the address the console listens on. Never taken from a
           * request's Host header, which any client can set (issue 13).
           */
          publicUrl: Type.Optional(Type.String({ pattern: '^https?://[^/?#]+/?$', maxLength: 200 })),
          /**
           * HTTPS for the console: PEM certificate (chain) and key files, relative to the site file (docs/security.md
           * says how to make them). The session cookie is then `Secure`.
           */
          tls: Type.Optional(Type.Object({ cert: Type.String({ minLength: 1 }), key: Type.String({ minLength: 1 }) }, { additionalProperties: false })),
          /** With tls: a plain HTTP port on the same host that only redirects to HTTPS (e.g. 80). Default: none. */
          redirectHttpPort: Type.Optional(Type.Integer({ minimum: 0, maximum: 65535 })),
        },
        { additionalProperties: false },
      ),
    ),
    broker: Type.Optional(BrokerConfig),
    historian: Type.Optional(
      Type.Object(
        {
          influx: Type.Optional(InfluxConfig),
          /** Raw readings are kept this long (default 90), in InfluxDB and in the local store. */
          rawRetentionDays: Type.Optional(Type.Integer({ minimum: 1, maximum: 3650 })),
          /** Rollups and alarm transitions: at least 2 years (L5), default 731 days. */
          rollupRetentionDays: Type.Optional(Type.Integer({ minimum: 731, maximum: 36500 })),
        },
        { additionalProperties: false },
      ),
    ),
    simulators: Type.Optional(
      Type.Object(
        {
          /** HTTP control of the built-in simulators (`npm run sim`); loopback only. */
          controlPort: Type.Integer({ minimum: 0, maximum: 65535 }),
        },
        { additionalProperties: false },
      ),
    ),
    alarms: Type.Optional(AlarmsConfig),
    /**
     * The site's own device profiles (a folder of *.yaml, relative to this file), loaded with the built-in ones under
     * the same schema and checks; a profile id both define is refused, naming both files.
     */
    profilesDir: Type.Optional(Type.String({ minLength: 1 })),
    rooms: Type.Array(RoomConfig, { minItems: 1 }),
    devices: Type.Array(DeviceConfig),
    users: Type.Array(UserConfig, { minItems: 1 }),
    /** Shift definitions (S2, R2); see src/shifts/config-schema.ts. */
    shifts: Type.Optional(Type.Array(ShiftConfig)),
    /** Handover checklist and refusal settings (S4–S6); see src/duty/handover-config.ts. */
    handover: Type.Optional(HandoverConfig),
    /** Patrol schedules per room (P1, P3, P4); see src/patrols/config-schema.ts. */
    patrols: Type.Optional(Type.Array(PatrolSchedule)),
  },
  { additionalProperties: false },
);
export type SiteConfig = Static<typeof SiteConfig>;
