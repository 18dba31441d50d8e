// Alarm rows in the store and their view for the console: the occurrence row joined with what removes
// it from annunciation (shelve, device tag, suppression by design), the response on site (A4 fire, A7 CCTV) and the
// report upwards (A8).
// Every SQL statement of the alarm modules is here; the modules that decide (rule evaluation, transitions,
// timers, operator actions, tags) read and write through these functions only.
import type { DatabaseSync } from 'node:sqlite';
import type {
  AlarmCondition,
  AlarmState,
  AlarmView,
  Annunciation,
  DeviceTagView,
  OnSiteResponseView,
  Localized,
  Priority,
  ReportUpView,
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
  /** A7: the recording the alarm refers to. */
  evidence: string | null;
}

export interface ShelveRow {
  point_key: string;
  condition: AlarmCondition;
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

interface OnSiteRow {
  alarm_id: number;
  dispatched_to: string | null;
  dispatched_by: string | null;
  dispatched_at: number | null;
  classification: OnSiteResponseView['classification'];
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

/** A new occurrence row as `raise` inserts it (state normal; the lifecycle's first transition raises it). */
export interface NewAlarm {
  pointKey: string;
  roomId: string;
  deviceId: string;
  unit: string;
  condition: AlarmCondition;
  kind: AlarmRow['kind'];
  priority: Priority;
  rule: string | null;
  latched: boolean;
  limit: number;
  value: number;
  detail: string | null;
  evidence: string | null;
  raisedAt: number;
}

/** An on/off-delay in progress of one condition, kept so a restart neither loses nor restarts it. */
export interface RuleTimerRow {
  point_key: string;
  condition: string;
  pending_since: number | null;
  clearing_since: number | null;
}

export function createAlarmRecords(db: DatabaseSync, site: Site, latest: (pointKey: string) => Reading | undefined) {
  const stmt = {
    byId: db.prepare('SELECT * FROM alarms WHERE id = ?'),
    openByCondition: db.prepare("SELECT * FROM alarms WHERE point_key = ? AND condition = ? AND state <> 'normal'"),
    open: db.prepare("SELECT * FROM alarms WHERE state <> 'normal' ORDER BY raised_at DESC, id DESC"),
    insert: db.prepare(
      `INSERT INTO alarms (point_key, room_id, device_id, condition, priority, rule, state, value, limit_value, unit, raised_at, kind, latched, detail, evidence)
       VALUES (?, ?, ?, ?, ?, ?, 'normal', ?, ?, ?, ?, ?, ?, ?, ?) RETURNING *`,
    ),
    update: db.prepare(
      `UPDATE alarms SET state = ?, value = ?, acked_by = ?, acked_by_name = ?, acked_at = ?, ack_note = ?, cleared_at = ?,
         detail = ?, escalation_level = ?, next_escalation_at = ?, evidence = ? WHERE id = ?`,
    ),
    dueEscalations: db.prepare('SELECT * FROM alarms WHERE next_escalation_at IS NOT NULL AND next_escalation_at <= ?'),
    ruleTimers: db.prepare('SELECT * FROM rule_timers'),
    saveRuleTimer: db.prepare('INSERT OR REPLACE INTO rule_timers (point_key, condition, pending_since, clearing_since) VALUES (?, ?, ?, ?)'),
    deleteRuleTimer: db.prepare('DELETE FROM rule_timers WHERE point_key = ? AND condition = ?'),
    shelve: db.prepare('SELECT * FROM alarm_shelves WHERE point_key = ? AND condition = ?'),
    saveShelve: db.prepare('INSERT OR REPLACE INTO alarm_shelves (point_key, condition, shelved_by, reason, shelved_at, until) VALUES (?, ?, ?, ?, ?, ?)'),
    deleteShelve: db.prepare('DELETE FROM alarm_shelves WHERE point_key = ? AND condition = ?'),
    expiredShelves: db.prepare('SELECT * FROM alarm_shelves WHERE until <= ?'),
    tag: db.prepare('SELECT * FROM device_tags WHERE device_id = ?'),
    tags: db.prepare('SELECT * FROM device_tags ORDER BY tagged_at'),
    activeTags: db.prepare("SELECT * FROM device_tags WHERE state = 'active'"),
    insertTag: db.prepare(
      `INSERT INTO device_tags (device_id, kind, state, reason, tagged_by, tagged_at, planned_end, approved_by, approved_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING *`,
    ),
    approveTag: db.prepare("UPDATE device_tags SET state = 'active', approved_by = ?, approved_at = ? WHERE device_id = ?"),
    deleteTag: db.prepare('DELETE FROM device_tags WHERE device_id = ?'),
    onSite: db.prepare('SELECT * FROM on_site_responses WHERE alarm_id = ?'),
    dispatch: db.prepare(
      `INSERT INTO on_site_responses (alarm_id, dispatched_to, dispatched_by, dispatched_at) VALUES (?, ?, ?, ?)
       ON CONFLICT(alarm_id) DO UPDATE SET dispatched_to = excluded.dispatched_to, dispatched_by = excluded.dispatched_by, dispatched_at = excluded.dispatched_at`,
    ),
    classify: db.prepare(
      `INSERT INTO on_site_responses (alarm_id, classification, classified_by, classified_at, note) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT(alarm_id) DO UPDATE SET classification = excluded.classification, classified_by = excluded.classified_by,
         classified_at = excluded.classified_at, note = excluded.note`,
    ),
    report: db.prepare('SELECT * FROM alarm_reports WHERE alarm_id = ?'),
    insertReport: db.prepare('INSERT INTO alarm_reports (alarm_id, reported_by, reported_by_name, reported_at, note, targets) VALUES (?, ?, ?, ?, ?, ?)'),
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

  const onSiteOf = (id: number): OnSiteResponseView | null => {
    const f = stmt.onSite.get(id) as OnSiteRow | undefined;
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

  const reportOf = (id: number): ReportUpView | null => {
    const r = stmt.report.get(id) as { reported_by: string; reported_by_name: string; reported_at: number; note: string; targets: string } | undefined;
    return r ? { by: r.reported_by, byName: r.reported_by_name, at: r.reported_at, note: r.note, targets: r.targets } : null;
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
      onSite: onSiteOf(r.id),
      reportedUp: reportOf(r.id),
      evidence: r.evidence,
    };
  };

  return {
    byId: (id: number) => stmt.byId.get(id) as AlarmRow | undefined,
    openByCondition: (pointKey: string, condition: AlarmCondition) => stmt.openByCondition.get(pointKey, condition) as AlarmRow | undefined,
    open: () => stmt.open.all() as unknown as AlarmRow[],
    insert: (a: NewAlarm): AlarmRow =>
      stmt.insert.get(a.pointKey, a.roomId, a.deviceId, a.condition, a.priority, a.rule, a.value, a.limit, a.unit, a.raisedAt, a.kind, a.latched ? 1 : 0, a.detail, a.evidence) as unknown as AlarmRow,
    update: (r: AlarmRow): void => {
      stmt.update.run(r.state, r.value, r.acked_by, r.acked_by_name, r.acked_at, r.ack_note, r.cleared_at, r.detail, r.escalation_level, r.next_escalation_at, r.evidence, r.id);
    },
    /** Alarms whose next escalation deadline has passed (A1/A2). */
    dueEscalations: (now: number) => stmt.dueEscalations.all(now) as unknown as AlarmRow[],

    ruleTimers: () => stmt.ruleTimers.all() as unknown as RuleTimerRow[],
    /** Saves a timer in progress, or forgets it when neither delay runs. */
    saveRuleTimer: (t: RuleTimerRow): void => {
      if (t.pending_since === null && t.clearing_since === null) stmt.deleteRuleTimer.run(t.point_key, t.condition);
      else stmt.saveRuleTimer.run(t.point_key, t.condition, t.pending_since, t.clearing_since);
    },

    shelve: (s: ShelveRow): void => {
      stmt.saveShelve.run(s.point_key, s.condition, s.shelved_by, s.reason, s.shelved_at, s.until);
    },
    /** Removes a shelve; false when there was none. */
    unshelve: (pointKey: string, condition: AlarmCondition): boolean => stmt.deleteShelve.run(pointKey, condition).changes > 0,
    expiredShelves: (now: number) => stmt.expiredShelves.all(now) as unknown as ShelveRow[],

    tagOf,
    tags: () => stmt.tags.all() as unknown as TagRow[],
    activeTags: () => stmt.activeTags.all() as unknown as TagRow[],
    insertTag: (t: TagRow): TagRow =>
      stmt.insertTag.get(t.device_id, t.kind, t.state, t.reason, t.tagged_by, t.tagged_at, t.planned_end, t.approved_by, t.approved_at) as unknown as TagRow,
    approveTag: (deviceId: string, by: string, at: number): void => {
      stmt.approveTag.run(by, at, deviceId);
    },
    deleteTag: (deviceId: string): void => {
      stmt.deleteTag.run(deviceId);
    },

    /** Who was sent to look (A4, A7); a second dispatch replaces the first. */
    dispatch: (d: { alarmId: number; to: string; by: string; at: number }): void => {
      stmt.dispatch.run(d.alarmId, d.to, d.by, d.at);
    },
    /** What was found on site (A4). */
    classify: (c: { alarmId: number; classification: NonNullable<OnSiteResponseView['classification']>; by: string; at: number; note: string }): void => {
      stmt.classify.run(c.alarmId, c.classification, c.by, c.at, c.note);
    },
    reportOf,
    insertReport: (r: { alarmId: number; by: string; byName: string; at: number; note: string; targets: string }): void => {
      stmt.insertReport.run(r.alarmId, r.by, r.byName, r.at, r.note, r.targets);
    },

    annunciationOf,
    view,
  };
}

export type AlarmRecords = ReturnType<typeof createAlarmRecords>;
