// Acknowledge an alarm with a note (L1: what happened and how it was handled goes into the duty log).
// Sent over the socket (`alarm:ack`); the gateway's error code is shown translated.
import type { AlarmView } from '../../../src/contract/api.ts';
import { h } from './dom.ts';
import { withUnit } from './format.ts';
import { tr } from './lang.ts';
import { conditionText, placeNames } from './alarm-text.ts';
import { codeText } from './errors.ts';
import { ackAlarm, type LiveSocket } from './socket.ts';
import { UNACKED, type Store } from './store.ts';

const NOTE_MAX = 500; // AckRequest.note maxLength in the contract

export function openAckDialog(store: Store, socket: LiveSocket, alarm: AlarmView): void {
  const names = placeNames(store, alarm);
  const note = h('textarea', {
    id: 'ack-note',
    rows: 3,
    maxlength: NOTE_MAX,
    placeholder: tr('ack.notePlaceholder'),
    'data-testid': 'ack-note',
  });
  const error = h('p', { class: 'form-error', role: 'alert', hidden: true, 'data-testid': 'ack-error' });
  const confirm = h('button', { type: 'submit', class: 'btn btn--ack', 'data-testid': 'ack-confirm' }, tr('ack.confirm'));
  const cancel = h('button', { type: 'button', class: 'btn', 'data-testid': 'ack-cancel' }, tr('ack.cancel'));
  const form = h(
    'form',
    { class: 'ack-form' },
    h('h2', {}, tr('ack.title')),
    h(
      'p',
      { class: 'ack-what' },
      tr('ack.what', {
        room: names.room ?? alarm.roomId,
        device: names.device ?? alarm.deviceId,
        point: names.point ?? alarm.pointKey,
        condition: conditionText(alarm.condition),
        value: withUnit(alarm.value, alarm.unit),
        limit: withUnit(alarm.limit, alarm.unit),
      }),
    ),
    h('label', { for: 'ack-note' }, tr('ack.noteLabel')),
    note,
    error,
    h('div', { class: 'dialog-buttons' }, cancel, confirm),
  );
  const dialog = h('dialog', { class: 'ack-dialog', 'data-testid': 'ack-dialog' }, form);

  const close = () => {
    dialog.close();
    dialog.remove();
  };
  cancel.addEventListener('click', close);
  dialog.addEventListener('cancel', () => dialog.remove());
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    confirm.disabled = true;
    confirm.textContent = tr('ack.sending');
    error.hidden = true;
    void ackAlarm(socket, alarm.id, note.value.trim()).then((result) => {
      if (result.ok) {
        // The gateway also broadcasts the transition; apply the reply only if that has not arrived yet, so an
        // older state never overwrites a newer one.
        const current = store.alarms.get(alarm.id);
        if (current && UNACKED.has(current.state)) store.receive({ type: 'alarm', alarm: result.alarm });
        close();
        return;
      }
      error.textContent = codeText(result.error.code);
      error.hidden = false;
      confirm.disabled = false;
      confirm.textContent = tr('ack.confirm');
      note.focus();
    });
  });

  document.body.append(dialog);
  dialog.showModal();
  note.focus();
}
