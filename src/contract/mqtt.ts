// MQTT diagnostics DTO (GET /api/diagnostics/mqtt): per device what the source heard and what it could not
// decode, and what the broker refused for the device's username (issue 3: malformed payloads and ACL refusals
// visible through the API): the embedded broker's own counts, or what an external Mosquitto's log says.
import { Type, type Static } from '@sinclair/typebox';
import { deviceDiagnosticsFields, NullableNumber } from './diagnostics.ts';

/** A count, or null when the broker does not tell (Mosquitto's log has no line for it). */
const Count = Type.Union([Type.Integer(), Type.Null()]);

export const BrokerRefusals = Type.Object({
  /** Embedded broker only: Mosquitto logs an anonymous login like a wrong password (counted there). */
  anonymous: Count,
  badCredentials: Count,
  /** Embedded broker only: Mosquitto logs a denied PUBLISH at debug level, which never reaches its log topics. */
  publishDenied: Count,
  oversize: Count,
  /** Embedded broker only: Mosquitto's acl_file grants every SUBSCRIBE and filters what it delivers. */
  subscribeDenied: Count,
  /**
   * A login presenting a client id another login holds (MQTT 3.1.1 §3.1.4 session takeover), refused. Embedded broker
   * only: Mosquitto with `use_username_as_clientid` replaces the id instead of refusing (npm run mqtt-acl -- --conf).
   */
  clientIdTaken: Count,
  /** Connections over broker.maxConnectionsPerLogin, refused. Embedded broker only. */
  tooManyConnections: Count,
});
export type BrokerRefusals = Static<typeof BrokerRefusals>;

export const MqttDeviceDiagnosticsView = Type.Object({
  ...deviceDiagnosticsFields,
  username: Type.String(),
  messages: Type.Integer(),
  readings: Type.Integer(),
  malformed: Type.Integer(),
  ignored: Type.Integer(),
  lastMessageAt: NullableNumber,
  /**
   * Refusals of the device's username by the embedded broker, or those an external Mosquitto's log names it in
   * (`broker.external.brokerLog: mosquitto`); null when neither is available.
   */
  refused: Type.Union([BrokerRefusals, Type.Null()]),
});
export type MqttDeviceDiagnosticsView = Static<typeof MqttDeviceDiagnosticsView>;

export const MqttDiagnosticsView = Type.Object({
  broker: Type.Union([Type.Literal('embedded'), Type.Literal('external'), Type.Literal('none')]),
  connected: Type.Boolean(),
  reconnects: Type.Integer(),
  /** Messages on topics no device listens to (should stay 0: the source subscribes only to device topics). */
  unrouted: Type.Integer(),
  /** Every refusal, including unknown usernames, anonymous clients and (from Mosquitto's log) clients it did not name. */
  refusedTotal: Type.Union([BrokerRefusals, Type.Null()]),
  devices: Type.Array(MqttDeviceDiagnosticsView),
});
export type MqttDiagnosticsView = Static<typeof MqttDiagnosticsView>;
