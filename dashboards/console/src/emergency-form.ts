// L3: the emergency handling form of a major event (紧急情况处理登记表): time, place, what happened, actions,
// people, result, written from the major event's entry; photos of the scene attach to it like to any entry; the
// form prints on its own sheet.
import type { AttachmentView, DutyLogEntryView, EmergencyFormRequest } from '../../../src/contract/api.ts';
import { routes } from '../../../src/contract/routes.ts';
import { ApiError, call } from './api.ts';
import { h } from './dom.ts';
import { formatDateTime, parseSiteDateTime, siteDateTimeValue } from './format.ts';
import { loc, tr } from './lang.ts';
import { openFormDialog, textField, type ActionOutcome } from './form-dialog.ts';
import type { Store } from './store.ts';

const FIELDS = ['situation', 'actions', 'people', 'result'] as const;

/** The form, prefilled from the major event's entry (its time, room and account). */
export function openEmergencyForm(store: Store, note: DutyLogEntryView, onSaved: () => void): void {
  const p = note.params;
  const time = h('input', { type: 'datetime-local', id: 'emergency-time', 'data-testid': 'emergency-time' });
  const occurred = typeof p['occurredAt'] === 'number' ? p['occurredAt'] : note.ts;
  time.value = siteDateTimeValue(occurred);
  const place = textField('emergency-place', tr('emergency.place'), { max: 200 });
  place.input.value = note.roomId ? loc(store.index.rooms.get(note.roomId)?.name) || note.roomId : '';
  const fields = Object.fromEntries(FIELDS.map((f) => [f, textField(`emergency-${f}`, tr(`emergency.${f}`), { max: f === 'people' ? 1000 : 4000, rows: 3 })])) as Record<(typeof FIELDS)[number], ReturnType<typeof textField>>;
  fields.situation.input.value = typeof p['situation'] === 'string' ? p['situation'] : '';
  fields.actions.input.value = typeof p['handling'] === 'string' ? p['handling'] : '';
  openFormDialog({
    id: 'emergency',
    title: tr('emergency.title'),
    what: String(p['situation'] ?? ''),
    fields: [h('div', { class: 'field' }, h('label', { for: 'emergency-time' }, tr('emergency.time')), time), place.el, ...FIELDS.map((f) => fields[f].el)],
    confirm: tr('emergency.save'),
    check: () => (parseSiteDateTime(time.value) === null ? tr('journal.badTime') : [place, ...FIELDS.map((f) => fields[f])].every((f) => f.value()) ? null : tr('emergency.required')),
    send: async (): Promise<ActionOutcome> => {
      const body: EmergencyFormRequest = { relatesTo: note.id, occurredAt: parseSiteDateTime(time.value)!, place: place.value(), situation: fields.situation.value(), actions: fields.actions.value(), people: fields.people.value(), result: fields.result.value() };
      try {
        await call('POST', routes.emergencyForms, body);
        onSaved();
        return { ok: true };
      } catch (err) {
        return { ok: false, error: { code: err instanceof ApiError ? err.code : 'RW_INTERNAL' } };
      }
    },
  });
}

/** The filled form on a sheet of its own, with the photos of the scene, ready to print. */
export function openFormSheet(entry: DutyLogEntryView, files: readonly AttachmentView[]): void {
  const p = entry.params;
  const row = (label: string, value: unknown) => h('tr', {}, h('th', {}, label), h('td', {}, String(value ?? '—')));
  const close = h('button', { type: 'button', class: 'btn no-print', 'data-testid': 'form-sheet-close' }, tr('ack.cancel'));
  const print = h('button', { type: 'button', class: 'btn btn--primary no-print', 'data-testid': 'form-sheet-print' }, tr('emergency.print'));
  const sheet = h(
    'dialog',
    { class: 'form-sheet', 'data-testid': 'form-sheet' },
    h('h2', {}, tr('emergency.title')),
    h(
      'table',
      { class: 'form-table' },
      row(tr('emergency.time'), p['occurredAtText']),
      row(tr('emergency.place'), p['place']),
      ...FIELDS.map((f) => row(tr(`emergency.${f}`), p[f])),
    ),
    h('h3', {}, tr('emergency.photos')),
    files.length
      ? h('div', { class: 'form-photos' }, files.map((a) => (a.contentType.startsWith('image/') ? h('img', { src: routes.attachment(a.id), alt: a.fileName, 'data-testid': 'form-photo' }) : h('a', { href: routes.attachment(a.id) }, a.fileName))))
      : h('p', { class: 'muted' }, tr('handover.none')),
    h('p', { 'data-testid': 'form-sheet-by' }, tr('emergency.filledBy', { user: String(p['user'] ?? entry.username ?? ''), time: formatDateTime(entry.ts) })),
    h('div', { class: 'dialog-buttons no-print' }, close, print),
  );
  close.addEventListener('click', () => sheet.remove());
  print.addEventListener('click', () => window.print());
  document.body.append(sheet);
  sheet.showModal();
}
