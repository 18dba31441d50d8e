// How a Modbus device is reached (site YAML, `devices[].connection`): Modbus TCP, RTU on a serial port, or
// RTU framed over TCP to a serial device server. Devices on the same port or endpoint share one link
// (src/sources/modbus/link.ts): one transaction at a time on a serial line (devices.md §5 implication 1).
import { realpathSync } from 'node:fs';
import { Type, type Static } from '@sinclair/typebox';

/** Options every transport shares: per-request timeout, busy retries and read merging (devices.md §5). */
const common = {
  /** Unit id (slave address); default: the profile's `defaults.unitId`. */
  unitId: Type.Optional(Type.Integer({ minimum: 0, maximum: 255 })),
  /** Per request and for connecting; default 1000 (Telegraf's `timeout`). */
  timeoutMs: Type.Optional(Type.Integer({ minimum: 50, maximum: 60_000 })),
  /** Exception 06 (server busy) is retried this often within a cycle; default 2 (Telegraf `busy_retries`). */
  busyRetries: Type.Optional(Type.Integer({ minimum: 0, maximum: 10 })),
  /** Wait before retrying a busy answer; default 100 (Telegraf `busy_retries_wait`). */
  busyRetryWaitMs: Type.Optional(Type.Integer({ minimum: 0, maximum: 10_000 })),
  /** Unused registers a read may span to join two points; default 10 (Telegraf `max_insert` fill). */
  maxGap: Type.Optional(Type.Integer({ minimum: 0, maximum: 124 })),
  /** Registers per read, at most 125 (Modbus Application Protocol §6.3). */
  maxRegisters: Type.Optional(Type.Integer({ minimum: 1, maximum: 125 })),
};

/** Pause between the end of one answer and the next request; default 30 on serial (HA `message_wait_milliseconds`). */
const interFrameDelayMs = Type.Optional(Type.Integer({ minimum: 0, maximum: 1000 }));

export const ModbusTcpConnection = Type.Object(
  {
    type: Type.Literal('tcp'),
    host: Type.String({ minLength: 1 }),
    port: Type.Integer({ minimum: 1, maximum: 65535 }),
    /** Requests in flight at once on this connection (MBAP transaction ids tell the answers apart); default 4,
     * so a silent unit behind a gateway does not hold up the others. 1 for a gateway that takes one at a time. */
    concurrency: Type.Optional(Type.Integer({ minimum: 1, maximum: 16 })),
    ...common,
  },
  { additionalProperties: false },
);

export const ModbusRtuOverTcpConnection = Type.Object(
  {
    type: Type.Literal('rtu-over-tcp'),
    host: Type.String({ minLength: 1 }),
    port: Type.Integer({ minimum: 1, maximum: 65535 }),
    interFrameDelayMs,
    ...common,
  },
  { additionalProperties: false },
);

export const Parity = Type.Union([Type.Literal('none'), Type.Literal('even'), Type.Literal('odd')]);

export const ModbusRtuConnection = Type.Object(
  {
    type: Type.Literal('rtu'),
    /** Serial device, e.g. /dev/ttyUSB0 or /dev/serial/by-id/…; several devices on one line share it. */
    path: Type.String({ minLength: 1 }),
    /** Line settings; default: the profile's `defaults.serial` (e.g. XY-MD02 9600 8N1). */
    baudRate: Type.Optional(Type.Integer({ minimum: 300, maximum: 921_600 })),
    dataBits: Type.Optional(Type.Union([Type.Literal(7), Type.Literal(8)])),
    parity: Type.Optional(Parity),
    stopBits: Type.Optional(Type.Union([Type.Literal(1), Type.Literal(2)])),
    interFrameDelayMs,
    ...common,
  },
  { additionalProperties: false },
);

export const ModbusConnection = Type.Union([ModbusTcpConnection, ModbusRtuOverTcpConnection, ModbusRtuConnection]);
export type ModbusConnection = Static<typeof ModbusConnection>;
export type ModbusTcpConnection = Static<typeof ModbusTcpConnection>;

/**
 * The device a serial path names: `/dev/serial/by-id/…` and `/dev/ttyUSB0` are one adapter, and two links on
 * it would fight over its lock forever (issue 12 §1b). A path that does not exist (yet) stays as written.
 */
function realDevicePath(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}

/** The link a connection uses: devices with the same key share one socket or serial port. */
export function linkKey(c: ModbusConnection): string {
  return c.type === 'rtu' ? `rtu:${realDevicePath(c.path)}` : `${c.type}:${c.host}:${c.port}`;
}

