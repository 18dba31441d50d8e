// Alarm rows in the store and their view for the console: the occurrence row joined with what removes
// it from annunciation (shelve, device tag, suppression by design) and the fire response (A4).
import type { DatabaseSync } from 'node:sqlite';
import type {
  AlarmCondition,
  AlarmState,
  AlarmView,
  Annunciation,
  DeviceTagView,
  FireResponseView,
  Localized,
  Priority,
  ShelveView,
} from '../contract/api.ts';
import type { Site } from '../config/load.ts';
import type { Reading } from '../core/reading.ts';

export interface AlarmRow {
  id: number;
  point_key: string;
  room_id: string;
  device_id: string;
  condition: AlarmCondition;
  priority: Priority;
  rule: string | null;
  state: AlarmState;
  value: number;
  limit_value: number;
  unit: string;
  raised_at: number;
  acked_by: string | null;
  acked_by_name: string | null;
  acked_at: number | null;
  ack_note: string | null;
  cleared_at: number | null;
  kind: 'limit' | 'discrete' | 'comm' | 'config' | 'isolation' | 'historian' | 'patrol' | 'staffing';
  latched: number;
  detail: string | null;
  escalation_level: number;
  next_escalation_at: number | null;
}

interface ShelveRow {
  point_key: string;
  condition: string;
  shelved_by: string;
  reason: string;
  shelved_at: number;
  until: number;
}

export interface TagRow {
  device_id: string;
  kind: 'maintenance' | 'isolation';
  state: 'requested' | 'active';
  reason: string;
  tagged_by: string;
  tagged_at: number;
  planned_end: number | null;
  approved_by: string | null;
  approved_at: number | null;
}

interface FireRow {
  alarm_id: number;
  dispatched_to: string | null;
  dispatched_by: string | null;
  dispatched_at: number | null;
  classification: FireResponseView['classification'];
  classified_by: string | null;
  classified_at: number | null;
  note: string | null;
}

export const tagView = (r: TagRow): DeviceTagView => ({
  deviceId: r.device_id,
  kind: r.kind,
  state: r.state,
  reason: r.reason,
  taggedBy: r.tagged_by,
  taggedAt: r.tagged_at,
  plannedEnd: r.planned_end,
  approvedBy: r.approved_by,
  approvedAt: r.approved_at,
});

export function createAlarmRecords(db: DatabaseSync, site: Site, latest: (pointKey: string) => Reading | undefined) {
  const stmt = {
    byId: db.prepare('SELECT * FROM alarms WHERE id = ?'),
    openByCondition: db.prepare("SELECT * FROM alarms WHERE point_key = ? AND condition = ? AND state <> 'normal'"),
    open: db.prepare("SELECT * FROM alarms WHERE state <> 'normal' ORDER BY raised_at DESC, id DESC"),
    shelve: db.prepare('SELECT * FROM alarm_shelves WHERE point_key = ? AND condition = ?'),
    tag: db.prepare('SELECT * FROM device_tags WHERE device_id = ?'),
    fire: db.prepare('SELECT * FROM fire_responses WHERE alarm_id = ?'),
  };

  const shelveOf = (row: AlarmRow, now: number): ShelveView | null => {
    const s = stmt.shelve.get(row.point_key, row.condition) as ShelveRow | undefined;
    return s && s.until > now ? { by: s.shelved_by, reason: s.reason, at: s.shelved_at, until: s.until } : null;
  };

  const tagOf = (deviceId: string): TagRow | undefined => stmt.tag.get(deviceId) as TagRow | undefined;

  /**
   * ISA-18.2 G/H/I: out of service beats shelved beats suppressed; otherwise the alarm is annunciated. The alarm
   * about the tag itself (A6, left overnight) is never hidden by that tag: it exists to be heard.
   */
  const annunciationOf = (row: AlarmRow, now: number): Annunciation => {
    if (row.kind !== 'isolation' && tagOf(row.device_id)?.state === 'active') return 'out_of_service';
    if (shelveOf(row, now)) return 'shelved';
    const s = site.points.get(row.point_key)?.suppress;
    if (s && latest(s.point)?.value === s.equals) return 'suppressed';
    return 'annunciated';
  };

  /** A discrete alarm's text: the profile's message, with the fault code's own text when it has one. */
  const messageOf = (row: AlarmRow): Localized | null => {
    const spec = site.points.get(row.point_key)?.alarm;
    if (!spec || row.kind !== 'discrete') return null;
    const code = site.points.get(row.point_key)?.spec.values?.[String(row.value)];
    return code ? { en: `${spec.message.en}: ${code.en}`, 'zh-CN': `${spec.message['zh-CN']}：${code['zh-CN']}` } : spec.message;
  };

  const fireOf = (id: number): FireResponseView | null => {
    const f = stmt.fire.get(id) as FireRow | undefined;
    return f
      ? {
          dispatchedTo: f.dispatched_to,
          dispatchedBy: f.dispatched_by,
          dispatchedAt: f.dispatched_at,
          classification: f.classification,
          classifiedBy: f.classified_by,
          classifiedAt: f.classified_at,
          note: f.note,
        }
      : null;
  };

  const view = (r: AlarmRow, now: number): AlarmView => {
    const tag = tagOf(r.device_id);
    return {
      id: r.id,
      pointKey: r.point_key,
      roomId: r.room_id,
      deviceId: r.device_id,
      condition: r.condition,
      priority: r.priority,
      state: r.state,
      rule: r.rule,
      value: r.value,
      limit: r.limit_value,
      unit: r.unit,
      raisedAt: r.raised_at,
      ackedBy: r.acked_by,
      ackedByName: r.acked_by_name,
      ackedAt: r.acked_at,
      ackNote: r.ack_note,
      clearedAt: r.cleared_at,
      message: messageOf(r),
      response: site.points.get(r.point_key)?.alarm?.response ?? null,
      detail: r.detail,
      latched: r.latched === 1,
      annunciation: annunciationOf(r, now),
      shelved: shelveOf(r, now),
      tag: tag ? tagView(tag) : null,
      escalationLevel: r.escalation_level,
      nextEscalationAt: r.next_escalation_at,
      fire: fireOf(r.id),
    };
  };

  return {
    byId: (id: number) => stmt.byId.get(id) as AlarmRow | undefined,
    openByCondition: (pointKey: string, condition: AlarmCondition) => stmt.openByCondition.get(pointKey, condition) as AlarmRow | undefined,
    open: () => stmt.open.all() as unknown as AlarmRow[],
    tagOf,
    annunciationOf,
    view,
  };
}

export type AlarmRecords = ReturnType<typeof createAlarmRecords>;
