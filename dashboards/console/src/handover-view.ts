// The handover screen (交接班, S3–S7): what the outgoing shift hands over (open alarms, incidents,
// unfinished follow-ups, equipment changes, superiors' instructions), the item checklist, who of the
// incoming shift is present or unfit, the standing refusals with their reasons; then the outgoing
// signature, and the incoming person's signature with their own password.
import type { DeviceTagView, DutyLogEntryView, HandoverView, Refusal } from '../../../src/contract/api.ts';
import { h, replaceChildren } from './dom.ts';
import { errorText } from './errors.ts';
import { formErrorText } from './field-errors.ts';
import { alarmWhat, placeNames } from './alarm-text.ts';
import { entryText, namesText, personName, pointValue } from './entry-text.ts';
import { formatDateTime, formatDay } from './format.ts';
import { recordNames } from './record-names.ts';
import { loc, tr } from './lang.ts';
import { handoverApi, type Signed } from './handover-api.ts';
import type { Store } from './store.ts';

/** S5: a refusal with its ids in words: checklist items, the point and its state, the role, the kind of change. */
export function refusalText(store: Store, r: Refusal): string {
  const p = r.params;
  const params: Record<string, string | number> = { ...p };
  if (r.code === 'understaffed') params['role'] = tr(`role.${String(p['role']) as 'duty' | 'supervisor' | 'admin'}`);
  if (r.code === 'checklistIncomplete') params['missing'] = String(p['missing']).split(', ').map((id) => { const n = recordNames().checklist.get(id); return n ? loc(n) : '—'; }).join(tr('list.separator'));
  if (r.code === 'equipmentTransition') {
    const point = store.index.points.get(String(p['point']));
    const device = point ? store.index.devices.get(point.deviceId) : undefined;
    params['point'] = point && device ? `${loc(device.name)} · ${loc(point.label)}` : '—';
    const label = point?.values?.[String(p['value'])];
    if (label) params['value'] = loc(label);
  }
  if (r.code === 'equipmentRecent') params['kind'] = p['kind'] === 'equipment.started' || p['kind'] === 'equipment.stopped' ? tr(`handover.equipmentKind.${p['kind']}`) : '—';
  return tr(`handover.refusal.${r.code}`, params);
}


