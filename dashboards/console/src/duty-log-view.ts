// The board's duty log (值班日志), newest first: time in the site timezone (L6), what happened (entry-text.ts,
// the one renderer of entries), and who.
import type { DutyLogEntryView } from '../../../src/contract/api.ts';
import { h, replaceChildren } from './dom.ts';
import { entryText, entryWho } from './entry-text.ts';
import { formatDateTime } from './format.ts';
import { tr } from './lang.ts';
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

  // Entries never change once written: keyed by id, a row is built once and kept, so a flood of new entries
  // moves rows instead of rebuilding them (focus and selection survive).
  let rows = new Map<number, HTMLElement>();
  function update(): void {
    empty.hidden = store.dutyLog.length > 0;
    const next = new Map(store.dutyLog.map((entry) => [entry.id, rows.get(entry.id) ?? entryItem(store, entry)]));
    rows = next;
    replaceChildren(list, [...next.values()]);
  }

  update();
  return { el, update };
}

function entryItem(store: Store, entry: DutyLogEntryView): HTMLElement {
  return h(
    'li',
    { class: `log-entry log-entry--${entry.kind.replace('.', '-')}`, 'data-testid': `duty-log-entry-${entry.id}`, 'data-kind': entry.kind },
    h('time', { class: 'log-time', datetime: new Date(entry.ts).toISOString() }, formatDateTime(entry.ts)),
    h('span', { class: 'log-text' }, entryText(store, entry)),
    h('span', { class: 'log-who' }, entryWho(entry)),
  );
}
