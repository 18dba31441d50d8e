// Alarm flood (EEMUA 191 / ISA-18.2: more than 10 alarms in 10 minutes for the site): a banner with the count,
// grouped by room and by cause, so the duty officer sees where the flood comes from before reading every row.
// The gateway counts and never drops an alarm; the list below still holds each one.
import { h, replaceChildren } from './dom.ts';
import { loc, tr } from './lang.ts';
import { conditionText, isCondition } from './alarm-text.ts';
import type { Store } from './store.ts';

export function floodBanner(store: Store): { el: HTMLElement; update(): void } {
  const el = h('div', { class: 'banner banner--flood', role: 'alert', 'data-testid': 'flood-banner', hidden: true });

  const groups = (counts: Record<string, number>, name: (key: string) => string, testId: string): HTMLElement =>
    h(
      'ul',
      { class: 'flood-groups', 'data-testid': testId },
      Object.entries(counts)
        .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
        .map(([key, n]) => h('li', {}, tr('lifecycle.flood.item', { name: name(key), count: n }))),
    );

  function update(): void {
    const s = store.summary;
    el.hidden = !s?.flood;
    if (!s?.flood) return;
    const room = (id: string) => loc(store.index.rooms.get(id)?.name) || id || '—';
    const cause = (c: string) => (isCondition(c) ? conditionText(c) : c || '—');
    replaceChildren(
      el,
      h('div', { class: 'flood-title', 'data-testid': 'flood-title' }, tr('lifecycle.flood.title', { count: s.raisedLast10Min })),
      h('div', { class: 'flood-row' }, h('span', { class: 'flood-label' }, tr('lifecycle.flood.byRoom')), groups(s.byRoom, room, 'flood-by-room')),
      h('div', { class: 'flood-row' }, h('span', { class: 'flood-label' }, tr('lifecycle.flood.byCause')), groups(s.byCondition, cause, 'flood-by-cause')),
    );
  }

  update();
  return { el, update };
}
