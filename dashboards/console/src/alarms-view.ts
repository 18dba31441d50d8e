// The alarm list: every alarm that is not normal, the unacknowledged ones first and blinking, with who
// acknowledged it, when, and the note (A1 answer fast; A5 nothing lost). Alarms that are shelved, suppressed
// by design or out of service (ISA-18.2 G/H/I) are listed apart, collapsed, under "Not annunciated": still
// visible with who/why/until, but they never sound or flash.
import type { AlarmView, Priority, Role } from '../../../src/contract/api.ts';
import { h, keyedChildren, setText } from './dom.ts';
import { loc, tr } from './lang.ts';
import { priorityText } from './alarm-text.ts';
import { now } from './clock.ts';
import { alarmRow, countdownText } from './alarm-row.ts';
import type { LiveSocket } from './socket.ts';
import { UNACKED, type Store } from './store.ts';

export interface AlarmsView {
  el: HTMLElement;
  update(): void;
  /** Once a second: the escalation countdowns (site clock). */
  tick(now: number): void;
}

function alarmTable(testId: string): { table: HTMLElement; body: HTMLElement } {
  const body = h('tbody', { 'data-testid': testId });
  const table = h(
    'table',
    { class: 'alarms-table' },
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        h('th', {}, tr('alarms.col.priority')),
        h('th', {}, tr('alarms.col.where')),
        h('th', {}, tr('alarms.col.condition')),
        h('th', {}, tr('alarms.col.value')),
        h('th', {}, tr('alarms.col.rule')),
        h('th', {}, tr('alarms.col.state')),
        h('th', {}, tr('alarms.col.raised')),
        h('th', {}, tr('alarms.col.ack')),
        h('th', {}, tr('alarms.col.action')),
      ),
    ),
    body,
  );
  return { table, body };
}

const PRIORITIES: readonly Priority[] = ['critical', 'high', 'medium', 'low'];
/** The rule ids the site's alarms and their duty-log lines cite. */
const RULES = ['R1', 'R5', 'A3', 'A4', 'A6', 'A7', 'A8', 'P2'] as const;

