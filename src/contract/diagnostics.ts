// What every source's diagnostics say of one device (GET /api/diagnostics/mqtt and /api/diagnostics/modbus):
// its link as the source judges it and its last error. Each source adds its own counters to these fields, so
// the two routes and the console's diagnostics panel read the same way (issue 3).
import { Type } from '@sinclair/typebox';

export const NullableNumber = Type.Union([Type.Number(), Type.Null()]);
export const NullableString = Type.Union([Type.String(), Type.Null()]);

export const deviceDiagnosticsFields = {
  deviceId: Type.String(),
  /** null until the device has been heard or declared offline. */
  online: Type.Union([Type.Boolean(), Type.Null()]),
  lastError: NullableString,
  lastErrorAt: NullableNumber,
};
