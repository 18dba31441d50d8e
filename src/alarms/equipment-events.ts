// Acquisition events the duty log must show by itself:
//   - equipment start/stop from run-status points (A3: abnormal start/stop of key equipment is reported;
//     P2: the chiller log is taken at start and before stop, so the moments must be on record);
//   - a device going offline after its source's failed cycles, and coming back (issue 3: "recovery is
//     automatic and logged").
// Only changes are written; the first reading after start-up sets the state without a start/stop entry. Equipment
// found running then gets its run log at once and every hour after (P2: the gateway may start or restart while
// a chiller runs; its hourly log must not wait for a stop and start that may be days away).
import type { Site } from '../config/load.ts';
import type { DeviceStatus } from '../core/bus.ts';
import type { Reading } from '../core/reading.ts';
import type { RunningSpec } from '../devices/profile-schema.ts';
import type { DutyLog } from '../sinks/duty-log/duty-log.ts';

export interface EquipmentEvents {
  evaluate(readings: readonly Reading[]): void;
  deviceStatus(status: DeviceStatus): void;
  /** P2: while equipment runs, its readings go into the duty log every hour; call at least once a minute. */
  tick(now: number): void;
}

/** P2: the run log is written every hour while the equipment runs. */
export const RUN_LOG_INTERVAL_MS = 3_600_000;

/** Whether a run-status value means "running". */
export function isRunning(spec: RunningSpec, value: number | boolean): boolean {
  if ('above' in spec) return typeof value === 'number' && value > spec.above;
  if (typeof spec.when === 'boolean') return value === spec.when;
  return typeof value === 'number' && spec.when.includes(value);
}

export function createEquipmentEvents(deps: { site: Site; dutyLog: DutyLog }): EquipmentEvents {
  const { site, dutyLog } = deps;
  const running = new Map<string, boolean>();
  const online = new Map<string, boolean>();
  /** The last good numeric readings per device, as "name value unit" (the run log's content, P2). */
  const lastGood = new Map<string, Map<string, string>>();
  /** When each running device's run log was last written. */
  const lastRunLog = new Map<string, number>();

  const runLog = (deviceId: string): string => [...(lastGood.get(deviceId)?.values() ?? [])].join(' · ') || '—';
  const remember = (readings: readonly Reading[]): void => {
    for (const r of readings) {
      if (r.quality !== 'good' || typeof r.value !== 'number') continue;
      const m = lastGood.get(r.deviceId) ?? new Map<string, string>();
      m.set(r.point, `${r.point} ${r.value}${r.unit ? ` ${r.unit}` : ''}`);
      lastGood.set(r.deviceId, m);
    }
  };

  return {
    tick(now) {
      for (const [pointKey, isOn] of running) {
        const deviceId = pointKey.slice(0, pointKey.lastIndexOf('.'));
        if (!isOn || now - (lastRunLog.get(deviceId) ?? now) < RUN_LOG_INTERVAL_MS) continue;
        lastRunLog.set(deviceId, now);
        const device = site.devices.find((d) => d.config.id === deviceId);
        dutyLog.append({ ts: now, kind: 'equipment.runLog', roomId: device?.config.room ?? null, deviceId, params: { readings: runLog(deviceId), rule: 'P2' } });
      }
    },
    evaluate(readings) {
      // "Before stop" are the readings of the last cycle in which it ran: taken before this batch is remembered.
      const beforeStop = new Map([...new Set(readings.map((r) => r.deviceId))].map((id) => [id, runLog(id)]));
      remember(readings);
      for (const r of readings) {
        // Only a good value tells whether the equipment runs; a lost reading is the comm-loss event's job.
        if (r.quality !== 'good' || r.value === null) continue;
        const point = site.points.get(r.pointKey)?.spec;
        const spec = point && 'running' in point ? point.running : undefined;
        if (!spec) continue;
        const now = isRunning(spec, r.value);
        const before = running.get(r.pointKey);
        running.set(r.pointKey, now);
        if (before === undefined && now) {
          lastRunLog.set(r.deviceId, r.ts);
          dutyLog.append({ ts: r.ts, kind: 'equipment.runLog', roomId: r.roomId, deviceId: r.deviceId, params: { readings: runLog(r.deviceId), rule: 'P2' } });
        }
        if (before === undefined || before === now) continue;
        dutyLog.append({
          ts: r.ts,
          kind: now ? 'equipment.started' : 'equipment.stopped',
          roomId: r.roomId,
          deviceId: r.deviceId,
          pointKey: r.pointKey,
          // P2: the run log at start (this cycle's readings) and before stop (the last running cycle's).
          params: { value: r.value, unit: r.unit, rule: 'A3', readings: now ? runLog(r.deviceId) : (beforeStop.get(r.deviceId) ?? '—') },
        });
        if (now) lastRunLog.set(r.deviceId, r.ts);
        else lastRunLog.delete(r.deviceId);
      }
    },
    deviceStatus(s) {
      const before = online.get(s.deviceId);
      online.set(s.deviceId, s.online);
      // Only changes: a device found online at start-up has recovered from nothing (its source's first status
      // still reaches the alarm service, which clears a communication-loss alarm an earlier run left open).
      if (before === s.online || (before === undefined && s.online)) return;
      dutyLog.append({
        ts: s.ts,
        kind: s.online ? 'device.online' : 'device.offline',
        roomId: s.roomId,
        deviceId: s.deviceId,
        params: { detail: s.detail ?? '—' },
      });
    },
  };
}
