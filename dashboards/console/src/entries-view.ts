// The machine-room entry register (R3): outsiders with approver and escort, in and out times; those still
// inside first.
import { personName } from './entry-text.ts';
import type { RoomEntryView, RosterView } from '../../../src/contract/api.ts';
import { routes } from '../../../src/contract/routes.ts';
import { can } from '../../../src/auth/permissions.ts';
import { call } from './api.ts';
import { h, replaceChildren } from './dom.ts';
import { statusLine } from './status-line.ts';
import { errorText } from './errors.ts';
import { formatDateTime, siteDate } from './format.ts';
import { now } from './clock.ts';
import { loc, tr } from './lang.ts';
import type { Store } from './store.ts';

export function entriesView(store: Store): { el: HTMLElement } {
  const list = h('ul', { class: 'duty-log', 'data-testid': 'entries-list' });
  const { el: message, say } = statusLine('entries-message');
  const roomName = (id: string) => loc(store.site.rooms.find((r) => r.id === id)?.name ?? { en: id, 'zh-CN': id });
  const room = h('select', { 'data-testid': 'entry-room', 'aria-label': tr('entries.room') }, store.site.rooms.map((r) => h('option', { value: r.id }, loc(r.name))));
  const text = (id: string, label: string) => h('input', { type: 'text', 'data-testid': `entry-${id}`, placeholder: label, 'aria-label': label, maxlength: id === 'purpose' ? 500 : 100 });
  const visitor = text('visitor', tr('entries.visitor'));
  const organisation = text('organisation', tr('entries.organisation'));
  const purpose = text('purpose', tr('entries.purpose'));
  const approver = h('select', { 'data-testid': 'entry-approver', 'aria-label': tr('entries.approvedBy') });
  const escort = h('select', { 'data-testid': 'entry-escort', 'aria-label': tr('entries.escort') });
  // R3: the approving supervisor types their own password here to confirm.
  const approverPassword = h('input', { type: 'password', autocomplete: 'off', 'data-testid': 'entry-approver-password', placeholder: tr('entries.approverPassword'), 'aria-label': tr('entries.approverPassword') });
  const submit = h('button', { type: 'submit', class: 'btn btn--primary', 'data-testid': 'entry-submit' }, tr('entries.enter'));
  const form = h('form', { class: 'note-form' }, room, visitor, organisation, purpose, h('label', {}, tr('entries.approvedBy'), ' ', approver), approverPassword, h('label', {}, tr('entries.escort'), ' ', escort), submit);

  const act = async (work: () => Promise<unknown>): Promise<void> => {
    try {
      await work();
      say('');
      await load();
    } catch (err) {
      say(errorText(err), true);
    }
  };
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const password = approverPassword.value;
    approverPassword.value = '';
    void act(() => call('POST', routes.roomEntries, { roomId: room.value, visitor: visitor.value, organisation: organisation.value, purpose: purpose.value, approvedBy: approver.value, approverPassword: password, escort: escort.value }));
  });

  async function load(): Promise<void> {
    try {
      const month = siteDate(now()).slice(0, 7);
      const [entries, roster] = await Promise.all([call<RoomEntryView[]>('GET', routes.roomEntries), call<RosterView>('GET', routes.roster(month))]);
      if (approver.options.length === 0) {
        // No approver is chosen for the duty officer (R3): they name the one who actually approved.
        replaceChildren(approver, h('option', { value: '' }, tr('entries.chooseApprover')), roster.people.filter((p) => can('roomEntry.approve', p.role)).map((p) => h('option', { value: p.username }, p.displayName)));
        replaceChildren(escort, roster.people.map((p) => h('option', { value: p.username, selected: p.username === store.user.username }, p.displayName)));
      }
      replaceChildren(
        list,
        entries.map((e) => {
          const leave = h('button', { type: 'button', class: 'btn btn--small', 'data-testid': `entry-exit-${e.id}` }, tr('entries.exit'));
          leave.addEventListener('click', () => void act(() => call('POST', routes.roomEntryExit(e.id))));
          const line = tr('entries.line', { visitor: e.visitor, organisation: e.organisation || '—', room: roomName(e.roomId), purpose: e.purpose, approver: personName(e.approvedBy), escort: personName(e.escort), in: formatDateTime(e.inAt), out: e.outAt ? formatDateTime(e.outAt) : tr('entries.inside') });
          return h('li', { 'data-testid': `entry-${e.id}`, 'data-inside': String(e.outAt === null) }, line, e.outAt === null ? leave : null);
        }),
      );
    } catch (err) {
      say(errorText(err), true);
    }
  }

  const el = h('section', { class: 'panel', 'data-testid': 'entries-view' }, h('h2', { class: 'panel-title' }, tr('entries.title')), message, form, list);
  void load();
  return { el };
}
