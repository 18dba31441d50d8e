// The one renderer of duty-log entries (issue 15): the board's side panel, the duty-log page, the printed
// shift report and the handover all say an entry with entryText(). The gateway stores ids and codes in an
// entry's params; here every one becomes words in the console's language: rooms, devices and points from the
// SiteView, shifts, patrols, checklist items and people from RecordNames, codes through i18n, instants in
// site time (L6). A code without a translation is shown as "—", never raw.
import type { DutyLogEntryView, NoteCategory } from '../../../src/contract/api.ts';
import { DEMO_SEED } from '../../../src/contract/routes.ts';
import type { MessageKey, MessageParams } from '../../../src/i18n/index.ts';
import { isMessageKey } from '../../../src/i18n/index.ts';
import { conditionText, deviceErrorText, isCondition, isPriority, placeNames, priorityText } from './alarm-text.ts';
import { formatDateTime, formatDay, formatNumber, withUnit } from './format.ts';
import { loc, tr } from './lang.ts';
import { recordNames } from './record-names.ts';
import type { Store } from './store.ts';

const oneOf = <T extends string>(values: readonly T[], v: unknown): v is T => typeof v === 'string' && (values as readonly string[]).includes(v);
const text = (v: unknown): string => (v === null || v === undefined || v === '' ? '—' : typeof v === 'number' ? formatNumber(v) : String(v));
/** An i18n key built from a code; an unknown code reads "—" rather than leaking. */
const coded = (key: string): string => (isMessageKey(key) ? tr(key) : '—');

/** Who did it: the display name the gateway recorded, the demo seed by its name, else the system. */
export function entryWho(entry: DutyLogEntryView): string {
  const user = entry.params['user'];
  if (user === DEMO_SEED) return tr('roster.demoSeed');
  if (typeof user === 'string' && user) return user;
  return entry.username ? personName(entry.username) : tr('dutyLog.system');
}

/** A username as the person's display name where the gateway told us one. */
export function personName(username: string): string {
  return recordNames().people.get(username) ?? username;
}

/** "2026-12-03/day" → "12月3日 白班" / "Dec 3 Day"; a month slot "2026-12" → "2026年12月"; a day slot → its date. */
export function formatShiftKey(key: unknown): string {
  if (typeof key !== 'string') return '—';
  // P1: a stepped-up period is one part of its shift: "…/night+2" is the night's second.
  const m = /^(\d{4}-\d{2}-\d{2})\/([^+]+)(?:\+(\d+))?$/.exec(key);
  if (m) {
    const name = recordNames().shifts.get(m[2]!);
    return `${formatDay(m[1]!)} ${name ? loc(name) : tr('report.shiftUnknown')}${m[3] ? ` (${m[3]})` : ''}`;
  }
  return /^\d{4}-\d{2}(-\d{2})?$/.test(key) ? formatDay(key) : key;
}

/** The sentence of an entry, in the current language. */
export function entryText(store: Store, entry: DutyLogEntryView): string {
  // A device-level alarm has no point name: its empty slot leaves a double space behind.
  return tr(messageKey(entry), entryParams(store, entry)).replace(/ {2,}/g, ' ');
}

/**
 * Contact, fault-code, comm-loss and isolation alarms have no value against a limit: they read as events. A
 * configuration alarm says what does not match (unit, table, address, exception meaning; devices.md §5).
 */
