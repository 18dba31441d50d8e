// One row of the alarm list: where, what (a discrete alarm's own message and what to do), state with its
// label (latched E/F included), why it is not annunciated (shelve or tag, with who, why and until), the
// escalation reached and the countdown to the next level (A1/A2), the fire response (A4), and the actions.
import type { AlarmView, Role } from '../../../src/contract/api.ts';
import { escalationRoles } from '../../../src/alarms/escalation.ts';
import { h } from './dom.ts';
import { formatDateTime } from './format.ts';
import { loc, tr } from './lang.ts';
import { alarmReading, conditionText, isDeviceLevel, placeNames, priorityText, severity } from './alarm-text.ts';
import { alarmActions } from './alarm-actions.ts';
import { namesText, personName } from './entry-text.ts';
import type { LiveSocket } from './socket.ts';
import type { Store } from './store.ts';

export function alarmRow(store: Store, socket: LiveSocket, alarm: AlarmView): HTMLElement {
  const names = placeNames(store, alarm);
  const annunciation = store.annunciationOf(alarm);
  const sounding = store.sounds(alarm);
  const chattering = store.summary?.chattering.includes(`${alarm.pointKey}:${alarm.condition}`) ?? false;
  const acker = store.ackerName(alarm);
  return h(
    'tr',
    {
      // Only annunciated, unacknowledged alarms flash; the others never do (ISA-18.2 G/H/I).
      class: `alarm-row${sounding ? ' blink' : ''}`,
      // Reachable by Tab; the list's keys act on the focused row (alarms-view.ts).
      tabindex: 0,
      'data-testid': `alarm-row-${alarm.id}`,
      'data-state': alarm.state,
      'data-severity': severity(alarm),
      'data-priority': alarm.priority,
      'data-condition': alarm.condition,
      'data-point': alarm.pointKey,
      'data-annunciation': annunciation,
    },
    h('td', {}, h('span', { class: `badge badge--${alarm.priority}`, 'data-testid': 'alarm-priority' }, priorityText(alarm.priority))),
    h(
      'td',
      { class: 'where' },
      // The room opens its detail on the board (and its "back" returns here).
      h('a', { href: `#room-${alarm.roomId}`, class: 'room-link', 'data-room': alarm.roomId, 'data-testid': 'alarm-room-link' }, h('strong', {}, names.room ?? alarm.roomId)),
      h('span', { class: 'muted' }, ' · '),
      isDeviceLevel(alarm)
        ? h('strong', { 'data-testid': 'alarm-device' }, names.device ?? alarm.deviceId)
        : [h('span', { class: 'muted' }, `${names.device ?? alarm.deviceId} · `), h('strong', {}, names.point ?? alarm.pointKey)],
    ),
    h(
      'td',
      { class: 'cond' },
      h('span', { 'data-testid': 'alarm-condition' }, conditionText(alarm.condition)),
      chattering ? h('span', { class: 'badge badge--chatter', 'data-testid': 'alarm-chattering' }, tr('lifecycle.chattering')) : null,
    ),
    h(
      'td',
      { class: alarm.message || isDeviceLevel(alarm) ? 'message' : 'num' },
      h('div', { 'data-testid': 'alarm-value' }, alarmReading(alarm)),
      alarm.response ? h('div', { class: 'response', 'data-testid': 'alarm-response' }, tr('lifecycle.response', { text: loc(alarm.response) })) : null,
    ),
    h('td', { 'data-testid': 'alarm-rule' }, alarm.rule ?? tr('alarms.noRule')),
    h(
      'td',
      { class: 'state-cell' },
      h('span', { class: `state state--${alarm.state}`, 'data-testid': 'alarm-state' }, tr(`alarm.state.${alarm.state}`)),
      annunciationInfo(store, alarm, annunciation),
      escalationInfo(alarm, sounding),
    ),
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
      onSiteInfo(alarm),
      alarm.evidence ? h('div', { class: 'evidence', 'data-testid': 'alarm-evidence' }, tr('lifecycle.evidence', { evidence: alarm.evidence })) : null,
      alarm.reportedUp
        ? h('div', { class: 'reported-up', 'data-testid': 'alarm-reported-up' }, tr('lifecycle.reportedUp', { user: alarm.reportedUp.byName, time: formatDateTime(alarm.reportedUp.at), targets: namesText(alarm.reportedUp.targets), note: alarm.reportedUp.note }))
        : null,
    ),
    h('td', {}, alarmActions(store, socket, alarm)),
  );
}

