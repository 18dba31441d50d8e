// Device profiles are data (devices/*.yaml): register maps, units, default limits, each citing its source.
// Adding a device model needs no TypeScript (style.md §4). This schema validates them at load time.
import { Type, type Static } from '@sinclair/typebox';
import { Localized, Priority } from '../contract/api.ts';
import { ActiveWhen, LimitConfig } from '../config/schema.ts';
import { mqttProfileSchema } from './mqtt-profile-schema.ts';

export const RegisterTable = Type.Union([
  Type.Literal('coil'), // FC01
  Type.Literal('discrete'), // FC02
  Type.Literal('holding'), // FC03
  Type.Literal('input'), // FC04
]);
export type RegisterTable = Static<typeof RegisterTable>;

export const DataType = Type.Union([
  Type.Literal('int16'),
  Type.Literal('uint16'),
  Type.Literal('int32'),
  Type.Literal('uint32'),
  Type.Literal('float32'),
  Type.Literal('bool'),
]);
export type DataType = Static<typeof DataType>;

/** Physical quantity of a point; room kinds attach their rules by quantity (e.g. R1 on temperature). */
export const Quantity = Type.Union([
  Type.Literal('temperature'),
  Type.Literal('humidity'),
  Type.Literal('pressure'),
  Type.Literal('flow'),
  Type.Literal('speed'),
  Type.Literal('frequency'),
  Type.Literal('current'),
  Type.Literal('power'),
  Type.Literal('energy'),
  Type.Literal('duration'),
  Type.Literal('percent'),
  Type.Literal('status'),
  Type.Literal('code'),
]);
export type Quantity = Static<typeof Quantity>;

/** Text for each value of an enumerated point (status, fault or alarm codes), as the manual names them. */
export const ValueTexts = Type.Record(Type.String({ pattern: '^-?[0-9]+$|^true$|^false$' }), Localized);
export type ValueTexts = Static<typeof ValueTexts>;

/**
 * A discrete alarm a point raises by itself (contact state, fault code ≠ 0, run feedback): data in the
 * profile, evaluated by the alarm service. `activeWhen`: `true`/`false` for a boolean point, `nonzero` for a
 * fault code (its text comes from `values`), or a list of the values that are in alarm.
 */
export const DiscreteAlarmSpec = Type.Object(
  {
    activeWhen: ActiveWhen,
    priority: Priority,
    /** Fire alarms latch: they stay until an authorised user resets them (ISA-18.2 latched, A4). */
    latched: Type.Optional(Type.Boolean()),
    message: Localized,
    /** What the duty staff should do, shown with the alarm. */
    response: Type.Optional(Localized),
    /** The duty rule (docs/duty-rules.md) the alarm serves, e.g. A4 for a fire contact. */
    rule: Type.Optional(Type.String({ maxLength: 16 })),
  },
  { additionalProperties: false },
);
export type DiscreteAlarmSpec = Static<typeof DiscreteAlarmSpec>;

/** When a run-status point means "running": a boolean, a list of enumerated values, or a value above a threshold. */
export const RunningSpec = Type.Union([
  Type.Object({ when: Type.Union([Type.Boolean(), Type.Array(Type.Integer(), { minItems: 1 })]) }, { additionalProperties: false }),
  Type.Object({ above: Type.Number() }, { additionalProperties: false }),
]);
export type RunningSpec = Static<typeof RunningSpec>;

export const ModbusPoint = Type.Object(
  {
    label: Localized,
    quantity: Quantity,
    table: RegisterTable,
    /** Register address as the profile's `addressing` states it (PDU 0-based or manual 1-based). */
    address: Type.Integer({ minimum: 0, maximum: 65535 }),
    type: DataType,
    /** Word order of 32-bit values: ABCD big-endian (default), CDAB word-swapped, BADC, DCBA. */
    byteOrder: Type.Optional(
      Type.Union([Type.Literal('ABCD'), Type.Literal('CDAB'), Type.Literal('BADC'), Type.Literal('DCBA')]),
    ),
    scale: Type.Optional(Type.Number()),
    offset: Type.Optional(Type.Number()),
    unit: Type.String(),
    precision: Type.Optional(Type.Integer({ minimum: 0, maximum: 6 })),
    /** Raw register values that mean "no sensor / not available": bad quality, never a number. */
    sentinels: Type.Optional(Type.Array(Type.Integer())),
    /**
     * The physical range of the measurement, in the point's unit (datasheet: DS18B20 −55…125 °C): a reading outside
     * is bad quality, reason "out of range", never a good 3276.7 °C in a rollup. Required on numeric measurements.
     */
    range: Type.Optional(Type.Object({ min: Type.Number(), max: Type.Number() }, { additionalProperties: false })),
    /** Texts of enumerated values (unit status, fault codes). */
    values: Type.Optional(ValueTexts),
    alarm: Type.Optional(DiscreteAlarmSpec),
    /** One bit (0 = least significant) of a 16-bit status word: the point is a boolean. */
    bit: Type.Optional(Type.Integer({ minimum: 0, maximum: 15 })),
    /** The equipment's run status: its changes are logged as start/stop events (A3). */
    running: Type.Optional(RunningSpec),
  },
  { additionalProperties: false },
);
export type ModbusPoint = Static<typeof ModbusPoint>;

export const ModbusProfile = Type.Object(
  {
    id: Type.String({ pattern: '^[a-z0-9][a-z0-9-]*$' }),
    name: Localized,
    manufacturer: Type.String(),
    protocol: Type.Literal('modbus'),
    /** Where the register map comes from: manual, page, or public repository and file. */
    source: Type.String({ minLength: 10 }),
    /** `pdu`: addresses are 0-based on the wire; `one-based`: manual numbers (30001 → 0), converted at load. */
    addressing: Type.Union([Type.Literal('pdu'), Type.Literal('one-based')]),
    defaults: Type.Object(
      {
        unitId: Type.Integer({ minimum: 0, maximum: 255 }),
        serial: Type.Optional(
          Type.Object({
            baudRate: Type.Integer(),
            dataBits: Type.Integer(),
            parity: Type.Union([Type.Literal('none'), Type.Literal('even'), Type.Literal('odd')]),
            stopBits: Type.Integer(),
          }),
        ),
      },
      { additionalProperties: false },
    ),
    /**
     * A register word that means "not available" on EVERY register of the map (Grundfos CIM: 0xFFFF, codes, modes and
     * control words too): each 16-bit point, bit field and 32-bit point (two such words) reading it is bad quality.
     */
    notAvailable: Type.Optional(Type.Integer({ minimum: 0, maximum: 0xffff })),
    points: Type.Record(Type.String({ pattern: '^[a-zA-Z][a-zA-Z0-9]*$' }), ModbusPoint),
    defaultLimits: Type.Optional(Type.Record(Type.String(), LimitConfig)),
    /** Values the built-in simulator starts with, in engineering units. */
    simulator: Type.Optional(Type.Object({ initial: Type.Record(Type.String(), Type.Number()) })),
  },
  { additionalProperties: false },
);
export type ModbusProfile = Static<typeof ModbusProfile>;

export const { MqttPoint, MqttProfile } = mqttProfileSchema({ Quantity, ValueTexts, DiscreteAlarmSpec });
export type MqttPoint = Static<typeof MqttPoint>;
export type MqttProfile = Static<typeof MqttProfile>;

/** A device profile: a Modbus register map or MQTT topics and decoders, told apart by `protocol`. */
export const DeviceProfile = Type.Union([ModbusProfile, MqttProfile]);
export type DeviceProfile = Static<typeof DeviceProfile>;
