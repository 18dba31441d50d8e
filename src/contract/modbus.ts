// Modbus diagnostics DTO (GET /api/diagnostics/modbus): per device what the poller asked and what came back,
// exceptions by code with their meaning, and per link (serial port or endpoint) its state and reconnections
// (issue 3; the error classes of reference/devices.md §5 implication 2).
import { Type, type Static } from '@sinclair/typebox';
import { deviceDiagnosticsFields, NullableNumber, NullableString } from './diagnostics.ts';

export const ModbusExceptionCount = Type.Object({
  code: Type.Integer(),
  /** The Modbus Application Protocol's name of the code, in English ("illegal data address"). */
  meaning: Type.String(),
  count: Type.Integer(),
});
export type ModbusExceptionCount = Static<typeof ModbusExceptionCount>;

export const ModbusDeviceDiagnosticsView = Type.Object({
  ...deviceDiagnosticsFields,
  /** The link the device is on (`tcp:host:port`, `rtu:/dev/ttyUSB0`, `rtu-over-tcp:host:port`). */
  link: Type.String(),
  unitId: Type.Integer(),
  /** Reads asked of the link, busy retries included: answers + noAnswer + transportErrors. */
  requests: Type.Integer(),
  /** Data or an exception came back. */
  answers: Type.Integer(),
  /** The device did not answer within the timeout, or its answer was garbled (RTU). */
  noAnswer: Type.Integer(),
  /** Of noAnswer: a frame came but was discarded, a bad CRC or length, or not this request's answer (unit, function, byte count). */
  badFrames: Type.Integer(),
  /** The link failed: refused or lost connection, port error, garbled TCP stream. */
  transportErrors: Type.Integer(),
  /** Exception answers by code, lowest code first; 0x0B from a gateway counts here too. */
  exceptions: Type.Array(ModbusExceptionCount),
  /** Exception 05/06 asked again within the cycle. */
  busyRetries: Type.Integer(),
  cycles: Type.Integer(),
  /** Cycles in which the device answered nothing (a timeout, 0x0B, or skipped while backing off). */
  failedCycles: Type.Integer(),
  lastGoodAt: NullableNumber,
  /** The configuration mismatch (exception 01/02/03/0A) the device's configuration alarm is raised for, or null. */
  configProblem: NullableString,
});
export type ModbusDeviceDiagnosticsView = Static<typeof ModbusDeviceDiagnosticsView>;

export const ModbusLinkDiagnosticsView = Type.Object({
  key: Type.String(),
  state: Type.Union([Type.Literal('idle'), Type.Literal('connecting'), Type.Literal('connected'), Type.Literal('disconnected'), Type.Literal('closed')]),
  /** Times the link came back after it was lost. */
  reconnects: Type.Integer(),
  lastError: NullableString,
  /** Requests the Modbus client holds: those on the wire, at most the link's concurrency. */
  requestsHeld: Type.Integer(),
  /** Opening or reopening the connection or serial port failed this often (every failure, not only the first). */
  connectFailures: Type.Integer(),
  /** RTU: bytes received that were no request's answer (late answers, stray frames, noise, bad CRC) and thrown away. */
  staleBytesDropped: Type.Integer(),
  /** RTU: answers that came after their request had timed out, thrown away rather than taken for a later request's. */
  lateAnswersDropped: Type.Integer(),
  devices: Type.Array(Type.String()),
});
export type ModbusLinkDiagnosticsView = Static<typeof ModbusLinkDiagnosticsView>;

export const ModbusDiagnosticsView = Type.Object({
  links: Type.Array(ModbusLinkDiagnosticsView),
  devices: Type.Array(ModbusDeviceDiagnosticsView),
});
export type ModbusDiagnosticsView = Static<typeof ModbusDiagnosticsView>;
