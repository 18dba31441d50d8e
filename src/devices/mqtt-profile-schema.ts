// MQTT device profiles as data (devices/*.yaml, protocol: mqtt): topic templates with `{id}`, payload decoders
// (plain 0/1, true/false, ON/OFF, JSON with a path), value mappings, availability/LWT and the device's topic
// ACL. Adding a device family needs no TypeScript (style.md §4). Families and payload shapes:
// shared/reference/devices.md §4.
import { Type, type Static, type TLiteral, type TUnion } from '@sinclair/typebox';
import { Localized } from '../contract/api.ts';
// Types only: profile-schema.ts imports this file for the DeviceProfile union, so the shared point parts
// (quantity, value texts, discrete alarm) are handed in by mqttProfileSchema() instead of imported (no cycle).
import type { DiscreteAlarmSpec, Quantity, ValueTexts } from './profile-schema.ts';

/** A union of string literals from a list (the words users type in the profile YAML). */
const oneOf = <T extends string>(...words: T[]): TUnion<TLiteral<T>[]> => Type.Union(words.map((w) => Type.Literal(w)));

/** A topic with `{id}` standing for the device's configured topicId (MQTT 3.1.1 §4.7: no wildcards here). */
const TopicTemplate = Type.String({ minLength: 1, maxLength: 256, pattern: '^[^#+$][^#+]*$' });
/** A topic filter for the ACL: a template that may end in `/#` or hold `+` levels (MQTT 3.1.1 §4.7.1). */
const FilterTemplate = Type.String({ minLength: 1, maxLength: 256, pattern: '^[^$]' });

/** Where in a JSON payload: `state`, `params["input:0"].state`, `after.camera`, `Switch1.Action`. */
const JsonPath = Type.String({ minLength: 1, maxLength: 200 });
const Scalar = Type.Union([Type.String(), Type.Number(), Type.Boolean()]);

/** `plain`: the whole payload is the value (`1`, `true`, `ON`, `Online`); `json`: a document, `path` picks the value. */
export const PayloadFormat = oneOf('plain', 'json');
export type PayloadFormat = Static<typeof PayloadFormat>;

/**
 * Availability may also be `plain-or-json`: a JSON object is read at `path`, anything else is plain text. Zigbee2MQTT
 * 1.x sends `online`/`offline` as plain text (legacy_availability_payload, its default), 2.x sends {"state":"online"};
 * one site often runs both, and an upgrade must not make a dead bridge look alive.
 */
export const AvailabilityFormat = oneOf('plain', 'json', 'plain-or-json');
export type AvailabilityFormat = Static<typeof AvailabilityFormat>;

/** One payload or several that mean the same (Frigate's `offline` will and its `stopped` on a clean stop). */
const AvailabilityWords = Type.Union([Type.String({ minLength: 1 }), Type.Array(Type.String({ minLength: 1 }), { minItems: 1 })]);

/** One way a point's value arrives: a topic, a payload format, and how the raw value maps to the point's value. */
export const MqttDecoder = Type.Object(
  {
    topic: TopicTemplate,
    format: PayloadFormat,
    path: Type.Optional(JsonPath),
    /**
     * Only JSON messages with these values at these paths concern the point (`method: NotifyStatus`,
     * `after.camera: "{id}"`); a list accepts any of its values (`type: [new, update, end]`), others are ignored.
     */
    match: Type.Optional(Type.Record(JsonPath, Type.Union([Scalar, Type.Array(Scalar, { minItems: 1 })]))),
    /** Raw value (as text: `1`, `ON`, `true`, `new`) → the point's value. Unmapped raw values are malformed. */
    map: Type.Optional(Type.Record(Type.String(), Type.Union([Type.Boolean(), Type.Integer()]))),
    /** A JSON message without the path: `ignore` when the topic carries other things too (Tasmota SENSOR, Shelly events/rpc). */
    ifMissing: Type.Optional(oneOf('ignore', 'malformed')),
    /**
     * A retained message at subscribe time: `state` (default) is the device's current state; `ignore` for event
     * topics, where a retained message is an old event, not the present (MQTT 3.1.1 §3.3.1.3).
     */
    retained: Type.Optional(oneOf('state', 'ignore')),
    /**
     * Events that overlap (Frigate tracks several objects per camera, each with its own id): the id of the event at
     * this path. The point is true while ANY event is active (mapped true) and false once the last one has ended.
     */
    eventId: Type.Optional(JsonPath),
    /**
     * The device is being tested while the JSON value at this path is true in the same message (a smoke detector's
     * test button, Zigbee2MQTT `test`): its reading, and an alarm it raises, are marked as a test (issue 12 §3).
     */
    testPath: Type.Optional(JsonPath),
  },
  { additionalProperties: false },
);
export type MqttDecoder = Static<typeof MqttDecoder>;