function messageKey(entry: DutyLogEntryView): MessageKey {
  if (entry.kind === 'alarm.raised' && entry.params['condition'] === 'config') return 'dutyLog.kind.alarm.raisedConfig';
  // A7: a camera's alarm says which recording it keeps as evidence.
  if (entry.kind === 'alarm.raised' && typeof entry.params['evidence'] === 'string') return 'dutyLog.kind.alarm.raisedEvidence';
  // A7: guards go to the scene of what a camera saw (not "to confirm" as for a fire), with the recording's reference.
  if (entry.kind === 'alarm.dispatched' && entry.params['rule'] === 'A7') return 'dutyLog.kind.alarm.dispatchedCctv';
  // S3: an arrival after the shift started is late, not "-10 min early".
  if (entry.kind === 'handover.arrived' && typeof entry.params['minutesEarly'] === 'number' && entry.params['minutesEarly'] < 0) return 'dutyLog.kind.handover.arrivedLate';
  const event = entry.kind === 'alarm.raised' && oneOf(['discrete', 'commLoss', 'isolationOvernight', 'patrolOverdue', 'understaffed', 'understaffedSoon', 'historianLoss'], entry.params['condition']);
  if (event) return 'dutyLog.kind.alarm.raisedEvent';
  // A device answering again, a patrol done: back to normal with no value to show (not "now —").
  if (entry.kind === 'alarm.returned' && oneOf(['commLoss', 'config', 'isolationOvernight', 'patrolOverdue', 'understaffed', 'understaffedSoon', 'historianLoss'], entry.params['condition'])) return 'dutyLog.kind.alarm.returnedEvent';
  return `dutyLog.kind.${entry.kind}`;
}

/** The server's params with every id and code in words. */
function entryParams(store: Store, entry: DutyLogEntryView): MessageParams {
  const p = entry.params;
  const names = placeNames(store, entry);
  const unit = typeof p['unit'] === 'string' ? p['unit'] : '';
  const measured = (v: unknown) => (typeof v === 'number' ? withUnit(v, unit) : text(v));
  const noValue = oneOf(['commLoss', 'config'], p['condition']);
  const out: Record<string, string | number> = {};
  for (const [k, v] of Object.entries(p)) out[k] = text(v);
  return {
    ...out,
    room: names.room ?? text(p['room']),
    device: names.device ?? text(p['device']),
    // A device-level alarm's point is the device itself: nothing more to name.
    point: names.point ?? '',
    condition: isCondition(p['condition']) ? conditionText(p['condition']) : text(p['condition']),
    priority: isPriority(p['priority']) ? priorityText(p['priority']) : text(p['priority']),
    // A communication loss or a configuration mismatch has no value or limit (the device does not answer it).
    value: noValue ? '—' : pointValue(store, entry.pointKey, p['value'], measured),
    limit: noValue ? '—' : measured(p['limit']),
    user: entryWho(entry),
    ...kindParams(store, entry),
  };
}

/** A value as the point's own text where it has one ("5" → "恒压差"), else with its unit. */
export function pointValue(store: Store, pointKey: string | null, v: unknown, measured: (v: unknown) => string): string {
  const label = pointKey ? store.index.points.get(pointKey)?.values?.[String(v)] : undefined;
  return label ? loc(label) : measured(v);
}

