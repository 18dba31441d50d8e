// The alarm list: every alarm that is not normal, the unacknowledged ones first and blinking, with who
// acknowledged it, when, and the note (A1 answer fast; A5 nothing lost). Alarms that are shelved, suppressed
// by design or out of service (ISA-18.2 G/H/I) are listed apart, collapsed, under "Not annunciated": still
// visible with who/why/until, but they never sound or flash.
import type { AlarmView, Role } from '../../../src/contract/api.ts';
import { h, replaceChildren, setText } from './dom.ts';
import { tr } from './lang.ts';
import { now } from './clock.ts';
import { alarmRow, countdownText } from './alarm-row.ts';
import type { LiveSocket } from './socket.ts';
import type { Store } from './store.ts';

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
  const el = h(
    'section',
    { class: 'panel alarms', 'aria-labelledby': 'alarms-title', 'data-testid': 'alarms-panel' },
    h('h2', { id: 'alarms-title', class: 'panel-title' }, tr('alarms.title'), count),
    empty,
    live.table,
    quietSection,
  );

  function update(): void {
    const annunciated: AlarmView[] = [];
    const notAnnunciated: AlarmView[] = [];
    for (const alarm of store.alarmList()) (store.annunciationOf(alarm) === 'annunciated' ? annunciated : notAnnunciated).push(alarm);
    const unacked = store.unackedCount();
    setText(count, unacked ? tr('alarms.countUnack', { count: unacked }) : '');
    count.hidden = unacked === 0;
    empty.hidden = annunciated.length > 0;
    live.table.hidden = annunciated.length === 0;
    quietSection.hidden = notAnnunciated.length === 0;
    setText(quietTitle, tr('lifecycle.notAnnunciated', { count: notAnnunciated.length }));
    replaceChildren(live.body, annunciated.map((a) => alarmRow(store, socket, a)));
    replaceChildren(quiet.body, notAnnunciated.map((a) => alarmRow(store, socket, a)));
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
