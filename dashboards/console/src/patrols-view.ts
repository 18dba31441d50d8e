// Patrols (P1, P3, P4): each schedule with its current period, overdue periods and last round; the
// patrol form (P4 checklist, live and entered readings, remarks); the room's QR code. A phone that scans
// the code opens #patrols/<id> and, after the usual login, lands on that form.
import { formatShiftKey, personName } from './entry-text.ts';
import type { PatrolStatusView } from '../../../src/contract/api.ts';
import { routes } from '../../../src/contract/routes.ts';
import { call } from './api.ts';
import { h, replaceChildren } from './dom.ts';
import { statusLine } from './status-line.ts';
import { errorText } from './errors.ts';
import { formatDateTime, formatValue, parseSiteDateTime } from './format.ts';
import { loc, tr } from './lang.ts';
import type { Store } from './store.ts';

const everyText = (every: string): string =>
  every === 'shift' || every === 'month' || every === 'halfYear' ? tr(`patrols.every.${every}`) : tr('patrols.everyMinutes', { every });

export function patrolsView(store: Store): { el: HTMLElement } {
  const list = h('div', { class: 'patrol-list', 'data-testid': 'patrol-list' });
  const { el: message, say } = statusLine('patrol-message');
  const roomName = (id: string) => {
    const room = store.site.rooms.find((r) => r.id === id);
    return room ? loc(room.name) : id;
  };
  const pointName = (key: string) => {
    const p = store.site.points.find((x) => x.key === key);
    return p ? `${loc(p.label)}` : key;
  };

  function form(s: PatrolStatusView): HTMLFormElement {
    const items = s.checklist.map((c) => {
      const ok = h('input', { type: 'radio', name: `item-${c.id}`, value: 'ok', 'data-testid': `item-${c.id}-ok` });
      const bad = h('input', { type: 'radio', name: `item-${c.id}`, value: 'problem', 'data-testid': `item-${c.id}-problem` });
      return { c, ok, bad, el: h('div', { class: 'person-row' }, h('span', {}, loc(c.name)), h('label', {}, ok, tr('patrols.ok')), h('label', {}, bad, tr('patrols.problem'))) };
    });
    const inputs = s.readings.map((r) =>
      r.live
        ? { r, input: null, el: h('p', {}, `${pointName(r.key)}: ${formatValue(r.value)} ${r.unit} (${tr('patrols.live')})`) }
        : (() => {
            const input = h('input', { type: 'number', step: 'any', 'data-testid': `reading-${r.key}`, 'aria-label': r.name ? loc(r.name) : r.key });
            return { r, input, el: h('label', { class: 'check' }, `${r.name ? loc(r.name) : r.key} (${r.unit}) `, input) };
          })(),
    );
    const remarks = h('textarea', { rows: 2, maxlength: 2000, placeholder: tr('patrols.remarks'), 'aria-label': tr('patrols.remarks'), 'data-testid': 'patrol-remarks' });
    // P1: what cannot be fixed on the shift goes in writing to the supervisor.
    const unfixed = h('input', { type: 'checkbox', 'data-testid': 'patrol-unfixed' });
    const submit = h('button', { type: 'submit', class: 'btn btn--primary', 'data-testid': 'patrol-submit' }, tr('patrols.submit'));
    const f = h('form', { class: 'handover-form', 'data-testid': `patrol-form-${s.id}` }, items.map((i) => i.el), inputs.map((i) => i.el), remarks, h('label', { class: 'check' }, unfixed, ' ', tr('patrols.unfixed')), submit);
    f.addEventListener('submit', (ev) => {
      ev.preventDefault();
      const checklist = Object.fromEntries(items.filter((i) => i.ok.checked || i.bad.checked).map((i) => [i.c.id, i.ok.checked]));
      const readings = Object.fromEntries(inputs.filter((i) => i.input && i.input.value !== '').map((i) => [i.r.key, Number(i.input!.value)]));
      void (async () => {
        try {
          await call('POST', routes.patrolRounds(s.id), { checklist, readings, remarks: remarks.value, ...(unfixed.checked ? { unfixed: true } : {}) });
          say(tr('patrols.recorded'));
          await load();
        } catch (err) {
          say(errorText(err), true);
        }
      })();
    });
    return f;
  }

  /** P1: a supervisor doubles a schedule's patrols until a time, with the reason. */
  function stepUpForm(s: PatrolStatusView): HTMLElement {
    const until = h('input', { type: 'datetime-local', 'aria-label': tr('patrols.stepUpUntil'), 'data-testid': `step-up-until-${s.id}` });
    const reason = h('input', { type: 'text', maxlength: 500, placeholder: tr('patrols.stepUpReason'), 'aria-label': tr('patrols.stepUpReason'), 'data-testid': `step-up-reason-${s.id}` });
    const button = h('button', { type: 'submit', class: 'btn btn--small', 'data-testid': `step-up-${s.id}` }, tr('patrols.stepUp'));
    const f = h('form', { class: 'resolve-form' }, h('label', {}, tr('patrols.stepUpUntil'), ' ', until), reason, button);
    f.addEventListener('submit', (ev) => {
      ev.preventDefault();
      const at = parseSiteDateTime(until.value);
      if (at === null) return say(tr('journal.badTime'), true);
      void (async () => {
        try {
          await call('POST', routes.patrolStepUp(s.id), { until: at, reason: reason.value });
          say(tr('patrols.steppedUpDone'));
          await load();
        } catch (err) {
          say(errorText(err), true);
        }
      })();
    });
    return f;
  }

  function card(s: PatrolStatusView, open: boolean): HTMLElement {
    const slot = s.slot ? (s.slot.done ? tr('patrols.done') : tr('patrols.due', { time: formatDateTime(s.slot.end) })) : tr('patrols.notNow');
    const body = h('div', {});
    const toggle = h('button', { type: 'button', class: 'btn btn--small', 'data-testid': `patrol-open-${s.id}` }, tr('patrols.open'));
    toggle.addEventListener('click', () => replaceChildren(body, form(s), h('p', { class: 'muted' }, tr('patrols.qr')), h('img', { class: 'qr', src: routes.patrolQr(s.id), alt: 'QR', width: 160, height: 160 })));
    if (open) replaceChildren(body, form(s));
    return h(
      'section',
      { class: 'handover-section', 'data-testid': `patrol-${s.id}`, 'data-done': String(s.slot?.done ?? false) },
      h('h3', {}, `${loc(s.name)} · ${roomName(s.roomId)} · ${everyText(s.every)}`),
      h('p', { 'data-testid': `patrol-slot-${s.id}` }, slot),
      s.overdue.length ? h('p', { class: 'roster-gap' }, tr('patrols.overdue', { periods: s.overdue.map((o) => formatShiftKey(o.key)).join(tr('list.separator')) })) : null,
      s.stepUp
        ? h('p', { class: 'roster-gap', 'data-testid': `patrol-stepped-up-${s.id}` }, tr('patrols.steppedUp', { factor: s.stepUp.factor, from: formatDateTime(s.stepUp.from), until: formatDateTime(s.stepUp.until), user: s.stepUp.byName, reason: s.stepUp.reason }))
        : null,
      store.can('patrol.stepUp') ? stepUpForm(s) : null,
      s.lastRound ? h('p', { class: 'muted' }, tr('patrols.last', { user: personName(s.lastRound.username), time: formatDateTime(s.lastRound.ts) })) : null,
      toggle,
      body,
    );
  }

  async function load(): Promise<void> {
    try {
      const all = await call<PatrolStatusView[]>('GET', routes.patrols);
      const wanted = /^#patrols\/([a-z0-9-]+)$/.exec(location.hash)?.[1];
      replaceChildren(list, all.length === 0 ? h('p', { class: 'muted' }, tr('patrols.none')) : all.map((s) => card(s, s.id === wanted)));
      // A scanned QR code opens this room's form: bring it to the top of a phone's screen (issue 15).
      if (wanted) list.querySelector(`[data-testid="patrol-form-${wanted}"]`)?.scrollIntoView({ block: 'start' });
    } catch (err) {
      say(errorText(err), true);
    }
  }

  const el = h('section', { class: 'panel', 'data-testid': 'patrols-view' }, h('h2', { class: 'panel-title' }, tr('patrols.title')), message, list);
  void load();
  return { el };
}
