// The duty log (值班日志), newest first: time in the site timezone (L6), what happened rendered through
// i18n `dutyLog.kind.<kind>`, and who. Names come from the SiteView in the current language.
import type { DutyLogEntryView } from '../../../src/contract/api.ts';
import { DEMO_SEED } from '../../../src/contract/routes.ts';
import type { MessageKey, MessageParams } from '../../../src/i18n/index.ts';
import { h, replaceChildren } from './dom.ts';
import { formatDateTime, withUnit } from './format.ts';
import { tr } from './lang.ts';
import { conditionText, isCondition, isPriority, placeNames, priorityText } from './alarm-text.ts';
import type { Store } from './store.ts';

export interface DutyLogView {
  el: HTMLElement;
  update(): void;
}

export function dutyLogView(store: Store): DutyLogView {
  const list = h('ol', { class: 'duty-log', 'data-testid': 'duty-log' });
  const empty = h('p', { class: 'muted' }, tr('dutyLog.empty'));
  const el = h(
    'section',
    { class: 'panel duty-log-panel', 'aria-labelledby': 'duty-log-title' },
    h('h2', { id: 'duty-log-title', class: 'panel-title' }, tr('dutyLog.title')),
    empty,
    list,
  );

  function update(): void {
    empty.hidden = store.dutyLog.length > 0;
    replaceChildren(list, store.dutyLog.map((entry) => entryItem(store, entry)));
  }

  update();
  return { el, update };
}

function entryItem(store: Store, entry: DutyLogEntryView): HTMLElement {
  return h(
    'li',
    { class: `log-entry log-entry--${entry.kind.replace('.', '-')}`, 'data-testid': `duty-log-entry-${entry.id}`, 'data-kind': entry.kind },
    h('time', { class: 'log-time', datetime: new Date(entry.ts).toISOString() }, formatDateTime(entry.ts)),
    h('span', { class: 'log-text' }, tr(messageKey(entry), entryParams(store, entry))),
    h('span', { class: 'log-who' }, who(entry)),
  );
}

/**
 * Contact, fault-code, comm-loss and isolation alarms have no value against a limit: they read as events. A
 * configuration alarm says what does not match (unit, table, address, exception meaning; devices.md §5).
 */
function messageKey(entry: DutyLogEntryView): MessageKey {
  if (entry.kind === 'alarm.raised' && entry.params['condition'] === 'config') return 'dutyLog.kind.alarm.raisedConfig';
  const event = entry.kind === 'alarm.raised' && oneOf(['discrete', 'commLoss', 'isolationOvernight', 'patrolOverdue', 'understaffed'], entry.params['condition']);
  return event ? 'dutyLog.kind.alarm.raisedEvent' : `dutyLog.kind.${entry.kind}`;
}

function who(entry: DutyLogEntryView): string {
  const user = entry.params['user'];
  if (user === DEMO_SEED) return tr('roster.demoSeed');
  if (typeof user === 'string' && user) return user;
  return entry.username ?? tr('dutyLog.system');
}

/** The server's params, with names, condition and priority localized and values given their unit. */
function entryParams(store: Store, entry: DutyLogEntryView): MessageParams {
  const p = entry.params;
  const names = placeNames(store, entry);
  const unit = typeof p['unit'] === 'string' ? p['unit'] : '';
  const measured = (v: unknown) => (typeof v === 'number' ? withUnit(v, unit) : typeof v === 'string' ? v : '—');
  const text = (v: unknown) => (v === null || v === undefined || v === '' ? '—' : String(v));
  return {
    ...p,
    room: names.room ?? text(p['room']),
    device: names.device ?? text(p['device']),
    point: names.point ?? text(p['point']),
    condition: isCondition(p['condition']) ? conditionText(p['condition']) : text(p['condition']),
    priority: isPriority(p['priority']) ? priorityText(p['priority']) : text(p['priority']),
    // A communication loss or a configuration mismatch has no value or limit (the device does not answer it).
    value: oneOf(['commLoss', 'config'], p['condition']) ? '—' : measured(p['value']),
    limit: oneOf(['commLoss', 'config'], p['condition']) ? '—' : measured(p['limit']),
    detail: text(p['detail']),
    rule: text(p['rule']),
    note: text(p['note']),
    user: who(entry),
    ...lifecycleParams(p),
  };
}

const oneOf = <T extends string>(values: readonly T[], v: unknown): v is T => typeof v === 'string' && (values as readonly string[]).includes(v);

/** The alarm-lifecycle params, translated (how an unshelve came, A4 classification, tag kind, A2 role) or in site time. */
function lifecycleParams(p: DutyLogEntryView['params']): MessageParams {
  const out: Record<string, string> = {};
  if (oneOf(['manual', 'expired'], p['how'])) out['how'] = tr(`lifecycle.how.${p['how']}`);
  if (oneOf(['confirmed', 'false_alarm', 'device_fault'], p['classification'])) out['classification'] = tr(`lifecycle.classification.${p['classification']}`);
  if (oneOf(['maintenance', 'isolation'], p['tagKind'])) out['tagKind'] = tr(`lifecycle.tagKind.${p['tagKind']}`);
  if (oneOf(['duty', 'lead', 'supervisor', 'manager', 'admin'], p['role'])) out['role'] = tr(`role.${p['role']}`);
  const until = typeof p['until'] === 'string' ? Date.parse(p['until']) : Number.NaN;
  if (!Number.isNaN(until)) out['until'] = formatDateTime(until);
  return out;
}
