// Emergency playbooks (E1–E4): open one by hand or from an open alarm, tick each step (its time goes into
// the duty log), close with the written incident report (L7).
import { alarmWhat } from './alarm-text.ts';
import { personName } from './entry-text.ts';
import type { PlaybookView } from '../../../src/contract/api.ts';
import { routes } from '../../../src/contract/routes.ts';
import type { MessageKey } from '../../../src/i18n/index.ts';
import { call } from './api.ts';
import { h, replaceChildren } from './dom.ts';
import { errorText } from './errors.ts';
import { formErrorText } from './field-errors.ts';
import { formatDateTime } from './format.ts';
import { tr } from './lang.ts';
import type { Store } from './store.ts';

const types = ['power-cut', 'pipe-burst', 'gas-leak', 'fire'] as const;

export function playbooksView(store: Store): { el: HTMLElement } {
  const list = h('div', { 'data-testid': 'playbook-list' });
  const message = h('p', { class: 'form-message', role: 'status', 'data-testid': 'playbook-message' });
  /** Runs an action; a refused form (the incident report) has its missing fields marked and named. */
  const act = async (work: () => Promise<unknown>, form?: HTMLElement): Promise<void> => {
    try {
      await work();
      message.textContent = '';
      await load();
    } catch (err) {
      message.textContent = formErrorText(form, err);
      message.dataset['error'] = 'true';
    }
  };
  const type = h('select', { 'data-testid': 'playbook-type', 'aria-label': tr('playbooks.title') }, types.map((t) => h('option', { value: t }, tr(`playbooks.type.${t}`))));
  const situation = h('input', { type: 'text', maxlength: 2000, placeholder: tr('playbooks.situation'), 'aria-label': tr('playbooks.situation'), 'data-testid': 'playbook-situation' });
  const alarm = h('select', { 'data-testid': 'playbook-alarm', 'aria-label': tr('playbooks.fromAlarm') }, h('option', { value: '' }, tr('playbooks.noAlarm')), [...store.alarms.values()].map((a) => h('option', { value: a.id }, alarmWhat(store, a))));
  const openForm = h('form', { class: 'note-form' }, type, situation, alarm, h('button', { type: 'submit', class: 'btn btn--primary', 'data-testid': 'playbook-open' }, tr('playbooks.open')));
  openForm.addEventListener('submit', (ev) => {
    ev.preventDefault();
    void act(() => call('POST', routes.playbooks, { type: type.value, situation: situation.value, ...(alarm.value ? { alarmId: Number(alarm.value) } : {}) }));
  });

  function card(p: PlaybookView): HTMLElement {
    const steps = p.steps.map((s) => {
      const label = tr(`playbook.${p.type}.${s.id}` as MessageKey);
      if (s.doneAt !== null) return h('li', { 'data-done': 'true' }, `✓ ${label} — ${tr('playbooks.doneBy', { user: s.doneBy ? personName(s.doneBy) : '—', time: formatDateTime(s.doneAt) })}${s.note ? ` (${s.note})` : ''}`);
      if (p.state !== 'open') return h('li', {}, label);
      const note = h('input', { type: 'text', maxlength: 1000, placeholder: tr('playbooks.stepNote'), 'data-testid': `step-note-${p.id}-${s.id}` });
      const done = h('button', { type: 'button', class: 'btn btn--small', 'data-testid': `step-done-${p.id}-${s.id}` }, tr('playbooks.stepDone'));
      done.addEventListener('click', () => void act(() => call('POST', routes.playbookStep(p.id, s.id), { note: note.value })));
      return h('li', {}, label, ' ', note, done);
    });
    let tail: HTMLElement;
    if (p.state === 'open') {
      const field = (id: string, key: MessageKey) => h('textarea', { name: id, rows: 2, placeholder: tr(key), 'aria-label': tr(key), 'data-testid': `report-${id}-${p.id}` });
      const [cause, course, result, followUp] = [field('cause', 'playbooks.cause'), field('course', 'playbooks.course'), field('result', 'playbooks.result'), field('followUp', 'playbooks.followUp')];
      tail = h('form', { class: 'note-form' }, cause, course, result, followUp, h('button', { type: 'submit', class: 'btn', 'data-testid': `playbook-close-${p.id}` }, tr('playbooks.close')));
      tail.addEventListener('submit', (ev) => {
        ev.preventDefault();
        void act(() => call('POST', routes.playbookReport(p.id), { cause: cause.value, course: course.value, result: result.value, followUp: followUp.value }), tail);
      });
    } else tail = h('p', { class: 'signed' }, tr('playbooks.closed', { user: p.closedBy ? personName(p.closedBy) : '—', time: formatDateTime(p.closedAt ?? 0) }), p.report ? ` — ${p.report.cause} / ${p.report.result}` : '');
    // The alarm it was opened from (a confirmed fire opens E4 by itself), while that alarm is on the board.
    const from = p.alarmId === null ? undefined : store.alarms.get(p.alarmId);
    return h(
      'section',
      { class: 'handover-section', 'data-testid': `playbook-${p.id}`, 'data-state': p.state, 'data-type': p.type },
      h('h3', {}, `#${p.id} ${tr(`playbooks.type.${p.type}`)} · ${formatDateTime(p.openedAt)} · ${p.situation}`),
      from ? h('p', { class: 'muted', 'data-testid': `playbook-from-${p.id}` }, tr('playbooks.fromAlarmLine', { what: alarmWhat(store, from) })) : null,
      h('ol', {}, steps),
      tail,
    );
  }

  async function load(): Promise<void> {
    try {
      const all = await call<PlaybookView[]>('GET', routes.playbooks);
      replaceChildren(list, all.length ? all.map(card) : h('p', { class: 'muted' }, tr('playbooks.none')));
    } catch (err) {
      message.textContent = errorText(err);
    }
  }
  const el = h('section', { class: 'panel', 'data-testid': 'playbooks-view' }, h('h2', { class: 'panel-title' }, tr('playbooks.title')), message, openForm, list);
  void load();
  return { el };
}