export function alarmsView(store: Store, socket: LiveSocket): AlarmsView {
  const count = h('span', { class: 'panel-count', 'data-testid': 'alarm-unack-count' });
  const empty = h('p', { class: 'muted alarms-empty', 'data-testid': 'alarm-empty' }, tr('alarms.empty'));
  const live = alarmTable('alarm-list');
  const quiet = alarmTable('not-annunciated-list');
  const quietTitle = h('summary', { class: 'quiet-title', 'data-testid': 'not-annunciated-summary' });
  const quietSection = h(
    'details',
    { class: 'quiet', 'data-testid': 'not-annunciated' },
    quietTitle,
    h('p', { class: 'muted' }, tr('lifecycle.notAnnunciatedHint')),
    quiet.table,
  );
  // Sort and filter (issue 15): by priority, room and state; newest first or worst first.
  const any = (label: string) => h('option', { value: '' }, label);
  const roomFilter = h('select', { 'data-testid': 'alarm-filter-room', 'aria-label': tr('entries.room') }, any(tr('history.anyRoom')), store.site.rooms.map((r) => h('option', { value: r.id }, loc(r.name))));
  const priorityFilter = h('select', { 'data-testid': 'alarm-filter-priority', 'aria-label': tr('alarms.col.priority') }, any(tr('history.anyPriority')), PRIORITIES.map((p) => h('option', { value: p }, priorityText(p))));
  const stateFilter = h('select', { 'data-testid': 'alarm-filter-state', 'aria-label': tr('alarms.col.state') }, any(tr('alarms.anyState')), h('option', { value: 'unacked' }, tr('alarms.onlyUnacked')));
  const sortBy = h('select', { 'data-testid': 'alarm-sort', 'aria-label': tr('alarms.sort') }, h('option', { value: 'priority' }, tr('alarms.sortPriority')), h('option', { value: 'time' }, tr('alarms.sortTime')));
  for (const control of [roomFilter, priorityFilter, stateFilter, sortBy]) control.addEventListener('change', () => update());
  // What the rule column's ids mean (domain.md), for the rules the site's alarms cite.
  const legend = h('details', { class: 'rule-legend', 'data-testid': 'rule-legend' }, h('summary', {}, tr('alarms.ruleLegend')), h('dl', {}, RULES.flatMap((r) => [h('dt', {}, r), h('dd', {}, tr(`rule.${r}`))])));
  const el = h(
    'section',
    { class: 'panel alarms', 'aria-labelledby': 'alarms-title', 'data-testid': 'alarms-panel' },
    h('h2', { id: 'alarms-title', class: 'panel-title' }, tr('alarms.title'), count),
    h('div', { class: 'roster-toolbar alarm-tools' }, roomFilter, priorityFilter, stateFilter, sortBy),
    empty,
    live.table,
    h('p', { class: 'muted keys-hint', 'data-testid': 'alarm-keys-hint' }, tr('alarms.keysHint')),
    quietSection,
    legend,
  );
  for (const body of [live.body, quiet.body]) body.addEventListener('keydown', (ev) => alarmKeys(ev, body));
  const shown = (a: AlarmView): boolean =>
    (!roomFilter.value || a.roomId === roomFilter.value) && (!priorityFilter.value || a.priority === priorityFilter.value) && (!stateFilter.value || UNACKED.has(a.state));
  const sorted = (list: AlarmView[]): AlarmView[] =>
    sortBy.value === 'time' ? [...list].sort((a, b) => b.raisedAt - a.raisedAt) : list;

  function update(): void {
    const annunciated: AlarmView[] = [];
    const notAnnunciated: AlarmView[] = [];
    for (const alarm of store.alarmList()) if (shown(alarm)) (store.annunciationOf(alarm) === 'annunciated' ? annunciated : notAnnunciated).push(alarm);
    const unacked = store.unackedCount();
    setText(count, unacked ? tr('alarms.countUnack', { count: unacked }) : '');
    count.hidden = unacked === 0;
    empty.hidden = annunciated.length > 0;
    live.table.hidden = annunciated.length === 0;
    quietSection.hidden = notAnnunciated.length === 0;
    setText(quietTitle, tr('lifecycle.notAnnunciated', { count: notAnnunciated.length }));
    // Rows update in place (keyed by alarm id): a focused row stays focused through a flood.
    keyedChildren(live.body, sorted(annunciated), (a) => String(a.id), (a) => alarmRow(store, socket, a));
    keyedChildren(quiet.body, sorted(notAnnunciated), (a) => String(a.id), (a) => alarmRow(store, socket, a));
    tick(now());
  }

  function tick(now: number): void {
    for (const c of live.body.querySelectorAll<HTMLElement>('[data-escalates-at]')) {
      // data-role was written from escalationRoles by alarmRow, so it is a Role.
      setText(c, countdownText(Number(c.dataset['escalatesAt']), c.dataset['role'] as Role, now));
    }
  }

  update();
  return { el, update, tick };
}

/**
 * The alarm list without a mouse (issue 15): ↑/↓ (Home/End) move between rows, Enter or A acknowledges, S
 * shelves or unshelves, O opens the room. The keys act on the focused row through its own buttons, so the
 * keyboard is offered exactly what the mouse is.
 */
function alarmKeys(ev: KeyboardEvent, body: HTMLElement): void {
  if (ev.altKey || ev.ctrlKey || ev.metaKey) return;
  const row = ev.target instanceof HTMLElement && ev.target.matches('tr[data-key]') ? ev.target : null;
  if (!row) return; // keys typed on a button inside the row keep their usual meaning
  const rows = [...body.querySelectorAll<HTMLElement>(':scope > tr[data-key]')];
  const at = rows.indexOf(row);
  const move = { ArrowDown: at + 1, ArrowUp: at - 1, Home: 0, End: rows.length - 1 }[ev.key];
  const click = (selector: string): boolean => {
    const target = row.querySelector<HTMLElement>(selector);
    target?.click();
    return target !== null;
  };
  let done = false;
  if (move !== undefined) {
    const next = rows[Math.max(0, Math.min(rows.length - 1, move))];
    next?.focus();
    done = true;
  } else if (ev.key === 'Enter' || ev.key.toLowerCase() === 'a') done = click('[data-testid^="ack-button-"]');
  else if (ev.key.toLowerCase() === 's') done = click('[data-testid^="shelve-button-"], [data-testid^="unshelve-button-"]');
  else if (ev.key.toLowerCase() === 'o') done = click('[data-testid="alarm-room-link"]');
  if (done) ev.preventDefault();
}
