// Acquisition events the duty log must show by itself:
//   - equipment start/stop from run-status points (A3: abnormal start/stop of key equipment is reported;
//     P2: the chiller log is taken at start and before stop, so the moments must be on record);
//   - operating-mode changes (local/remote, auto/manual, control mode) of points the profile marks
//     `operatingMode` (A3: a new operating mode is reported; the entry keeps the value before and after, the
//     console reads both in words from the profile's value texts);
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
import type { EquipmentModeView } from '../contract/handover.ts';

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

/**
 * Key equipment (A3, P2): the devices that start and stop, i.e. whose profile has a run-status point (pumps,
 * chillers). Their starts, stops and run logs are written, and their faults routed upwards as raised.
 */
export function runStatusDevices(site: Site): Set<string> {
  const devices = new Set<string>();
  for (const p of site.points.values()) if ('running' in p.spec && p.spec.running) devices.add(p.deviceId);
  return devices;
}

/** S4: the operating mode of every mode point, as last read (null when never read well), for the handover. */
export function operatingModes(site: Site, latest: (pointKey: string) => Reading | undefined): EquipmentModeView[] {
  return [...site.points.values()]
    .filter((p) => 'operatingMode' in p.spec && p.spec.operatingMode === true)
    .map((p) => {
      const r = latest(p.key);
      return { pointKey: p.key, deviceId: p.deviceId, roomId: p.roomId, value: r?.quality === 'good' ? r.value : null };
    });
}

export function createEquipmentEvents(deps: { site: Site; dutyLog: DutyLog }): EquipmentEvents {
  const { site, dutyLog } = deps;
  const running = new Map<string, boolean>();
  /** The last good value of each operating-mode point. */
  const modes = new Map<string, number | boolean>();
  const online = new Map<string, boolean>();
  /** Devices with a run-status point: only they have starts, stops and run logs. The others' readings are not
   *  looked at (issue 17: nothing is remembered or formatted per reading of a plain sensor). */
  const withRunStatus = runStatusDevices(site);
  /** The last good numeric readings of those devices, per point (the run log's content, P2), formatted when a
   *  log entry is written. */
  const lastGood = new Map<string, Map<string, Reading>>();
  /** When each running device's run log was last written. */
  const lastRunLog = new Map<string, number>();

  const runLog = (deviceId: string): string =>
    [...(lastGood.get(deviceId)?.values() ?? [])].map((r) => `${r.point} ${String(r.value)}${r.unit ? ` ${r.unit}` : ''}`).join(' · ') || '—';
  const remember = (readings: readonly Reading[]): void => {
    for (const r of readings) {
      if (r.quality !== 'good' || typeof r.value !== 'number' || !withRunStatus.has(r.deviceId)) continue;
      let m = lastGood.get(r.deviceId);
      if (!m) lastGood.set(r.deviceId, (m = new Map()));
      m.set(r.point, r);
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
      if (!readings.some((r) => withRunStatus.has(r.deviceId))) return;
      // "Before stop" are the readings of the last cycle in which it ran: taken before this batch is remembered.
      const devices = new Set(readings.filter((r) => withRunStatus.has(r.deviceId)).map((r) => r.deviceId));
      const beforeStop = new Map([...devices].map((id) => [id, runLog(id)]));
      remember(readings);
      for (const r of readings) {
        // Only a good value tells whether the equipment runs; a lost reading is the comm-loss event's job.
        if (r.quality !== 'good' || r.value === null) continue;
        const point = site.points.get(r.pointKey)?.spec;
        if (point && 'operatingMode' in point && point.operatingMode === true) {
          const before = modes.get(r.pointKey);
          modes.set(r.pointKey, r.value);
          if (before !== undefined && before !== r.value) {
            dutyLog.append({ ts: r.ts, kind: 'equipment.modeChanged', roomId: r.roomId, deviceId: r.deviceId, pointKey: r.pointKey, params: { from: before, to: r.value, rule: 'A3' } });
          }
        }
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