export function handoverView(store: Store): { el: HTMLElement; destroy(): void } {
  /** A note by its situation and follow-up; an entry the gateway wrote (an escalation owing its report, A2) as the log reads it. */
  const noteText = (e: DutyLogEntryView): string =>
    e.kind === 'note.added' || e.kind === 'note.corrected'
      ? `${formatDateTime(e.ts)} ${String(e.params['situation'] ?? '')}${e.params['followUp'] ? ` → ${String(e.params['followUp'])}` : ''}`
      : `${formatDateTime(e.ts)} ${entryText(store, e)}`;
  const me = store.user;
  const body = h('div', { class: 'handover-body' });
  const message = h('div', { class: 'form-message', role: 'status', 'data-testid': 'handover-message' });
  const show = (text: string, refusals: Refusal[] = [], error = false): void => {
    message.dataset['error'] = String(error || refusals.length > 0);
    replaceChildren(message, text, refusals.length ? h('ul', { 'data-testid': 'handover-refusals' }, refusals.map((r) => h('li', { 'data-code': r.code }, refusalText(store, r)))) : null);
  };
  const after = async (work: () => Promise<Signed>, done: string): Promise<void> => {
    try {
      const r = await work();
      if (!r.ok) {
        show(tr('handover.refused'), r.refusals); // the form stays as filled in, to fix what is refused
        return;
      }
      show(done);
      await load(false);
    } catch (err) {
      show(formErrorText(body.querySelector('form'), err), [], true);
    }
  };

  const tagText = (t: DeviceTagView): string => {
    const kind = t.kind === 'isolation' ? tr('lifecycle.tagKind.isolation') : tr('lifecycle.tagKind.maintenance');
    const end = t.plannedEnd === null ? '—' : formatDateTime(t.plannedEnd);
    const text = tr('handover.tagItem', { device: loc(store.index.devices.get(t.deviceId)?.name) || t.deviceId, kind, reason: t.reason, end });
    return t.state === 'requested' ? `${text} (${tr('lifecycle.tag.awaiting')})` : text;
  };
  const arrivalText = (v: HandoverView, username: string): HTMLElement | null => {
    const a = v.arrivals.find((x) => x.username === username);
    if (!a) return null;
    // S3: after the shift's start the arrival is late, said as such.
    const text = a.minutesEarly < 0 ? tr('handover.arrivedLate', { time: formatDateTime(a.at), minutes: -a.minutesEarly }) : tr('handover.arrivedAt', { time: formatDateTime(a.at), minutes: a.minutesEarly });
    return h('span', { class: 'muted', 'data-testid': `arrived-${username}` }, text);
  };
  /** S3: the incoming person reports arrival from their own console. */
  const arriveButton = (v: HandoverView): HTMLElement | null => {
    if (!v.incomingPeople.some((u) => u.username === me.username) || v.arrivals.some((a) => a.username === me.username)) return null;
    const b = h('button', { type: 'button', class: 'btn', 'data-testid': 'handover-arrive' }, tr('handover.arrive'));
    b.addEventListener('click', () => void handoverApi.arrive().then(render, (err: unknown) => show(errorText(err), [], true)));
    return b;
  };
  const section = (id: string, title: string, items: (string | HTMLElement)[]): HTMLElement =>
    h('section', { class: 'handover-section', 'data-testid': `handover-${id}` }, h('h3', {}, `${title} (${items.length})`), items.length ? h('ul', {}, items.map((i) => h('li', {}, i))) : h('p', { class: 'muted' }, tr('handover.none')));

  /** The outgoing form as last drawn: a redraw of the same handover (Refresh, a live update) keeps what was ticked and typed. */
  let drawn: { shiftKey: string; boxes: { id: string; box: HTMLInputElement }[]; people: { u: { username: string }; present: HTMLInputElement; unfit: HTMLInputElement; substitute: HTMLSelectElement }[]; note: HTMLTextAreaElement } | null = null;

  function outgoingForm(v: HandoverView): HTMLElement {
    const boxes = v.checklist.map((item) => ({ id: item.id, box: h('input', { type: 'checkbox', 'data-testid': `check-${item.id}` }), name: loc(item.name) }));
    const people = v.incomingPeople.map((u) => {
      // S3: someone who reported arrival is ticked present, with the time on record.
      const arrived = v.arrivals.find((a) => a.username === u.username);
      const present = h('input', { type: 'checkbox', 'data-testid': `present-${u.username}`, checked: arrived !== undefined });
      const unfit = h('input', { type: 'checkbox', 'data-testid': `unfit-${u.username}` });
      const substitute = h('select', { 'data-testid': `substitute-${u.username}`, 'aria-label': tr('handover.substitute') }, h('option', { value: '' }, tr('handover.noSubstitute')), v.people.filter((c) => c.username !== u.username).map((c) => h('option', { value: c.username }, c.displayName)));
      return { u, present, unfit, substitute };
    });
    const note = h('textarea', { rows: 2, maxlength: 2000, placeholder: tr('handover.note'), 'data-testid': 'handover-note', 'aria-label': tr('handover.note') });
    const submit = h('button', { type: 'submit', class: 'btn btn--primary', 'data-testid': 'handover-sign-out' }, tr('handover.signOut'));
    const before = drawn?.shiftKey === v.outgoing!.key ? drawn : null;
    if (before) {
      for (const b of boxes) b.box.checked = before.boxes.find((x) => x.id === b.id)?.box.checked ?? false;
      for (const p of people) {
        const was = before.people.find((x) => x.u.username === p.u.username);
        if (!was) continue;
        p.present.checked ||= was.present.checked;
        p.unfit.checked = was.unfit.checked;
        p.substitute.value = was.substitute.value;
      }
      note.value = before.note.value;
    }
    drawn = { shiftKey: v.outgoing!.key, boxes, people, note };
    const form = h(
      'form',
      { class: 'handover-form', 'data-testid': 'handover-outgoing-form' },
      h('h3', {}, tr('handover.checklist')),
      boxes.map((b) => h('label', { class: 'check' }, b.box, b.name)),
      h('h3', {}, tr('handover.incomingTeam')),
      people.length === 0 ? h('p', { class: 'muted' }, tr('handover.noneRostered')) : null,
      people.map((p) => h('div', { class: 'person-row' }, h('strong', {}, p.u.displayName), h('label', {}, p.present, tr('handover.present')), arrivalText(v, p.u.username), h('label', {}, p.unfit, tr('handover.unfit')), p.substitute)),
      note,
      submit,
    );
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      void after(
        () =>
          handoverApi.signOutgoing({
            shiftKey: v.outgoing!.key,
            checklist: Object.fromEntries(boxes.map((b) => [b.id, b.box.checked])),
            present: people.filter((p) => p.present.checked).map((p) => p.u.username),
            unfit: people.filter((p) => p.unfit.checked).map((p) => ({ username: p.u.username, ...(p.substitute.value ? { substitute: p.substitute.value } : {}) })),
            note: note.value,
          }),
        tr('handover.outgoingDone'),
      );
    });
    return form;
  }

  function incomingForm(v: HandoverView): HTMLElement {
    const record = v.record!;
    const username = h('input', { type: 'text', value: v.incomingPeople.some((u) => u.username === me.username) ? me.username : '', autocomplete: 'username', 'data-testid': 'handover-incoming-username', 'aria-label': tr('login.username') });
    const password = h('input', { type: 'password', autocomplete: 'current-password', 'data-testid': 'handover-incoming-password', 'aria-label': tr('login.password') });
    const submit = h('button', { type: 'submit', class: 'btn btn--primary', 'data-testid': 'handover-sign-in' }, tr('handover.signIn'));
    // S4: the incoming person reads the outgoing one's note before signing.
    const form = h('form', { class: 'handover-form', 'data-testid': 'handover-incoming-form' }, h('p', {}, tr('handover.awaiting', { user: record.outgoingName, time: formatDateTime(record.outgoingSignedAt) })), record.note ? h('p', { class: 'handover-note', 'data-testid': 'handover-outgoing-note' }, tr('handover.outgoingNote', { note: record.note })) : null, username, password, submit);
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      void after(() => handoverApi.signIncoming({ handoverId: record.id, username: username.value, password: password.value }), tr('handover.completedDone'));
      password.value = '';
    });
    return form;
  }

  function render(v: HandoverView): void {
    if (!v.outgoing) {
      replaceChildren(body, h('p', { class: 'muted' }, tr('handover.notDue')));
      return;
    }
    const shiftLine = (label: string, s: HandoverView['outgoing'], people: HandoverView['outgoingPeople']) =>
      s ? h('p', {}, `${label}: ${formatDay(s.date)} ${loc(s.name)} (${formatDateTime(s.start)} – ${formatDateTime(s.end)}) · ${people.map((u) => u.displayName).join(tr('list.separator')) || '—'}`) : null;
    const record = v.record;
    replaceChildren(
      body,
      shiftLine(tr('handover.outgoing'), v.outgoing, v.outgoingPeople),
      shiftLine(tr('handover.incoming'), v.incoming, v.incomingPeople),
      v.late && record?.state !== 'completed' ? h('p', { class: 'banner banner--late', 'data-testid': 'handover-late' }, tr('handover.late')) : null,
      record ? null : arriveButton(v),
      // What would stop a handover: not said of one already completed.
      v.refusals.length && record?.state !== 'completed' ? h('div', { class: 'handover-refusals', 'data-testid': 'handover-standing-refusals' }, h('strong', {}, tr('handover.blocked')), h('ul', {}, v.refusals.map((r) => h('li', { 'data-code': r.code }, refusalText(store, r))))) : null,
      h(
        'div',
        { class: 'handover-grid' },
        section('alarms', tr('handover.openAlarms'), v.openAlarms.map((a) => `${formatDateTime(a.raisedAt)} ${alarmWhat(store, a)}`)),
        section('tags', tr('handover.activeTags'), v.activeTags.map(tagText)),
        // A8: what the shift could not fix and reported upwards stays on the handover until the alarm clears.
        section('reported-up', tr('handover.reportedUp'), v.openAlarms.flatMap((a) => {
          if (!a.reportedUp) return [];
          const names = placeNames(store, a);
          return [tr('handover.reportedUpItem', { room: names.room ?? a.roomId, device: names.device ?? a.deviceId, point: names.point ?? a.pointKey, user: a.reportedUp.byName, time: formatDateTime(a.reportedUp.at), targets: namesText(a.reportedUp.targets), note: a.reportedUp.note })];
        })),
        section('visitors', tr('handover.visitorsInside'), v.visitorsInside.map((e) => tr('handover.visitorItem', { visitor: e.visitor, organisation: e.organisation || '—', room: loc(store.index.rooms.get(e.roomId)?.name) || e.roomId, escort: personName(e.escort), time: formatDateTime(e.inAt) }))),
        section('incidents', tr('handover.openIncidents'), v.openIncidents.map(noteText)),
        section('playbooks', tr('handover.openPlaybooks'), v.openPlaybooks.map((p) => `${formatDateTime(p.openedAt)} ${p.rule} ${p.situation}`)),
        section('tasks', tr('handover.unfinishedTasks'), v.unfinishedTasks.map(noteText)),
        section('resolved', tr('handover.resolvedItems'), v.resolvedItems.map((e) => `${formatDateTime(e.ts)} ${entryText(store, e)}`)),
        section('equipment', tr('handover.equipmentChanges'), v.equipmentChanges.map((e) => `${formatDateTime(e.ts)} ${entryText(store, e)}`)),
        section('modes', tr('handover.equipmentModes'), v.equipmentModes.map((m) => {
          const names = placeNames(store, m);
          return tr('handover.modeItem', { room: names.room ?? m.roomId, device: names.device ?? m.deviceId, point: names.point ?? m.pointKey, value: m.value === null ? tr('handover.modeUnknown') : pointValue(store, m.pointKey, m.value, String) });
        })),
        section('instructions', tr('handover.instructions'), v.instructions.map(noteText)),
      ),
      !record
        ? v.outgoingPeople.some((u) => u.username === me.username) || store.can('handover.signForOthers')
          ? outgoingForm(v)
          : h('p', { class: 'muted' }, tr('handover.waitOutgoing'))
        : record.state === 'awaitingIncoming'
          ? incomingForm(v)
          : h('p', { class: 'signed', 'data-testid': 'handover-completed' }, tr('handover.completed', { outgoing: record.outgoingName, incoming: record.incomingName ?? '', time: formatDateTime(record.incomingSignedAt ?? 0) })),
    );
  }

  async function load(clear = true): Promise<void> {
    if (clear) show('');
    try {
      render(await handoverApi.view());
    } catch (err) {
      show(errorText(err), [], true);
    }
  }

  const refresh = h('button', { type: 'button', class: 'btn', 'data-testid': 'handover-refresh' }, tr('handover.refresh'));
  refresh.addEventListener('click', () => void load());
  const el = h('section', { class: 'panel handover-panel', 'data-testid': 'handover-view' }, h('h2', { class: 'panel-title' }, tr('handover.title'), ' ', refresh), message, body);
  void load();
  // The other party's signature (another console) arrives as a duty-log entry: show it at once (S6).
  const off = store.on('dutyLog', (): void => {
    // Not while someone is filling a form, unless it is a handover step that changes what the form is for.
    const kind = store.dutyLog[0]?.kind;
    if (!body.querySelector('form') || kind === 'handover.outgoingSigned' || kind === 'handover.completed') void load(false);
  });
  return { el, destroy: off };
}
