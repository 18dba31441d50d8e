// The one currency of the pipeline (style.md §1): sources produce readings, rules and sinks consume them.

/** How far a value can be trusted. A value that is not `good` is never shown as fresh (style.md: HA modbus). */
export type Quality = 'good' | 'bad' | 'comm_lost' | 'stale';

export interface Reading {
  /** Site-unique point key: `<deviceId>.<pointName>`. */
  readonly pointKey: string;
  readonly roomId: string;
  readonly deviceId: string;
  readonly point: string;
  /** Numeric or discrete value; null when quality is not good (a fault sentinel, a failed read). */
  readonly value: number | boolean | null;
  readonly unit: string;
  readonly quality: Quality;
  /** Acquisition time, ms since epoch (L6: one standard clock, the gateway's). */
  readonly ts: number;
  /** Why the quality is not good (Modbus exception text, timeout, sentinel), for diagnostics. */
  readonly detail?: string;
  /** A7: the recording a camera event refers to (event id, snapshot, clip), kept with the alarm it raises. */
  readonly evidence?: string;
}

export function pointKey(deviceId: string, point: string): string {
  return `${deviceId}.${point}`;
}