/** Where a connection points, for log lines and messages. */
export function endpointOf(c: ModbusConnection): string {
  return c.type === 'rtu' ? c.path : `${c.host}:${c.port}`;
}

/** Serial line defaults a profile states (devices.md §1: XY-MD02 9600 8N1, Renke 4800 8N1). */
export interface SerialDefaults {
  baudRate: number;
  dataBits: number;
  parity: 'none' | 'even' | 'odd';
  stopBits: number;
}

/** The settings of one shared link, resolved with defaults; devices sharing a link must agree on them. */
export type LinkSettings = { key: string; endpoint: string; timeoutMs: number; silentTimeoutsBeforeReconnect: number } & (
  | { type: 'tcp'; host: string; port: number; concurrency: number }
  | { type: 'rtu-over-tcp'; host: string; port: number; interFrameDelayMs: number }
  | ({ type: 'rtu'; path: string; interFrameDelayMs: number } & SerialDefaults)
);

/** Per-unit options, resolved with defaults. */
export interface UnitSettings {
  unitId: number;
  busyRetries: number;
  busyRetryWaitMs: number;
  maxGap: number;
  maxRegisters: number;
}

const fallbackSerial: SerialDefaults = { baudRate: 9600, dataBits: 8, parity: 'none', stopBits: 1 };

export function resolveLink(c: ModbusConnection, serial: SerialDefaults | undefined): LinkSettings {
  const base = { key: linkKey(c), endpoint: endpointOf(c), timeoutMs: c.timeoutMs ?? 1000, silentTimeoutsBeforeReconnect: 5 };
  if (c.type === 'tcp') return { ...base, type: 'tcp', host: c.host, port: c.port, concurrency: c.concurrency ?? 4 };
  if (c.type === 'rtu-over-tcp') return { ...base, type: 'rtu-over-tcp', host: c.host, port: c.port, interFrameDelayMs: c.interFrameDelayMs ?? 0 };
  const line = serial ?? fallbackSerial;
  return {
    ...base,
    type: 'rtu',
    path: c.path,
    interFrameDelayMs: c.interFrameDelayMs ?? 30,
    baudRate: c.baudRate ?? line.baudRate,
    dataBits: c.dataBits ?? line.dataBits,
    parity: c.parity ?? line.parity,
    stopBits: c.stopBits ?? line.stopBits,
  };
}

export function resolveUnit(c: ModbusConnection, profileUnitId: number): UnitSettings {
  return {
    unitId: c.unitId ?? profileUnitId,
    busyRetries: c.busyRetries ?? 2,
    busyRetryWaitMs: c.busyRetryWaitMs ?? 100,
    maxGap: c.maxGap ?? 10,
    maxRegisters: c.maxRegisters ?? 125,
  };
}

/**
 * Problems of devices that share a link: different line settings on one serial port (one of them would
 * silently lose), or two devices with the same unit id on one bus (both would answer one frame).
 */
export function sharedLinkProblems(devices: readonly { connection: ModbusConnection; unitId: number; serial: SerialDefaults | undefined }[]): { index: number; path: string; message: string }[] {
  const problems: { index: number; path: string; message: string }[] = [];
  const first = new Map<string, { index: number; settings: string }>();
  const units = new Map<string, number>();
  devices.forEach((d, index) => {
    const { key, ...settings } = resolveLink(d.connection, d.serial);
    // Two names of one serial device share its link; the name is not a setting that must agree.
    const { endpoint: _endpoint, ...compared } = settings;
    const shown = JSON.stringify(settings.type === 'rtu' ? { ...compared, path: undefined } : compared);
    const seen = first.get(key);
    if (!seen) first.set(key, { index, settings: shown });
    else if (seen.settings !== shown) {
      problems.push({ index, path: '/connection', message: `shares ${settings.endpoint} with device #${seen.index + 1} but its link settings differ (${shown} vs ${seen.settings}); give them the same timeoutMs, line settings, concurrency and interFrameDelayMs` });
    }
    const unitKey = `${key}#${d.unitId}`;
    const other = units.get(unitKey);
    if (other !== undefined) problems.push({ index, path: '/connection/unitId', message: `unit id ${d.unitId} on ${settings.endpoint} is already used by device #${other + 1}` });
    else units.set(unitKey, index);
  });
  return problems;
}
