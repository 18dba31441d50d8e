// Acknowledge an alarm with a note (L1: what happened and how it was handled goes into the duty log).
// Sent over the socket (`alarm:ack`); the gateway's error code is shown translated.
import type { AlarmView } from '../../../src/contract/api.ts';
import { tr } from './lang.ts';
import { alarmWhat } from './alarm-text.ts';
import { openFormDialog, textField } from './form-dialog.ts';
import { ackAlarm, type LiveSocket } from './socket.ts';
import { UNACKED, type Store } from './store.ts';

const NOTE_MAX = 500; // AckRequest.note maxLength in the contract

export function openAckDialog(store: Store, socket: LiveSocket, alarm: AlarmView): void {
  const note = textField('ack-note', tr('ack.noteLabel'), { max: NOTE_MAX, rows: 3, placeholder: tr('ack.notePlaceholder') });
  openFormDialog({
    id: 'ack',
    title: tr('ack.title'),
    what: alarmWhat(store, alarm),
    fields: [note.el],
    confirm: tr('ack.confirm'),
    tone: 'ack',
    send: async () => {
      const result = await ackAlarm(socket, alarm.id, note.value());
      // The gateway also broadcasts the transition; apply the reply only if that has not arrived yet, so an
      // older state never overwrites a newer one.
      const current = store.alarms.get(alarm.id);
      if (result.ok && current && UNACKED.has(current.state)) store.receive({ type: 'alarm', alarm: result.alarm });
      return result;
    },
  });
}