/** Why the alarm does not sound: the shelve (who, until, why) or the device's tag (kind, who, why, planned end). */
function annunciationInfo(store: Store, alarm: AlarmView, annunciation: AlarmView['annunciation']): HTMLElement | null {
  if (annunciation === 'annunciated') return null;
  const lines: string[] = [];
  const tag = store.tags.get(alarm.deviceId);
  if (annunciation === 'shelved' && alarm.shelved) {
    lines.push(tr('lifecycle.shelvedBy', { user: personName(alarm.shelved.by), until: formatDateTime(alarm.shelved.until) }));
    lines.push(tr('lifecycle.reason', { reason: alarm.shelved.reason }));
  } else if (annunciation === 'out_of_service' && tag) {
    lines.push(tr('lifecycle.taggedBy', { kind: tr(`lifecycle.tagKind.${tag.kind}`), user: personName(tag.taggedBy) }));
    lines.push(tr('lifecycle.reason', { reason: tag.reason }));
    lines.push(tag.plannedEnd === null ? tr('lifecycle.tag.noPlannedEnd') : tr('lifecycle.tag.plannedEnd', { time: formatDateTime(tag.plannedEnd) }));
  } else if (annunciation === 'suppressed') {
    lines.push(tr('lifecycle.suppressedHint'));
  }
  return h(
    'div',
    { class: `annunciation annunciation--${annunciation}`, 'data-testid': 'alarm-annunciation' },
    h('strong', {}, tr(`alarm.annunciation.${annunciation}`)),
    lines.map((line) => h('div', {}, line)),
  );
}

/** A2: the level reached ("escalated to the supervisor") and, while unacknowledged, the time left to the next. */
function escalationInfo(alarm: AlarmView, sounding: boolean): HTMLElement[] {
  const out: HTMLElement[] = [];
  const reached = escalationRoles[alarm.escalationLevel - 1];
  if (reached) out.push(h('div', { class: 'escalated', 'data-testid': 'alarm-escalation' }, tr('lifecycle.escalated', { role: tr(`role.${reached}`) })));
  const next = escalationRoles[alarm.escalationLevel];
  if (sounding && next && alarm.nextEscalationAt !== null) {
    out.push(
      h('div', {
        class: 'countdown',
        'data-testid': 'alarm-countdown',
        'data-escalates-at': alarm.nextEscalationAt,
        'data-role': next,
      }),
    );
  }
  return out;
}

/** The countdown's text at `now` (site clock): "To the shift lead in 0:42". */
export function countdownText(at: number, role: Role, now: number): string {
  const who = tr(`role.${role}`);
  const left = Math.ceil((at - now) / 1000);
  if (left <= 0) return tr('lifecycle.escalatingNow', { role: who });
  const time = `${Math.floor(left / 60)}:${String(left % 60).padStart(2, '0')}`;
  return tr('lifecycle.nextEscalation', { role: who, time });
}

/** Who was sent on site and what they found: to confirm a fire (A4), or guards to what a camera saw (A7). */
function onSiteInfo(alarm: AlarmView): HTMLElement | null {
  const f = alarm.onSite;
  if (!f) return null;
  return h(
    'div',
    { class: 'on-site-info', 'data-testid': 'alarm-on-site' },
    f.dispatchedTo && f.dispatchedAt !== null
      ? h('div', {}, tr(alarm.rule === 'A7' ? 'lifecycle.dispatchedCctv' : 'lifecycle.dispatched', { to: f.dispatchedTo, user: f.dispatchedBy ? personName(f.dispatchedBy) : '—', time: formatDateTime(f.dispatchedAt) }))
      : null,
    f.classification && f.classifiedAt !== null
      ? h(
          'div',
          { class: `classified classified--${f.classification}` },
          tr('lifecycle.classified', {
            classification: tr(`lifecycle.classification.${f.classification}`),
            user: f.classifiedBy ? personName(f.classifiedBy) : '—',
            time: formatDateTime(f.classifiedAt),
            note: f.note ?? '—',
          }),
        )
      : null,
  );
}
