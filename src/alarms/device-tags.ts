// Device tags (A6): maintenance and isolation take a device's alarms out of service. An isolation, or any tag on a
// fire/life-safety device, needs a supervisor; a duty user's is only a request until approved. Each change is in the
// duty log, and every console hears of the tag and of the device's alarms' new annunciation.
import type { Site } from '../config/load.ts';
import type { Bus } from '../core/bus.ts';
import type { Clock } from '../core/clock.ts';
import type { DeviceTagRequest, DeviceTagView, UserView } from '../contract/api.ts';
import type { DutyLog, NewDutyLogEntry } from '../sinks/duty-log/duty-log.ts';
import type { Store } from '../store/store.ts';
import { DomainError } from '../core/errors.ts';
import { can } from '../auth/permissions.ts';
import { tagView, type AlarmRecords, type TagRow } from './alarm-records.ts';
import type { AlarmTransitions } from './alarm-transitions.ts';
import { requireRole } from './operator-actions.ts';

export interface DeviceTagsDeps {
  store: Store;
  site: Site;
  dutyLog: DutyLog;
  bus: Bus;
  clock: Clock;
  records: AlarmRecords;
  transitions: AlarmTransitions;
}

export function createDeviceTags(deps: DeviceTagsDeps) {
  const { store, site, dutyLog, bus, clock, records, transitions } = deps;

  const deviceOf = (deviceId: string) => site.devices.find((d) => d.config.id === deviceId);
  /**
   * A6: a fire/life-safety device is one with a fire alarm (rule A4) on any point, whatever its protocol. Any tag
   * on it silences that alarm, so every kind of tag needs a supervisor, a planned end, and is never left overnight.
   */
  const lifeSafety = (deviceId: string): boolean => deviceOf(deviceId)?.points.some((p) => p.alarm?.rule === 'A4') ?? false;

  const tagEntry = (tag: TagRow, kind: NewDutyLogEntry['kind'], user: UserView, now: number) =>
    dutyLog.insert({ ts: now, kind, roomId: deviceOf(tag.device_id)?.config.room ?? null, deviceId: tag.device_id, username: user.username, params: { user: user.displayName, tagKind: tag.kind, reason: tag.reason } });
  /** A tag change: the tag to every console, and the device's alarms with their new annunciation. */
  const announceTag = (deviceId: string, tag: DeviceTagView | { deviceId: string; removed: true }, now: number): void => {
    bus.emit('deviceTag', tag);
    for (const r of records.open()) if (r.device_id === deviceId) bus.emit('alarmUpdated', records.view(r, now));
  };

  return {
    deviceOf,
    lifeSafety,

    tag(deviceId: string, user: UserView, request: DeviceTagRequest): DeviceTagView {
      if (!deviceOf(deviceId)) throw new DomainError('RW_NOT_FOUND', `no device ${deviceId}`, 404);
      const now = clock.now();
      // A6: on a fire device the tag must say when it ends (docs/alarms.md "Device tags").
      const fire = lifeSafety(deviceId);
      if (fire && request.plannedEnd === undefined) throw new DomainError('RW_PLANNED_END_REQUIRED', `a tag on fire/life-safety device ${deviceId} needs a planned end (A6)`, 400);
      // A tag ends in the future or not at all (issue 13 medium 8): a past end would be overdue from its first minute.
      if (request.plannedEnd !== undefined && request.plannedEnd <= now) throw new DomainError('RW_INVALID_REQUEST', 'plannedEnd must be in the future', 400);
      const selfApproved = (request.kind === 'maintenance' && !fire) || can('device.approveTag', user.role);
      const tag = store.transaction(() => {
        if (records.tagOf(deviceId)) throw new DomainError('RW_TAG_EXISTS', `${deviceId} already has a tag`, 409);
        const tag = records.insertTag({
          device_id: deviceId,
          kind: request.kind,
          state: selfApproved ? 'active' : 'requested',
          reason: request.reason.trim(),
          tagged_by: user.username,
          tagged_at: now,
          planned_end: request.plannedEnd ?? null,
          approved_by: selfApproved ? user.username : null,
          approved_at: selfApproved ? now : null,
        });
        tagEntry(tag, 'device.tagged', user, now);
        return tag;
      });
      announceTag(deviceId, tagView(tag), now);
      return tagView(tag);
    },

    approveTag(deviceId: string, user: UserView): DeviceTagView {
      requireRole(user, 'device.approveTag', 'approving a tag');
      const now = clock.now();
      const tag = store.transaction(() => {
        const existing = records.tagOf(deviceId);
        if (!existing) throw new DomainError('RW_NO_TAG', `${deviceId} has no tag`, 404);
        if (existing.state === 'active') throw new DomainError('RW_INVALID_REQUEST', `${deviceId}'s tag is already active`, 409);
        records.approveTag(deviceId, user.username, now);
        const tag = records.tagOf(deviceId)!;
        tagEntry(tag, 'device.tagApproved', user, now);
        return tag;
      });
      announceTag(deviceId, tagView(tag), now);
      return tagView(tag);
    },

    untag(deviceId: string, user: UserView): void {
      const now = clock.now();
      transitions.commit(() => {
        const existing = records.tagOf(deviceId);
        if (!existing) throw new DomainError('RW_NO_TAG', `${deviceId} has no tag`, 404);
        records.deleteTag(deviceId);
        tagEntry(existing, 'device.untagged', user, now);
        return [transitions.clear({ key: deviceId, condition: 'isolationOvernight', now })];
      });
      announceTag(deviceId, { deviceId, removed: true }, now);
    },

    tags(): DeviceTagView[] {
      return records.tags().map(tagView);
    },
  };
}

export type DeviceTags = ReturnType<typeof createDeviceTags>;
