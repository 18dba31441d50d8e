// MQTT diagnostics DTO (GET /api/diagnostics/mqtt): per device what the source heard and what it could not
// decode, and what the embedded broker refused for the device's username (issue 3: malformed payloads and ACL
// refusals visible through the API).
import { Type, type Static } from '@sinclair/typebox';
import { deviceDiagnosticsFields, NullableNumber } from './diagnostics.ts';

export const BrokerRefusals = Type.Object({
  anonymous: Type.Integer(),
  badCredentials: Type.Integer(),
  publishDenied: Type.Integer(),
  oversize: Type.Integer(),
  subscribeDenied: Type.Integer(),
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
  /** Refusals of the device's username by the embedded broker; null with an external broker (see its own log). */
  refused: Type.Union([BrokerRefusals, Type.Null()]),
});
export type MqttDeviceDiagnosticsView = Static<typeof MqttDeviceDiagnosticsView>;

export const MqttDiagnosticsView = Type.Object({
  broker: Type.Union([Type.Literal('embedded'), Type.Literal('external'), Type.Literal('none')]),
  connected: Type.Boolean(),
  reconnects: Type.Integer(),
  /** Messages on topics no device listens to (should stay 0: the source subscribes only to device topics). */
  unrouted: Type.Integer(),
  /** Every refusal of the embedded broker, including unknown usernames and anonymous clients. */
  refusedTotal: Type.Union([BrokerRefusals, Type.Null()]),
  devices: Type.Array(MqttDeviceDiagnosticsView),
});
export type MqttDiagnosticsView = Static<typeof MqttDiagnosticsView>;
