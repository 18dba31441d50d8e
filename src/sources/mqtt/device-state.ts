// What the MQTT source knows about one device: its link (online/offline from availability, LWT and heartbeat)
// and its counters for diagnostics. Offline is decided here, in one place, whatever the cause.
import type { MqttSiteDevice } from '../../config/mqtt-site.ts';
import type { Reading } from '../../core/reading.ts';
import type { CompiledAvailability, CompiledDecoder } from './decode.ts';

export interface DeviceCounters {
  messages: number;
  readings: number;
  malformed: number;
  /** Fine messages that concern no point (another input, another camera, a retained old event). */
  ignored: number;
  lastError: string | null;
  lastErrorAt: number | null;
  lastMessageAt: number | null;
}

export interface DeviceState {
  readonly device: MqttSiteDevice;
  readonly decoders: readonly CompiledDecoder[];
  readonly availability: readonly CompiledAvailability[];
  readonly heartbeatMs: number | null;
  /** null until something is known. */
  online: boolean | null;
  /** The device's own availability (will) says offline. */
  saysOffline: boolean;
  /** Bridge availability topics (Zigbee2MQTT's bridge/state) that say offline: nothing of the device can arrive. */
  bridgesDown: Set<string>;
  /** Per point tracking overlapping events (MqttDecoder.eventId): the ids of the events still active. */
  activeEvents: Map<string, Set<string>>;
  /** Last live (non-retained) message, or the source's start: the heartbeat counts from here. */
  aliveAt: number;
  counters: DeviceCounters;
}

export function newCounters(): DeviceCounters {
  return { messages: 0, readings: 0, malformed: 0, ignored: 0, lastError: null, lastErrorAt: null, lastMessageAt: null };
}

/** Every point of the device as comm_lost: a dead device's last value is never shown as fresh (Reading.value). */
export function commLostReadings(state: DeviceState, ts: number, detail: string): Reading[] {
  return state.device.points.map((p) => ({ pointKey: p.key, roomId: p.roomId, deviceId: p.deviceId, point: p.name, value: null, unit: p.spec.unit, quality: 'comm_lost' as const, ts, detail }));
}
