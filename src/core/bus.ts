// A typed event bus between pipeline stages. A throwing listener is logged and isolated: it never
// stops the others or the emitter (style.md: zigbee2mqtt's event bus).
import type { Logger } from './logger.ts';
import type { Reading } from './reading.ts';
import type { AlarmTransition } from '../alarms/types.ts';
import type { AlarmSummary, AlarmView, DeviceTagView, DutyLogEntryView, PatrolOverdue } from '../contract/api.ts';

export interface GatewayEvents {
  readings: readonly Reading[];
  alarm: AlarmTransition;
  dutyLog: DutyLogEntryView;
  deviceStatus: DeviceStatus;
  deviceConfig: DeviceConfigStatus;
  alarmSummary: AlarmSummary;
  /** An alarm's view changed without a lifecycle transition (its device was tagged or untagged). */
  alarmUpdated: AlarmView;
  deviceTag: DeviceTagView | { deviceId: string; removed: true };
  /** P1/P3: a patrol period ended without a round; the alarm service raises the alarm. */
  patrolOverdue: PatrolOverdue;
  /** Sessions ended (logout, revocation, password change): the console disconnects their sockets at once. */
  sessionsEnded: { usernames: readonly string[] };
}

/**
 * A device's link as its source judges it: offline after the configured number of failed cycles (Modbus)
 * or a missed heartbeat / LWT (MQTT); online again on the first good answer. The alarm service turns
 * offline into a communication-loss alarm and online into its return to normal. Sources emit only changes, and
 * the first judgement after start: online, it clears a communication-loss alarm an earlier run left open (the
 * gateway stopped or was killed while the device was lost); the duty log's equipment events write no
 * `device.online` for it, since a device found online at start-up has recovered from nothing.
 */
export interface DeviceStatus {
  deviceId: string;
  roomId: string;
  online: boolean;
  ts: number;
  /** Why: the last error, the LWT payload, the missed heartbeat. */
  detail?: string;
}

/**
 * Whether a device's answers show that its configuration matches it: a Modbus device answering a read with
 * exception 01/02/03/0A has a profile or a gateway table that does not fit it (devices.md §5 implication 2).
 * The alarm service turns a mismatch into a configuration alarm; sources emit only changes, and `ok` once the
 * device first answers every read without one (which also clears an alarm left open by an earlier run).
 */
export interface DeviceConfigStatus {
  deviceId: string;
  roomId: string;
  ok: boolean;
  ts: number;
  /** What does not match: unit, table, address, points and the exception's meaning. */
  detail?: string;
}

type Listener<T> = (payload: T) => void;

export interface Bus {
  on<K extends keyof GatewayEvents>(event: K, owner: string, listener: Listener<GatewayEvents[K]>): void;
  off(owner: string): void;
  emit<K extends keyof GatewayEvents>(event: K, payload: GatewayEvents[K]): void;
}

export function createBus(logger: Logger): Bus {
  const listeners = new Map<keyof GatewayEvents, { owner: string; fn: Listener<never> }[]>();
  return {
    on(event, owner, fn) {
      const list = listeners.get(event) ?? [];
      list.push({ owner, fn: fn as Listener<never> });
      listeners.set(event, list);
    },
    off(owner) {
      for (const [event, list] of listeners) listeners.set(event, list.filter((l) => l.owner !== owner));
    },
    emit(event, payload) {
      for (const { owner, fn } of listeners.get(event) ?? []) {
        try {
          (fn as Listener<typeof payload>)(payload);
        } catch (err) {
          logger.error('event listener failed', { event, owner, err: String((err as Error)?.stack ?? err) });
        }
      }
    },
  };
}
