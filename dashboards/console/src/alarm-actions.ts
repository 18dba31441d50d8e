// The actions on one alarm row and their dialogs: acknowledge, shelve / unshelve (ISA-18.2 G), reset of a
// latched alarm, the fire-alarm confirmation (A4: send someone to look, then classify), guards sent to a CCTV alarm
// and where its recording is kept (A7), and a fault the shift cannot fix reported upwards (A8). The buttons shown
// follow the gateway's own rules so nobody is offered what would be refused; the gateway checks again anyway.
import type { AlarmView, FireClassification } from '../../../src/contract/api.ts';
import { h } from './dom.ts';
import { tr } from './lang.ts';
import { alarmWhat } from './alarm-text.ts';
import { openAckDialog } from './ack-dialog.ts';
import { choiceField, openConfirmDialog, openFormDialog, textField, type ActionOutcome } from './form-dialog.ts';
import { request, type LiveSocket } from './socket.ts';
import { UNACKED, type Store } from './store.ts';

/** Shelve durations offered, up to the site's limit for the alarm's priority (alarms.maxShelveMinutes). */
const SHELVE_MINUTES = [15, 30, 60, 120] as const;
const REASON_MAX = 500; // ShelveRequest.reason, DeviceTagRequest.reason
const NOTE_MAX = 1000; // ClassifyRequest.note
const TO_MAX = 100; // DispatchRequest.to
const EVIDENCE_MAX = 500; // KeepEvidenceRequest.reference

export const isFireAlarm = (alarm: AlarmView): boolean => alarm.rule === 'A4';
const isCctvAlarm = (alarm: AlarmView): boolean => alarm.rule === 'A7';
/** A7: guards are sent to what a camera saw, like someone to a fire alarm (A4). */
const isDispatchable = (alarm: AlarmView): boolean => isFireAlarm(alarm) || isCctvAlarm(alarm);
/** A8: an acknowledged fault that is still there can be reported upwards, once. */
const canReportUp = (alarm: AlarmView): boolean => (alarm.state === 'ack_active' || alarm.state === 'latched_ack') && alarm.reportedUp === null;

const required = (value: () => string, text: string) => () => (value() ? null : text);

export function alarmActions(store: Store, socket: LiveSocket, alarm: AlarmView): HTMLElement {
  const button = (action: string, label: string, tone: string, onclick: () => void): HTMLElement =>
    h('button', { type: 'button', class: `btn btn--${tone}`, 'data-testid': `${action}-button-${alarm.id}`, onclick }, label);
  const fire = isFireAlarm(alarm);
  const buttons: HTMLElement[] = [];
  if (UNACKED.has(alarm.state)) buttons.push(button('ack', tr('alarms.ackButton'), 'ack', () => openAckDialog(store, socket, alarm)));
  if (isDispatchable(alarm)) buttons.push(button('dispatch', tr(fire ? 'lifecycle.button.dispatch' : 'lifecycle.button.dispatchCctv'), 'primary', () => openDispatch(store, socket, alarm)));
  if (fire) buttons.push(button('classify', tr('lifecycle.button.classify'), 'primary', () => openClassify(store, socket, alarm)));
  if (isCctvAlarm(alarm) && store.can('alarm.keepEvidence')) buttons.push(button('evidence', tr('lifecycle.button.keepEvidence'), 'plain', () => openKeepEvidence(store, socket, alarm)));
  // A2: skipping levels is for the duty staff and shift leads, in an emergency, with a report afterwards.
  if (alarm.state !== 'normal' && store.can('alarm.escalate')) buttons.push(button('escalate', tr('lifecycle.button.escalate'), 'danger', () => openEscalate(store, socket, alarm)));
  if (canReportUp(alarm) && store.can('alarm.reportUp')) buttons.push(button('report-up', tr('lifecycle.button.reportUp'), 'plain', () => openReportUp(store, socket, alarm)));
  if (alarm.state === 'latched_ack' && store.can('alarm.reset')) {
    buttons.push(button('reset', tr('lifecycle.button.reset'), 'danger', () => openReset(store, socket, alarm)));
  }
  // A6: fire alarms are never shelved by one person (isolate the device with a supervisor's approval instead).
  if (alarm.shelved) buttons.push(button('unshelve', tr('lifecycle.button.unshelve'), 'plain', () => openUnshelve(store, socket, alarm)));
  else if (!alarm.latched && !fire) buttons.push(button('shelve', tr('lifecycle.button.shelve'), 'plain', () => openShelve(store, socket, alarm)));
  return h('div', { class: 'row-actions' }, buttons);
}

