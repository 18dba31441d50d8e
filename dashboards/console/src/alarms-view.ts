// The alarm list: every alarm that is not normal, the unacknowledged ones first and blinking, with who
// acknowledged it, when, and the note (A1 answer fast; A5 nothing lost).
import type { AlarmView } from '../../../src/contract/api.ts';
import { h, replaceChildren, setText } from './dom.ts';
import { formatDateTime, withUnit } from './format.ts';
import { tr } from './lang.ts';
import { conditionText, placeNames, priorityText, severity } from './alarm-text.ts';
import { UNACKED, type Store } from './store.ts';

export interface AlarmsView {
  el: HTMLElement;
  update(): void;
}

export function alarmsView(store: Store, onAck: (alarm: AlarmView) => void): AlarmsView {
  const count = h('span', { class: 'panel-count', 'data-testid': 'alarm-unack-count' });
  const body = h('tbody', { 'data-testid': 'alarm-list' });
  const empty = h('p', { class: 'muted alarms-empty', 'data-testid': 'alarm-empty' }, tr('alarms.empty'));
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
        h('th', { class: 'num' }, tr('alarms.col.value')),
        h('th', {}, tr('alarms.col.rule')),
        h('th', {}, tr('alarms.col.state')),
        h('th', {}, tr('alarms.col.raised')),
        h('th', {}, tr('alarms.col.ack')),
        h('th', {}, tr('alarms.col.action')),
      ),
    ),
    body,
  );
  const el = h(
    'section',
    { class: 'panel alarms', 'aria-labelledby': 'alarms-title', 'data-testid': 'alarms-panel' },
    h('h2', { id: 'alarms-title', class: 'panel-title' }, tr('alarms.title'), count),
    empty,
    table,
  );

  function row(alarm: AlarmView): HTMLElement {
    const names = placeNames(store, alarm);
    const unacked = UNACKED.has(alarm.state);
    const acker = store.ackerName(alarm);
    return h(
      'tr',
      {
        class: `alarm-row${unacked ? ' blink' : ''}`,
        'data-testid': `alarm-row-${alarm.id}`,
        'data-state': alarm.state,
        'data-severity': severity(alarm),
        'data-priority': alarm.priority,
        'data-condition': alarm.condition,
      },
      h('td', {}, h('span', { class: `badge badge--${alarm.priority}`, 'data-testid': 'alarm-priority' }, priorityText(alarm.priority))),
      h(
        'td',
        { class: 'where' },
        h('strong', {}, names.room ?? alarm.roomId),
        h('span', { class: 'muted' }, ` · ${names.device ?? alarm.deviceId} · `),
        h('strong', {}, names.point ?? alarm.pointKey),
      ),
      h('td', { class: 'cond', 'data-testid': 'alarm-condition' }, conditionText(alarm.condition)),
      h(
        'td',
        { class: 'num', 'data-testid': 'alarm-value' },
        // A communication loss has no value to show: the device does not answer.
        alarm.condition === 'commLoss' ? '—' : tr('alarms.valueLimit', { value: withUnit(alarm.value, alarm.unit), limit: withUnit(alarm.limit, alarm.unit) }),
      ),
      h('td', { 'data-testid': 'alarm-rule' }, alarm.rule ?? tr('alarms.noRule')),
      h('td', {}, h('span', { class: `state state--${alarm.state}`, 'data-testid': 'alarm-state' }, tr(`alarm.state.${alarm.state}`))),
      h('td', { class: 'time' }, formatDateTime(alarm.raisedAt)),
      h(
        'td',
        { class: 'ack-info', 'data-testid': 'alarm-ack-info' },
        acker !== null
          ? [
              h('div', {}, tr('alarms.ackedBy', { user: acker, time: alarm.ackedAt === null ? '—' : formatDateTime(alarm.ackedAt) })),
              alarm.ackNote ? h('div', { class: 'ack-note' }, tr('alarms.ackNote', { note: alarm.ackNote })) : null,
            ]
          : null,
      ),
      h(
        'td',
        {},
        unacked
          ? h(
              'button',
              { type: 'button', class: 'btn btn--ack', 'data-testid': `ack-button-${alarm.id}`, onclick: () => onAck(alarm) },
              tr('alarms.ackButton'),
            )
          : null,
      ),
    );
  }

  function update(): void {
    const list = store.alarmList();
    const unacked = store.unackedCount();
    setText(count, unacked ? tr('alarms.countUnack', { count: unacked }) : '');
    count.hidden = unacked === 0;
    empty.hidden = list.length > 0;
    table.hidden = list.length === 0;
    replaceChildren(body, list.map(row));
  }

  update();
  return { el, update };
}