/** Params that only some kinds carry: codes, ids, instants. */
function kindParams(store: Store, entry: DutyLogEntryView): Record<string, string> {
  const p = entry.params;
  const out: Record<string, string> = {};
  // Alarm lifecycle: how an unshelve came, A4 classification, tag kind, A2 role, shelved until.
  if (oneOf(['manual', 'expired'], p['how'])) out['how'] = tr(`lifecycle.how.${p['how']}`);
  if (oneOf(['confirmed', 'false_alarm', 'device_fault', 'test'], p['classification'])) out['classification'] = tr(`lifecycle.classification.${p['classification']}`);
  if (oneOf(['maintenance', 'isolation'], p['tagKind'])) out['tagKind'] = tr(`lifecycle.tagKind.${p['tagKind']}`);
  if (oneOf(['duty', 'lead', 'supervisor', 'manager', 'admin'], p['role'])) out['role'] = tr(`role.${p['role']}`);
  // A historian drop episode (issue 17): what is being dropped, and the span of readings it lost.
  if (oneOf(['oldestRaw', 'newest', 'kept'], p['what'])) out['what'] = tr(`historian.what.${p['what']}`);
  for (const key of ['until', 'before', 'lostFrom', 'lostTo']) {
    const at = typeof p[key] === 'string' ? Date.parse(p[key]) : Number.NaN;
    if (!Number.isNaN(at)) out[key] = formatDateTime(at);
  }
  // Closing an item (S5/S7) and an unclean stop (L1) carry their instant in ms: said in site time here.
  if (typeof p['resolvedAt'] === 'number') out['resolvedAtText'] = formatDateTime(p['resolvedAt']);
  if (typeof p['lastSeenAt'] === 'number') out['lastSeen'] = formatDateTime(p['lastSeenAt']);
  if (typeof p['date'] === 'string') out['date'] = formatDay(p['date']);
  if (typeof p['month'] === 'string') out['month'] = formatDay(p['month']);
  // Shifts, handover sides and reasons (S5), patrols (P1), playbooks (E1–E4), notes (L2).
  if (p['shift'] !== undefined) out['shift'] = formatShiftKey(p['shift']);
  if (p['slot'] !== undefined) out['slot'] = formatShiftKey(p['slot']);
  if (typeof p['side'] === 'string') out['side'] = coded(`handover.side.${p['side']}`);
  if (typeof p['state'] === 'string' && entry.kind === 'handover.late') out['state'] = coded(`handover.lateState.${p['state']}`);
  if (typeof p['reasons'] === 'string') out['reasons'] = p['reasons'].split(', ').map((code) => coded(`handover.refusalShort.${code}`)).join(tr('list.separator'));
  if (typeof p['schedule'] === 'string') {
    const schedule = recordNames().patrols.get(p['schedule']);
    out['schedule'] = schedule ? loc(schedule.name) : tr('patrols.title');
    if (typeof p['failed'] === 'string') out['failed'] = p['failed'] ? p['failed'].split(', ').map((id) => { const n = schedule?.checklist.get(id); return n ? loc(n) : '—'; }).join(tr('list.separator')) : tr('patrols.noProblem');
  }
  if (typeof p['type'] === 'string' && entry.kind.startsWith('playbook.')) {
    out['type'] = coded(`playbooks.type.${p['type']}`);
    if (typeof p['step'] === 'string') out['step'] = coded(`playbook.${p['type']}.${p['step']}`);
  }
  if (typeof p['category'] === 'string') out['category'] = coded(`journal.category.${p['category'] as NoteCategory}`);
  if (typeof p['from'] === 'string' && entry.kind.startsWith('roster.swap')) out['from'] = personName(p['from']);
  if (typeof p['to'] === 'string' && entry.kind.startsWith('roster.swap')) out['to'] = personName(p['to']);
  // A3: an operating mode before and after, in the point's own words; P1: a step-up's period in site time.
  if (entry.kind === 'equipment.modeChanged') for (const key of ['from', 'to']) out[key] = pointValue(store, entry.pointKey, p[key], text);
  if (entry.kind === 'patrol.steppedUp') for (const key of ['from', 'until']) out[key] = typeof p[key] === 'number' ? formatDateTime(p[key]) : '—';
  if (typeof p['readings'] === 'string') out['readings'] = runLogText(store, entry.deviceId, p['readings']);
  for (const key of ['targets', 'people']) if (typeof p[key] === 'string') out[key] = namesText(p[key]);
  if (entry.kind === 'handover.arrived' && typeof p['minutesEarly'] === 'number') out['minutesLate'] = formatNumber(-p['minutesEarly']);
  if (typeof p['detail'] === 'string' && entry.kind === 'device.offline') out['detail'] = deviceErrorText(p['detail']);
  return out;
}

/** People the gateway named in the record as "A, B" (who was told, who was on shift), in the reader's list ("A、B"). */
export const namesText = (names: string): string => names.split(', ').join(tr('list.separator'));

/** P2 run log "unitStatus 3 · head 18 m" with the point names of the device and a state in its own words ("机组状态 运行"). */
function runLogText(store: Store, deviceId: string | null, readings: string): string {
  return readings
    .split(' · ')
    .map((part) => {
      const [id, ...rest] = part.split(' ');
      const pointKey = deviceId && id ? `${deviceId}.${id}` : null;
      const point = pointKey ? store.index.points.get(pointKey) : undefined;
      if (!point) return part;
      const value = rest.join(' ');
      return `${loc(point.label)} ${pointValue(store, pointKey, value, () => value)}`;
    })
    .join(' · ');
}