/** What a point means in the room: fire-alarm contact states and CCTV alarm kinds (issue 3; rules A4, A6, A7). */
export const MqttSignal = oneOf(
  'fire-alarm', 'fire-fault', 'fire-isolated', // fire-alarm contact: alarm / fault / isolated (A4, A6)
  'intrusion', 'motion', 'video-loss', 'tamper', // CCTV alarm kinds (A7); camera offline is the device's link
  'water-leak', 'battery-low', 'contact', 'other',
);
export type MqttSignal = Static<typeof MqttSignal>;

/** Availability / last will: the device (or its bridge) says online or offline (MQTT 3.1.1 §3.1.2.5 Will Flag). */
export const MqttAvailability = Type.Object(
  {
    topic: TopicTemplate,
    format: AvailabilityFormat,
    path: Type.Optional(JsonPath),
    online: AvailabilityWords,
    offline: AvailabilityWords,
    /**
     * `bridge`: the availability of what the device is heard through (Zigbee2MQTT's bridge/state): its offline takes
     * the device offline, its online does not bring it back (the device's own availability or a message does).
     */
    scope: Type.Optional(oneOf('device', 'bridge')),
  },
  { additionalProperties: false },
);
export type MqttAvailability = Static<typeof MqttAvailability>;

/** The point and profile schemas; built once by profile-schema.ts (see the import note above). */
export function mqttProfileSchema(parts: { Quantity: typeof Quantity; ValueTexts: typeof ValueTexts; DiscreteAlarmSpec: typeof DiscreteAlarmSpec }) {
  const { Quantity, ValueTexts, DiscreteAlarmSpec } = parts;
  const MqttPoint = Type.Object(
    {
      label: Localized,
      quantity: Quantity,
      signal: MqttSignal,
      /** Discrete points have no unit (''). */
      unit: Type.String(),
      precision: Type.Optional(Type.Integer({ minimum: 0, maximum: 6 })),
      values: Type.Optional(ValueTexts),
      alarm: Type.Optional(DiscreteAlarmSpec),
      decoders: Type.Array(MqttDecoder, { minItems: 1 }),
    },
    { additionalProperties: false },
  );

  const MqttProfile = Type.Object(
    {
      id: Type.String({ pattern: '^[a-z0-9][a-z0-9-]*$' }),
      name: Localized,
      manufacturer: Type.String(),
      protocol: Type.Literal('mqtt'),
      /** Where the topics and payloads come from: vendor docs, or public repository and file. */
      source: Type.String({ minLength: 10 }),
      /** What the device is in the room. */
      kind: oneOf('fire-alarm-contact', 'cctv-alarm', 'contact', 'other'),
      points: Type.Record(Type.String({ pattern: '^[a-zA-Z][a-zA-Z0-9]*$' }), MqttPoint),
      availability: Type.Optional(Type.Array(MqttAvailability)),
      /**
       * No message for this long means the device is offline (a site may override it per device). A profile without
       * a device-scope availability topic (will) must have one: every profile says how silence is detected.
       */
      heartbeatSeconds: Type.Optional(Type.Integer({ minimum: 1, maximum: 7 * 24 * 3600 })),
      /**
       * Topics of this device (templates, `+` and a final `#` allowed) whose payloads may be larger than the site's
       * broker.maxPayloadBytes, with their own limit: Zigbee2MQTT's bridge/devices and bridge/definitions are 20–200 KiB.
       * The broker lets these through up to their limit and refuses (and counts) anything larger.
       */
      payloadLimits: Type.Optional(Type.Record(FilterTemplate, Type.Integer({ minimum: 64, maximum: 16 * 1024 * 1024 }))),
      /**
       * The device's topic ACL (templates with `{id}`; `+` and a final `#` allowed). A device may publish and
       * subscribe only within these. Without it: exactly the decoder and availability topics.
       */
      acl: Type.Optional(
        Type.Object(
          { publish: Type.Array(FilterTemplate, { minItems: 1 }), subscribe: Type.Optional(Type.Array(FilterTemplate)) },
          { additionalProperties: false },
        ),
      ),
      simulator: Type.Optional(
        Type.Object(
          {
            /** Values the built-in simulator starts with. */
            initial: Type.Record(Type.String(), Type.Union([Type.Boolean(), Type.Integer()])),
            /**
             * Per JSON topic, the document a simulated message starts from (the family's real shape, `{id}` in its
             * strings); the match fields and point values are written into it.
             */
            documents: Type.Optional(Type.Record(Type.String(), Type.Record(Type.String(), Type.Unknown()))),
          },
          { additionalProperties: false },
        ),
      ),
    },
    { additionalProperties: false },
  );
  return { MqttPoint, MqttProfile };
}