function openShelve(store: Store, socket: LiveSocket, alarm: AlarmView): void {
  const max = store.site.shelveMaxMinutes[alarm.priority];
  const offered = [...new Set([...SHELVE_MINUTES.filter((n) => n < max), Math.min(max, 120)])];
  const minutes = choiceField(
    'shelve-minutes',
    tr('lifecycle.shelve.minutesLabel'),
    offered.map((n) => ({ value: String(n), text: tr('lifecycle.minutes', { n }) })),
    String(Math.min(30, max)),
  );
  const reason = textField('shelve-reason', tr('lifecycle.reasonLabel'), { max: REASON_MAX, rows: 2, placeholder: tr('lifecycle.shelve.reasonPlaceholder') });
  openFormDialog({
    id: 'shelve',
    title: tr('lifecycle.shelve.title'),
    what: alarmWhat(store, alarm),
    fields: [minutes.el, reason.el],
    confirm: tr('lifecycle.button.shelve'),
    check: required(reason.value, tr('lifecycle.reasonRequired')),
    send: () => request(socket, 'alarm:shelve', { id: alarm.id, minutes: Number(minutes.value() ?? Math.min(30, max)), reason: reason.value() }),
  });
}

function openUnshelve(store: Store, socket: LiveSocket, alarm: AlarmView): void {
  openConfirmDialog({
    id: 'unshelve',
    title: tr('lifecycle.unshelve.title'),
    what: alarmWhat(store, alarm),
    text: tr('lifecycle.unshelve.text'),
    confirm: tr('lifecycle.button.unshelve'),
    send: () => request(socket, 'alarm:unshelve', { id: alarm.id }),
  });
}

function openReset(store: Store, socket: LiveSocket, alarm: AlarmView): void {
  const note = textField('reset-note', tr('lifecycle.reset.noteLabel'), { max: REASON_MAX, rows: 3 });
  openFormDialog({
    id: 'reset',
    title: tr('lifecycle.reset.title'),
    what: alarmWhat(store, alarm),
    fields: [note.el],
    confirm: tr('lifecycle.button.reset'),
    tone: 'danger',
    // A4: a fire alarm is classified before it is reset (the gateway refuses otherwise; say why in words).
    check: () => (isFireAlarm(alarm) && !store.alarms.get(alarm.id)?.onSite?.classification ? tr('lifecycle.reset.classifyFirst') : null),
    send: () => request(socket, 'alarm:reset', { id: alarm.id, note: note.value() }),
  });
}

/** The actions that take one line of text about the alarm: who was sent (A4/A7), where the recording is kept (A7), what the shift could not fix (A8). */
function openTextAction(
  store: Store,
  alarm: AlarmView,
  spec: { id: string; title: string; field: { id: string; label: string; max: number; rows?: number; placeholder?: string }; confirm: string; required: string; send: (text: string) => Promise<ActionOutcome> },
): void {
  const { id, label, ...opts } = spec.field;
  const text = textField(id, label, opts);
  openFormDialog({
    id: spec.id,
    title: spec.title,
    what: alarmWhat(store, alarm),
    fields: [text.el],
    confirm: spec.confirm,
    check: required(text.value, spec.required),
    send: () => spec.send(text.value()),
  });
}

function openDispatch(store: Store, socket: LiveSocket, alarm: AlarmView): void {
  const fire = isFireAlarm(alarm);
  openTextAction(store, alarm, {
    id: 'dispatch',
    title: fire ? tr('lifecycle.dispatch.title') : tr('lifecycle.dispatch.titleCctv'),
    field: { id: 'dispatch-to', label: tr('lifecycle.dispatch.toLabel'), max: TO_MAX, placeholder: tr('lifecycle.dispatch.toPlaceholder') },
    // The button says what the row's button said: guards to a camera's alarm are not sent "to confirm" (A7).
    confirm: tr(fire ? 'lifecycle.button.dispatch' : 'lifecycle.button.dispatchCctv'),
    required: tr('lifecycle.dispatch.toRequired'),
    send: (to) => request(socket, 'alarm:dispatch', { id: alarm.id, to }),
  });
}

