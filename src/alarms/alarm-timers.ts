// Time-driven alarm work, run by the gateway's tick: shelves that ran out, escalation deadlines (A1/A2),
// isolations and fire-device tags left past the end of the day (A6); then the alarm summary to the consoles when
// it has changed.
import type { Site } from '../config/load.ts';
import type { Bus } from '../core/bus.ts';
import type { AlarmSummary, Role, UserView } from '../contract/api.ts';
import { isUnacknowledged } from './lifecycle.ts';
import { escalationDelays, escalationRoles, nextEscalationAt } from './escalation.ts';
import { localMinutes } from './site-time.ts';
import type { AlarmRecords } from './alarm-records.ts';
import type { AlarmTransitions } from './alarm-transitions.ts';
import type { DeviceTags } from './device-tags.ts';
import type { AlarmTransition } from './types.ts';

export interface AlarmTimersDeps {
  site: Site;
  bus: Bus;
  records: AlarmRecords;
  transitions: AlarmTransitions;
  tags: Pick<DeviceTags, 'deviceOf' | 'lifeSafety'>;
  onDuty: (role: Role, at: number) => UserView[];
  summary: () => AlarmSummary;
}

export function createAlarmTimers(deps: AlarmTimersDeps) {
  const { site, bus, records, transitions, tags } = deps;
  const cfg = site.config.alarms ?? {};
  let lastSummary = '';

  /** Shelves that ran out: the alarm is annunciated again, unacknowledged if still active (ISA-18.2 §11.7.3). */
  const shelvesExpired = (now: number): AlarmTransition[] =>
    records.expiredShelves(now).flatMap((s) => {
      records.unshelve(s.point_key, s.condition);
      const row = records.openByCondition(s.point_key, s.condition);
      if (!row) return [];
      const reannunciate = row.state === 'ack_active' ? { state: 'unack_active' as const, acked_by: null, acked_by_name: null, acked_at: null, ack_note: null } : {};
      return [transitions.record({ row: { ...row, ...reannunciate }, from: row.state, event: 'unshelved', now, user: null, params: { how: 'expired' } })];
    });

  /** A1/A2: unacknowledged past the deadline → the next level is notified. */
  const escalationsDue = (now: number): AlarmTransition[] =>
    records.dueEscalations(now).flatMap((row) => {
      if (!isUnacknowledged(row.state) || records.annunciationOf(row, now) !== 'annunciated') return [];
      const level = row.escalation_level + 1;
      const role = escalationRoles[level - 1]!;
      const targets = deps.onDuty(role, now);
      const next = nextEscalationAt(escalationDelays(cfg, row.priority), row.raised_at, level, (r) => deps.onDuty(r, now).length > 0);
      const t = transitions.record({
        row: { ...row, escalation_level: level, next_escalation_at: next },
        from: row.state,
        event: 'escalated',
        now,
        user: null,
        params: { level, role, targets: targets.map((u) => u.displayName).join(', ') || '—' },
      });
      transitions.notify({ reason: 'unacknowledged', alarm: t.alarm, level, role, targets, at: now });
      return [t];
    });

  /**
   * A6: an isolation, or any tag on a fire/life-safety device, still active at the end of the day raises a high
   * alarm that sounds and escalates like any other; never silently overnight.
   */
  const leftOvernight = (now: number): (AlarmTransition | null)[] => {
    const [h, m] = (cfg.isolationEndOfDay ?? '23:00').split(':').map(Number) as [number, number];
    if (localMinutes(now, site.timezone) < h * 60 + m) return [];
    return records
      .activeTags()
      .filter((tag) => (tag.kind === 'isolation' || tags.lifeSafety(tag.device_id)) && !records.openByCondition(tag.device_id, 'isolationOvernight'))
      .map((tag) => {
        const room = tags.deviceOf(tag.device_id)?.config.room ?? '';
        return transitions.raise({ point: { key: tag.device_id, roomId: room, deviceId: tag.device_id, unit: '' }, condition: 'isolationOvernight', kind: 'isolation', priority: 'high', rule: 'A6', detail: tag.reason, now });
      });
  };

  return {
    tick(now: number): void {
      transitions.commit(() => [...shelvesExpired(now), ...escalationsDue(now), ...leftOvernight(now)]);
      const summary = deps.summary();
      const key = JSON.stringify(summary);
      if (key !== lastSummary) {
        lastSummary = key;
        bus.emit('alarmSummary', summary);
      }
    },
  };
}
