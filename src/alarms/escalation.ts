// Escalation (A1 answer fast, A2 level by level): an alarm not acknowledged within T1 notifies the shift
// lead, after T2 the supervisor, after T3 the manager. Channels are adapters; the console always hears
// of it (the alarm event carries the level), the webhook is built in, others plug in as Notifiers.
import type { AlarmView, Priority, Role, UserView } from '../contract/api.ts';
import type { AlarmsConfig } from '../config/schema.ts';
import type { Logger } from '../core/logger.ts';

export const escalationRoles: readonly Role[] = ['lead', 'supervisor', 'manager'];

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

export interface EscalationNotice {
  /** Why: an alarm left unacknowledged (A1/A2), or a fire confirmed on site (A4: the roster chain is told at once). */
  reason: 'unacknowledged' | 'fireConfirmed';
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

/** POSTs the notice as JSON; a failure is thrown to the caller, which logs it (never silent). */
export function webhookNotifier(config: { url: string; timeoutMs?: number }, logger: Logger): Notifier {
  return {
    name: 'webhook',
    async notify(notice) {
      const res = await fetch(config.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ type: notice.reason === 'fireConfirmed' ? 'fire.confirmed' : 'alarm.escalated', ...notice }),
        signal: AbortSignal.timeout(config.timeoutMs ?? 5000),
      });
      if (!res.ok) throw new Error(`webhook ${config.url} answered ${res.status}`);
      logger.info('escalation sent', { channel: 'webhook', alarm: notice.alarm.id, level: notice.level });
    },
  };
}