/** A7: the recording is saved off the camera's own retention (an export, a locked clip); where it is kept is recorded. */
function openKeepEvidence(store: Store, socket: LiveSocket, alarm: AlarmView): void {
  openTextAction(store, alarm, {
    id: 'evidence',
    title: tr('lifecycle.keepEvidence.title'),
    field: { id: 'evidence-reference', label: tr('lifecycle.keepEvidence.referenceLabel'), max: EVIDENCE_MAX, rows: 2, placeholder: tr('lifecycle.keepEvidence.referencePlaceholder') },
    confirm: tr('lifecycle.button.keepEvidence'),
    required: tr('lifecycle.keepEvidence.referenceRequired'),
    send: (reference) => request(socket, 'alarm:keepEvidence', { id: alarm.id, reference }),
  });
}

const SKIP_TO = ['supervisor', 'manager'] as const;

function openEscalate(store: Store, socket: LiveSocket, alarm: AlarmView): void {
  const role = choiceField('escalate-role', tr('lifecycle.escalate.roleLabel'), SKIP_TO.map((r) => ({ value: r, text: tr(`role.${r}`) })), null);
  const reason = textField('escalate-reason', tr('lifecycle.escalate.reasonLabel'), { max: REASON_MAX, rows: 2 });
  openFormDialog({
    id: 'escalate',
    title: tr('lifecycle.escalate.title'),
    what: alarmWhat(store, alarm),
    fields: [role.el, reason.el, h('p', { class: 'muted', 'data-testid': 'escalate-hint' }, tr('lifecycle.escalate.reportHint'))],
    confirm: tr('lifecycle.button.escalate'),
    tone: 'danger',
    check: () => (role.value() === null ? tr('lifecycle.escalate.roleRequired') : reason.value() ? null : tr('lifecycle.escalate.reasonRequired')),
    send: () => request(socket, 'alarm:escalate', { id: alarm.id, role: role.value() as (typeof SKIP_TO)[number], reason: reason.value() }),
  });
}

function openReportUp(store: Store, socket: LiveSocket, alarm: AlarmView): void {
  openTextAction(store, alarm, {
    id: 'report-up',
    title: tr('lifecycle.reportUp.title'),
    field: { id: 'report-up-note', label: tr('lifecycle.reportUp.noteLabel'), max: NOTE_MAX, rows: 3 },
    confirm: tr('lifecycle.button.reportUp'),
    required: tr('lifecycle.reportUp.noteRequired'),
    send: (note) => request(socket, 'alarm:reportUp', { id: alarm.id, note }),
  });
}

const CLASSIFICATIONS: readonly FireClassification[] = ['confirmed', 'false_alarm', 'device_fault', 'test'];

function openClassify(store: Store, socket: LiveSocket, alarm: AlarmView): void {
  const kind = choiceField(
    'classify-kind',
    tr('lifecycle.classify.kindLabel'),
    CLASSIFICATIONS.map((c) => ({ value: c, text: tr(`lifecycle.classification.${c}`) })),
    alarm.onSite?.classification ?? null,
  );
  const note = textField('classify-note', tr('lifecycle.classify.noteLabel'), { max: NOTE_MAX, rows: 3 });
  openFormDialog({
    id: 'classify',
    title: tr('lifecycle.classify.title'),
    what: alarmWhat(store, alarm),
    fields: [kind.el, note.el],
    confirm: tr('lifecycle.button.classify'),
    check: () => (kind.value() === null ? tr('lifecycle.classify.kindRequired') : note.value() ? null : tr('lifecycle.noteRequired')),
    send: (): Promise<ActionOutcome> => request(socket, 'alarm:classify', { id: alarm.id, classification: kind.value()!, note: note.value() }),
  });
}
