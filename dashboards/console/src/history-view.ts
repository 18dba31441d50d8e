// Alarm history (issue 15): every alarm raised, from the duty log (the journal of record, L1), searched by
// time range, room, device, priority and text, newest first, a page at a time. Each row says what happened
// to the alarm last (acknowledged with a note, shelved, reset …), through the one renderer of entries.
import type { DutyLogEntryView, Priority } from '../../../src/contract/api.ts';
import { routes } from '../../../src/contract/routes.ts';
import { call } from './api.ts';
import { isPriority, priorityText } from './alarm-text.ts';
import { now } from './clock.ts';
import { h, replaceChildren } from './dom.ts';
import { entryText } from './entry-text.ts';
import { errorText } from './errors.ts';
import { formatDateTime, parseSiteDateTime, siteDate } from './format.ts';
import { loc, tr } from './lang.ts';
import type { Store } from './store.ts';

const PAGE_SIZE = 20;
const BATCH = 1000;
/** At most this many duty-log entries are read per search (50 000); the page says when the range goes further. */
const MAX_BATCHES = 50;

interface Found {
  raised: DutyLogEntryView;
  last: DutyLogEntryView | null;
}

export function historyView(store: Store): { el: HTMLElement } {
  const today = siteDate(now());
  const from = h('input', { type: 'datetime-local', value: `${today}T00:00`, 'data-testid': 'history-from', 'aria-label': tr('history.from') });
  const to = h('input', { type: 'datetime-local', value: '', 'data-testid': 'history-to', 'aria-label': tr('history.to') });
  const any = (label: string) => h('option', { value: '' }, label);
  const room = h('select', { 'data-testid': 'history-room', 'aria-label': tr('entries.room') }, any(tr('history.anyRoom')), store.site.rooms.map((r) => h('option', { value: r.id }, loc(r.name))));
  const device = h('select', { 'data-testid': 'history-device', 'aria-label': tr('report.device') }, any(tr('history.anyDevice')), store.site.devices.map((d) => h('option', { value: d.id }, loc(d.name))));
  const priority = h('select', { 'data-testid': 'history-priority', 'aria-label': tr('alarms.col.priority') }, any(tr('history.anyPriority')), (['critical', 'high', 'medium', 'low'] as Priority[]).map((p) => h('option', { value: p }, priorityText(p))));
  const text = h('input', { type: 'search', placeholder: tr('history.text'), 'data-testid': 'history-text', 'aria-label': tr('history.text') });
  const search = h('button', { type: 'submit', class: 'btn btn--primary', 'data-testid': 'history-search' }, tr('history.search'));
  const status = h('p', { class: 'muted', 'data-testid': 'history-status', role: 'status' });
  const rows = h('tbody', {});
  const prev = h('button', { type: 'button', class: 'btn', 'data-testid': 'history-prev' }, tr('history.prev'));
  const next = h('button', { type: 'button', class: 'btn', 'data-testid': 'history-next' }, tr('history.next'));
  let found: Found[] = [];
  let page = 0;

  function show(): void {
    const pages = Math.max(1, Math.ceil(found.length / PAGE_SIZE));
    page = Math.min(page, pages - 1);
    prev.disabled = page === 0;
    next.disabled = page >= pages - 1;
    status.textContent = tr('history.count', { count: found.length, page: page + 1, pages });
    replaceChildren(
      rows,
      found.slice(page * PAGE_SIZE, (page + 1) * PAGE_SIZE).map((f) =>
        h(
          'tr',
          { 'data-testid': `history-row-${f.raised.alarmId ?? f.raised.id}`, 'data-priority': String(f.raised.params['priority'] ?? '') },
          h('td', { class: 'time' }, formatDateTime(f.raised.ts)),
          h('td', {}, isPriority(f.raised.params['priority']) ? h('span', { class: `badge badge--${f.raised.params['priority']}` }, priorityText(f.raised.params['priority'])) : '—'),
          h('td', {}, entryText(store, f.raised)),
          h('td', {}, f.last ? `${formatDateTime(f.last.ts)} ${entryText(store, f.last)}` : tr('history.noFollowUp')),
        ),
      ),
    );
  }

  async function run(): Promise<void> {
    const start = parseSiteDateTime(from.value) ?? 0;
    const end = parseSiteDateTime(to.value) ?? Number.POSITIVE_INFINITY;
    const needle = text.value.trim().toLowerCase();
    search.disabled = true;
    status.textContent = tr('history.searching');
    try {
      const raised: DutyLogEntryView[] = [];
      const lastOf = new Map<number, DutyLogEntryView>();
      let beforeId: number | null = null;
      let truncated = true;
      for (let i = 0; i < MAX_BATCHES; i++) {
        const batch: DutyLogEntryView[] = await call<DutyLogEntryView[]>('GET', `${routes.dutyLog}?limit=${BATCH}${beforeId ? `&beforeId=${beforeId}` : ''}`);
        for (const e of batch) {
          if (e.alarmId === null || !e.kind.startsWith('alarm.') || e.ts < start || e.ts > end) continue;
          if (e.kind === 'alarm.raised') raised.push(e);
          else if (!lastOf.has(e.alarmId)) lastOf.set(e.alarmId, e); // newest first: the first seen is the last
        }
        const oldest = batch.at(-1);
        if (!oldest || batch.length < BATCH || oldest.ts < start) {
          truncated = false;
          break;
        }
        beforeId = oldest.id;
      }
      found = raised
        .filter((e) => (!room.value || e.roomId === room.value) && (!device.value || e.deviceId === device.value) && (!priority.value || e.params['priority'] === priority.value))
        .map((e) => ({ raised: e, last: lastOf.get(e.alarmId!) ?? null }))
        .filter((f) => !needle || `${entryText(store, f.raised)} ${f.last ? entryText(store, f.last) : ''}`.toLowerCase().includes(needle));
      page = 0;
      show();
      if (truncated) status.textContent += ` ${tr('history.truncated')}`;
    } catch (err) {
      status.textContent = errorText(err);
    } finally {
      search.disabled = false;
    }
  }

  prev.addEventListener('click', () => {
    page--;
    show();
  });
  next.addEventListener('click', () => {
    page++;
    show();
  });
  const form = h('form', { class: 'roster-toolbar history-form', 'data-testid': 'history-form' }, from, to, room, device, priority, text, search);
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    void run();
  });
  const el = h(
    'section',
    { class: 'panel', 'data-testid': 'history-view' },
    h('h2', { class: 'panel-title' }, tr('history.title')),
    form,
    status,
    h('div', { class: 'scroll-x' }, h('table', { class: 'roster-table history-table', 'data-testid': 'history-table' }, h('thead', {}, h('tr', {}, [tr('alarms.col.raised'), tr('alarms.col.priority'), tr('history.what'), tr('history.last')].map((c) => h('th', {}, c)))), rows)),
    h('div', { class: 'roster-toolbar' }, prev, next),
  );
  void run();
  return { el };
}
