// Shared wording and severity of alarms: the alarm list, the tiles and the duty log say the same thing.
import type { AlarmCondition, AlarmView, LimitsView, Priority } from '../../../src/contract/api.ts';
import { SELF_TEST_DETAIL } from '../../../src/contract/routes.ts';
import { formatNumber, withUnit } from './format.ts';
import { loc, tr } from './lang.ts';
import type { Store } from './store.ts';

export type Severity = 'alarm' | 'warning';

/** Outer limits (HH/LL) and critical alarms are red; inner limits (H/L) amber. Text labels go with the colour. */
export function severity(alarm: Pick<AlarmView, 'condition' | 'priority'>): Severity {
  return alarm.condition === 'highHigh' || alarm.condition === 'lowLow' || alarm.priority === 'critical' ? 'alarm' : 'warning';
}

export function conditionText(condition: AlarmCondition): string {
  return tr(`alarm.condition.${condition}`);
}

export function priorityText(priority: Priority): string {
  return tr(`alarm.priority.${priority}`);
}

const CONDITIONS: readonly string[] = ['lowLow', 'low', 'high', 'highHigh', 'rateOfChange', 'discrete', 'commLoss', 'isolationOvernight', 'patrolOverdue', 'understaffed', 'understaffedSoon', 'mismatch', 'config', 'historianLoss'] satisfies AlarmCondition[];
const PRIORITIES: readonly string[] = ['critical', 'high', 'medium', 'low'];

export function isCondition(value: unknown): value is AlarmCondition {
  return typeof value === 'string' && CONDITIONS.includes(value);
}

export function isPriority(value: unknown): value is Priority {
  return typeof value === 'string' && PRIORITIES.includes(value);
}

/** Room, device and point names in the current language, from the SiteView; null where the site does not know it. */
export function placeNames(
  store: Store,
  ids: { roomId: string | null; deviceId: string | null; pointKey: string | null },
): { room: string | null; device: string | null; point: string | null } {
  const room = ids.roomId ? store.index.rooms.get(ids.roomId) : undefined;
  const device = ids.deviceId ? store.index.devices.get(ids.deviceId) : undefined;
  const point = ids.pointKey ? store.index.points.get(ids.pointKey) : undefined;
  return {
    room: room ? loc(room.name) : null,
    device: device ? loc(device.name) : null,
    point: point ? loc(point.label) : null,
  };
}

/** The limits of a point in short form: "H 35 · HH 40". */
export function limitsText(limits: LimitsView | undefined, format: (n: number) => string): string {
  if (!limits) return '';
  const parts: string[] = [];
  if (limits.lowLow !== undefined) parts.push(tr('point.limit.lowLow', { value: format(limits.lowLow) }));
  if (limits.low !== undefined) parts.push(tr('point.limit.low', { value: format(limits.low) }));
  if (limits.high !== undefined) parts.push(tr('point.limit.high', { value: format(limits.high) }));
  if (limits.highHigh !== undefined) parts.push(tr('point.limit.highHigh', { value: format(limits.highHigh) }));
  return parts.join(' · ');
}

/**
 * Comm loss, a configuration mismatch, an isolation left overnight, an overdue patrol and under-staffing concern a
 * whole device (or patrol, or roster): their pointKey is the device id; the historian's loss alarm concerns the
 * gateway (pointKey `historian`).
 */
export function isDeviceLevel(alarm: Pick<AlarmView, 'condition'>): boolean {
  return alarm.condition === 'commLoss' || alarm.condition === 'config' || alarm.condition === 'isolationOvernight' || alarm.condition === 'patrolOverdue' || alarm.condition === 'understaffed' || alarm.condition === 'understaffedSoon' || alarm.condition === 'historianLoss';
}

/** A device's error as the duty team reads it: the known kinds in words, anything else "no answer". */
export function deviceErrorText(detail: string): string {
  if (/timed? ?out|timeout/i.test(detail)) return tr('device.error.timeout');
  if (/ECONNREFUSED|refused/i.test(detail)) return tr('device.error.refused');
  if (/exception/i.test(detail)) return tr('device.error.exception');
  if (/offline|lwt|will/i.test(detail)) return tr('device.error.offline');
  return tr('device.error.other');
}

/** What the alarm says: a discrete alarm's own message (fault code text included), else value against limit. */
export function alarmReading(alarm: AlarmView): string {
  // A detector's test button: the same alarm, marked as a test so nobody takes it for a fire (issue 12 §3).
  if (alarm.message) return alarm.detail === SELF_TEST_DETAIL ? `${loc(alarm.message)} · ${tr('alarms.selfTest')}` : loc(alarm.message);
  if (alarm.condition === 'historianLoss') return tr('alarms.historianLoss', { count: formatNumber(alarm.value, 0) });
  // A lost device in words ("应答超时"), not the driver's English ("timeout: no response within 1000 ms"); the
  // diagnostics page keeps the technical text.
  if (alarm.condition === 'commLoss' && alarm.detail) return deviceErrorText(alarm.detail);
  if (isDeviceLevel(alarm)) return alarm.detail ?? '—';
  return tr('alarms.valueLimit', { value: withUnit(alarm.value, alarm.unit), limit: withUnit(alarm.limit, alarm.unit) });
}

/** One line naming an alarm in a dialog: where, and what it says. */
export function alarmWhat(store: Store, alarm: AlarmView): string {
  const names = placeNames(store, alarm);
  const text = `${conditionText(alarm.condition)} · ${alarmReading(alarm)}`;
  const room = names.room ?? alarm.roomId;
  const device = names.device ?? alarm.deviceId;
  return isDeviceLevel(alarm)
    ? tr('lifecycle.what.device', { room, device, text })
    : tr('lifecycle.what.point', { room, device, point: names.point ?? alarm.pointKey, text });
}
