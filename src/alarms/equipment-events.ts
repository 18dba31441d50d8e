// Acquisition events the duty log must show by itself:
//   - equipment start/stop from run-status points (A3: abnormal start/stop of key equipment is reported;
//     P2: the chiller log is taken at start and before stop, so the moments must be on record);
//   - a device going offline after its source's failed cycles, and coming back (issue 3: "recovery is
//     automatic and logged").
// Only changes are written; the first reading after start-up sets the state without an entry.
import type { Site } from '../config/load.ts';
import type { Bus, DeviceStatus } from '../core/bus.ts';
import type { Reading } from '../core/reading.ts';
import type { RunningSpec } from '../devices/profile-schema.ts';
import type { DutyLog } from '../sinks/duty-log/duty-log.ts';

export interface EquipmentEvents {
  evaluate(readings: readonly Reading[]): void;
  deviceStatus(status: DeviceStatus): void;
}

/** Whether a run-status value means "running". */
export function isRunning(spec: RunningSpec, value: number | boolean): boolean {
  if ('above' in spec) return typeof value === 'number' && value > spec.above;
  if (typeof spec.when === 'boolean') return value === spec.when;
  return typeof value === 'number' && spec.when.includes(value);
}

export function createEquipmentEvents(deps: { site: Site; dutyLog: DutyLog; bus: Bus }): EquipmentEvents {
  const { site, dutyLog, bus } = deps;
  const running = new Map<string, boolean>();
  const online = new Map<string, boolean>();
  return {
    evaluate(readings) {
      for (const r of readings) {
        // Only a good value tells whether the equipment runs; a lost reading is the comm-loss event's job.
        if (r.quality !== 'good' || r.value === null) continue;
        const point = site.points.get(r.pointKey)?.spec;
        const spec = point && 'running' in point ? point.running : undefined;
        if (!spec) continue;
        const now = isRunning(spec, r.value);
        const before = running.get(r.pointKey);
        running.set(r.pointKey, now);
        if (before === undefined || before === now) continue;
        const entry = dutyLog.append({
          ts: r.ts,
          kind: now ? 'equipment.started' : 'equipment.stopped',
          roomId: r.roomId,
          deviceId: r.deviceId,
          pointKey: r.pointKey,
          params: { value: r.value, unit: r.unit, rule: 'A3' },
        });
        bus.emit('dutyLog', entry);
      }
    },
    deviceStatus(s) {
      const before = online.get(s.deviceId);
      online.set(s.deviceId, s.online);
      if (before === s.online) return;
      const entry = dutyLog.append({
        ts: s.ts,
        kind: s.online ? 'device.online' : 'device.offline',
        roomId: s.roomId,
        deviceId: s.deviceId,
        params: { detail: s.detail ?? '—' },
      });
      bus.emit('dutyLog', entry);
    },
  };
}
