// Escalation (A1 answer fast, A2 level by level): an alarm not acknowledged within T1 notifies the shift
// lead, after T2 the supervisor, after T3 the manager. Channels are adapters; the console always hears
// of it (the alarm event carries the level), the webhook is built in, others plug in as Notifiers.
import type { AlarmView, Priority, Role, UserView } from '../contract/api.ts';
import type { AlarmsConfig } from '../config/schema.ts';
import type { Logger } from '../core/logger.ts';

export const escalationRoles: readonly Role[] = ['lead', 'supervisor', 'manager'];
/** A3: a key-equipment fault is reported to the department head (the supervisor role) and the manager. */
export const keyFaultRoles: readonly Role[] = ['supervisor', 'manager'];

/** A8: who hears of a fault the shift cannot fix: the levels above the reporter, up to the supervisor (the manager for a supervisor). */
export function reportUpRoles(reporter: Role): readonly Role[] {
  const above = escalationRoles.slice(escalationRoles.indexOf(reporter) + 1);
  return above.filter((r) => r !== 'manager').length > 0 ? above.filter((r) => r !== 'manager') : above.slice(0, 1);
}

/** Defaults: a critical alarm reaches the lead after 60 s (issue 4), lower priorities later; low never escalates. */
const defaultDelays: Record<Priority, readonly number[]> = {
  critical: [60, 300, 900],
  high: [300, 900, 1800],
  medium: [900, 1800, 3600],
  low: [],
};

export function escalationDelays(config: AlarmsConfig, priority: Priority): readonly number[] {
  return config.escalation?.[priority] ?? defaultDelays[priority];
}

/**
 * When the level after `reached` is due (A2): `delays[reached]` after the raise, or null when the priority has no
 * further level or nobody on this site holds that role or any above it. A site without a manager stops at the
 * supervisor: the row shows no countdown "to the manager", and no escalation entry names nobody.
 */
export function nextEscalationAt(delays: readonly number[], raisedAt: number, reached: number, staffed: (role: Role) => boolean): number | null {
  const delay = delays[reached];
  if (delay === undefined || !escalationRoles.slice(reached).some(staffed)) return null;
  return raisedAt + delay * 1000;
}

export interface EscalationNotice {
  /**
   * Why: an alarm left unacknowledged (A1/A2), a fire confirmed on site (A4: the roster chain is told at once), a
   * fault of key equipment (A3: routed to the department head and the manager as it is raised), a fault the shift
   * cannot fix (A8: reported upwards by the duty staff), an emergency escalation skipping levels (A2).
   */
  reason: 'unacknowledged' | 'fireConfirmed' | 'keyEquipmentFault' | 'reportedUp' | 'emergency';
  alarm: AlarmView;
  level: number;
  role: Role;
  targets: UserView[];
  at: number;
}

/** A channel that reaches people (SMS, WeCom, a phone call through a GSM modem …) implements this. */
export interface Notifier {
  readonly name: string;
  notify(notice: EscalationNotice): Promise<void>;
}

const webhookType: Record<EscalationNotice['reason'], string> = { unacknowledged: 'alarm.escalated', fireConfirmed: 'fire.confirmed', keyEquipmentFault: 'alarm.keyFault', reportedUp: 'alarm.reportedUp', emergency: 'alarm.emergencyEscalated' };

/** POSTs the notice as JSON; a failure is thrown to the caller, which logs it (never silent). */
export function webhookNotifier(config: { url: string; timeoutMs?: number }, logger: Logger): Notifier {
  return {
    name: 'webhook',
    async notify(notice) {
      const res = await fetch(config.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ type: webhookType[notice.reason], ...notice }),
        signal: AbortSignal.timeout(config.timeoutMs ?? 5000),
      });
      if (!res.ok) throw new Error(`webhook ${config.url} answered ${res.status}`);
      logger.info('escalation sent', { channel: 'webhook', alarm: notice.alarm.id, level: notice.level });
    },
  };
}
