// Alarms raised from a status rather than a reading: a device lost or misconfigured (A8), the historian losing
// readings (A8), a patrol overdue (P1/P3), a roster gap now or ahead (R2). Each has a key of its own (the device,
// the gateway part, the schedule, the roster) and is raised while the status lasts and cleared when it ends.
import type { Site } from '../config/load.ts';
import type { Clock } from '../core/clock.ts';
import type { DeviceConfigStatus, DeviceStatus } from '../core/bus.ts';
import type { AlarmCondition, PatrolOverdue, Priority } from '../contract/api.ts';
import { isConditionActive } from './lifecycle.ts';
import type { AlarmRecords, AlarmRow } from './alarm-records.ts';
import type { AlarmTransitions } from './alarm-transitions.ts';

/** Point and device key of the historian's own alarm (condition historianLoss). */
export const HISTORIAN_ALARM_KEY = 'historian';

export interface StatusAlarmsDeps {
  site: Site;
  clock: Clock;
  records: AlarmRecords;
  transitions: AlarmTransitions;
}

/** A device-level alarm (comm loss, configuration): what it is and how loud. */
interface DeviceAlarm {
  status: { deviceId: string; roomId: string; detail?: string };
  active: boolean;
  condition: AlarmCondition;
  kind: AlarmRow['kind'];
  priority: Priority;
}

/** An alarm of its own key (not a room's point) raised or updated while `detail` names the problem, cleared when null. */
interface KeyedAlarm {
  key: string;
  roomId: string;
  condition: AlarmCondition;
  kind: AlarmRow['kind'];
  priority: Priority;
  rule: string;
  detail: string | null;
}

export function createStatusAlarms(deps: StatusAlarmsDeps) {
  const { site, clock, records, transitions } = deps;
  const { raise, clear, commit } = transitions;

  /** The point key is the device id; rule A8 (faults reported). */
  const deviceAlarm = ({ status, active, condition, kind, priority }: DeviceAlarm): void => {
    const now = clock.now();
    const place = { key: status.deviceId, roomId: status.roomId, deviceId: status.deviceId, unit: '' };
    commit(() => [active ? raise({ point: place, condition, kind, priority, rule: 'A8', detail: status.detail ?? null, now }) : clear({ key: status.deviceId, condition, now })]);
  };

  /** Nothing is written while the answer stays the same: the roster alarms run with every duty check. */
  const keyedAlarm = ({ key, roomId, condition, kind, priority, rule, detail }: KeyedAlarm): void => {
    const now = clock.now();
    const open = records.openByCondition(key, condition);
    if (detail === null ? !open || !isConditionActive(open.state) : open && isConditionActive(open.state) && open.detail === detail) return;
    commit(() => [detail === null ? clear({ key, condition, now }) : raise({ point: { key, roomId, deviceId: key, unit: '' }, condition, kind, priority, rule, detail, now })]);
  };

  return {
    deviceStatus(status: DeviceStatus): void {
      // Like the configuration alarm: the source's first judgement after start, online, clears an alarm an
      // earlier run left open; with none open, clearing does nothing and writes nothing.
      deviceAlarm({ status, active: !status.online, condition: 'commLoss', kind: 'comm', priority: 'high' });
    },

    deviceConfig(status: DeviceConfigStatus): void {
      // Medium, not high like a lost device: the device and its room are fine, but the points it refuses are
      // unmonitored until an engineer fixes the profile or the gateway's table; medium escalates to the shift
      // lead if nobody acknowledges (A2), low never would (docs/alarms.md "Configuration alarm").
      deviceAlarm({ status, active: !status.ok, condition: 'config', kind: 'config', priority: 'medium' });
    },

    historianLoss(active: boolean, lost: number): void {
      const now = clock.now();
      // Not a room's alarm: no room, the point key names the part of the gateway (HISTORIAN_ALARM_KEY).
      const point = { key: HISTORIAN_ALARM_KEY, roomId: '', deviceId: HISTORIAN_ALARM_KEY, unit: '' };
      commit(() => [active ? raise({ point, condition: 'historianLoss', kind: 'historian', priority: 'high', rule: 'A8', value: lost, now }) : clear({ key: HISTORIAN_ALARM_KEY, condition: 'historianLoss', value: lost, now })]);
    },

    patrolOverdue(o: PatrolOverdue): void {
      const key = `patrol:${o.scheduleId}`;
      const schedule = site.config.patrols?.find((s) => s.id === o.scheduleId);
      // Night checks every N minutes are P3; the per-shift, monthly and half-yearly rounds are P1.
      const rule = schedule && typeof schedule.every === 'object' ? 'P3' : 'P1';
      const now = clock.now();
      commit(() => [raise({ point: { key, roomId: o.roomId, deviceId: key, unit: '' }, condition: 'patrolOverdue', kind: 'patrol', priority: 'medium', rule, detail: `${o.scheduleId} ${o.slotKey}`, now })]);
    },

    patrolDone(scheduleId: string): void {
      const now = clock.now();
      commit(() => [clear({ key: `patrol:${scheduleId}`, condition: 'patrolOverdue', now })]);
    },

    staffing(shortage: string | null): void {
      keyedAlarm({ key: 'roster:staffing', roomId: '', condition: 'understaffed', kind: 'staffing', priority: 'high', rule: 'R2', detail: shortage });
    },

    coverageAhead(gaps: string | null): void {
      // A warning, not an alarm: there is still time to fill the gap before the shift starts.
      keyedAlarm({ key: 'roster:coverage', roomId: '', condition: 'understaffedSoon', kind: 'staffing', priority: 'medium', rule: 'R2', detail: gaps });
    },
  };
}
