// The duty log as the regulations keep it (L1–L4): a day's pages, one per shift with its rostered people;
// manual entries with category, situation, handling, follow-up and when it happened (L7: a night's event
// written up the next day); corrections shown against the entry they replace (the original stays visible,
// struck through); photos; incidents and follow-ups still open, however old, each closed here with how and
// when (S5, S7); the supervisor's signature and the days still unsigned.
import type { DutyLogDayView, DutyLogEntryView, NoteCategory, NoteRequest } from '../../../src/contract/api.ts';
import { h, replaceChildren } from './dom.ts';
import { pageAction, statusLine } from './status-line.ts';
import { errorText } from './errors.ts';
import { entryText, entryWho } from './entry-text.ts';
import { formatClock, formatDateTime, formatDay, parseSiteDateTime, siteDate } from './format.ts';
import { now } from './clock.ts';
import { loc, tr } from './lang.ts';
import { journalApi } from './journal-api.ts';
import { rosterApi } from './roster-api.ts';
import type { Store } from './store.ts';
import { openEmergencyForm, openFormSheet } from './emergency-form.ts';

export const noteCategories: readonly NoteCategory[] = [
  'complaint', 'theft', 'accident-wind', 'accident-fire', 'accident-water', 'accident-electricity',
  'fight', 'staff-violation', 'move-in', 'move-out', 'construction', 'instruction', 'other',
];

const isNote = (e: DutyLogEntryView): boolean => e.kind === 'note.added' || e.kind === 'note.corrected';

/** The note form, for a new entry or a correction (with a reason). */
function noteForm(onSubmit: (note: NoteRequest, reason: string) => Promise<void>, opts: { correcting?: DutyLogEntryView } = {}): HTMLFormElement {
  const p = opts.correcting?.params ?? {};
  const str = (v: unknown) => (typeof v === 'string' ? v : '');
  const category = h('select', { 'data-testid': 'note-category', 'aria-label': tr('journal.category') }, noteCategories.map((c) => h('option', { value: c, selected: p['category'] === c }, tr(`journal.category.${c}`))));
  const field = (name: string, label: string, value: string, area = true) =>
    area ? h('textarea', { 'data-testid': `note-${name}`, placeholder: label, 'aria-label': label, rows: 2 }, value) : h('input', { type: 'text', 'data-testid': `note-${name}`, placeholder: label, 'aria-label': label, value });
  const situation = field('situation', tr('journal.situation'), str(p['situation'])) as HTMLTextAreaElement;
  const handling = field('handling', tr('journal.handling'), str(p['handling'])) as HTMLTextAreaElement;
  const followUp = field('followUp', tr('journal.followUp'), str(p['followUp'])) as HTMLTextAreaElement;
  const complainant = field('complainant', tr('journal.complainant'), str(p['complainant']), false) as HTMLInputElement;
  // L7: when it happened, in site time; empty means now.
  const occurredAt = h('input', { type: 'datetime-local', 'data-testid': 'note-occurredAt', 'aria-label': tr('journal.occurredAt') });
  const badTime = h('p', { class: 'form-error', role: 'alert', hidden: true, 'data-testid': 'note-time-error' }, tr('journal.badTime'));
  const major = h('input', { type: 'checkbox', 'data-testid': 'note-major', checked: p['major'] === true });
  const reason = opts.correcting ? (field('reason', tr('journal.correctionReason'), '', false) as HTMLInputElement) : null;
  const submit = h('button', { type: 'submit', class: 'btn btn--primary', 'data-testid': 'note-submit' }, opts.correcting ? tr('journal.saveCorrection') : tr('journal.addNote'));
  const form = h('form', { class: 'note-form', 'data-testid': opts.correcting ? 'correction-form' : 'note-form' }, category, situation, handling, followUp, complainant, h('label', {}, tr('journal.occurredAt'), ' ', occurredAt), h('label', {}, major, tr('journal.major')), reason, badTime, submit);
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const when = occurredAt.value ? parseSiteDateTime(occurredAt.value) : null;
    badTime.hidden = !(occurredAt.value && when === null);
    if (!badTime.hidden) return;
    submit.disabled = true;
    const note: NoteRequest = { category: category.value as NoteCategory, situation: situation.value, handling: handling.value, followUp: followUp.value, major: major.checked, ...(complainant.value ? { complainant: complainant.value } : {}), ...(when === null ? {} : { occurredAt: when }) };
    void onSubmit(note, reason?.value ?? '').finally(() => (submit.disabled = false));
  });
  return form;
}

/**
 * The log day being written now: the day the running shift started on (S2: past midnight the night shift still
 * writes on the previous day's page), or the calendar day between shifts and on a site without shifts.
 */
async function logDayNow(): Promise<string> {
  const t = now();
  // Without an answer the calendar day stands; the page's own load then says what went wrong.
  const running = await rosterApi.shifts(t, t + 1).catch(() => []);
  return running.at(-1)?.date ?? siteDate(t);
}

export function journalView(store: Store): { el: HTMLElement; destroy(): void } {
  const me = store.user;
  const supervisor = store.can('dutyLog.sign');
  const calendarDay = siteDate(now());
  let date = calendarDay;
  let view: DutyLogDayView | null = null;

  const { el: message, say } = statusLine('journal-message');
  const act = pageAction(say, () => load());
  const dateInput = h('input', { type: 'date', value: date, 'data-testid': 'journal-date', 'aria-label': tr('journal.date') });
  dateInput.addEventListener('change', () => {
    if (dateInput.value) {
      date = dateInput.value;
      void load();
    }
  });
  const pagesEl = h('div', { class: 'journal-pages', 'data-testid': 'journal-pages' });
  const openEl = h('section', { class: 'journal-open', 'data-testid': 'journal-open-items' });
  const signEl = h('div', { class: 'journal-sign', 'data-testid': 'journal-sign' });
  const unsignedEl = h('p', { class: 'journal-unsigned', 'data-testid': 'journal-unsigned' });

  /** A photo or PDF for an entry (L3), checked by the gateway by content. */
  function attachButton(e: DutyLogEntryView, label: string): HTMLElement {
    const file = h('input', { type: 'file', accept: 'image/jpeg,image/png,image/webp,application/pdf', 'data-testid': `attach-${e.id}`, 'aria-label': label });
    file.addEventListener('change', () => {
      const f = file.files?.[0];
      if (f) void act(() => journalApi.attach(e.id, f), tr('journal.attached'));
    });
    return h('label', { class: 'btn btn--small' }, label, file);
  }

  function entryItem(e: DutyLogEntryView): HTMLElement {
    const v = view!;
    const replacedBy = v.correctedBy[String(e.id)];
    const files = v.attachments.filter((a) => a.entryId === e.id);
    const tools = h('span', { class: 'entry-tools' });
    if (isNote(e) && replacedBy === undefined && (e.username === me.username || supervisor)) {
      const correct = h('button', { type: 'button', class: 'btn btn--small', 'data-testid': `correct-${e.id}` }, tr('journal.correct'));
      correct.addEventListener('click', () => {
        replaceChildren(tools, noteForm((note, reason) => act(() => journalApi.correct(e.id, { ...note, reason }), tr('journal.corrected')), { correcting: e }));
      });
      tools.append(correct, attachButton(e, tr('journal.attach')));
      // L3: a major event gets its emergency handling form.
      if (e.params['major'] === true) {
        const form = h('button', { type: 'button', class: 'btn btn--small', 'data-testid': `emergency-form-${e.id}` }, tr('emergency.open'));
        form.addEventListener('click', () => openEmergencyForm(store, e, () => void load()));
        tools.append(form);
      }
    }
    if (e.kind === 'emergency.form') {
      const show = h('button', { type: 'button', class: 'btn btn--small', 'data-testid': `show-form-${e.id}` }, tr('emergency.show'));
      show.addEventListener('click', () => openFormSheet(e, files));
      tools.append(attachButton(e, tr('emergency.photos')), show);
    }
    return h(
      'li',
      { class: replacedBy === undefined ? 'log-entry' : 'log-entry log-entry--replaced', 'data-testid': `journal-entry-${e.id}`, 'data-kind': e.kind },
      h('time', { class: 'log-time' }, formatDateTime(e.ts)),
      h('span', { class: 'log-text' }, `#${e.id} `, entryText(store, e), ' — ', entryWho(e), e.params['complainant'] ? ` (${tr('journal.complainant')}: ${String(e.params['complainant'])})` : '', e.params['major'] === true ? h('strong', { class: 'badge badge--high' }, tr('journal.major')) : null),
      replacedBy !== undefined ? h('span', { class: 'muted' }, tr('journal.replacedBy', { id: replacedBy })) : null,
      files.map((a) => h('a', { href: journalApi.attachmentUrl(a.id), target: '_blank', rel: 'noopener', class: 'attachment' }, a.fileName)),
      tools,
    );
  }

  /** One open incident or follow-up with its "Resolve" form: how it ended and when (empty: now). */
  function openItem(e: DutyLogEntryView): HTMLElement {
    const how = h('input', { type: 'text', maxlength: 2000, placeholder: tr('journal.resolveHow'), 'aria-label': tr('journal.resolveHow'), 'data-testid': `resolve-how-${e.id}` });
    const at = h('input', { type: 'datetime-local', 'aria-label': tr('journal.resolvedAt'), 'data-testid': `resolve-at-${e.id}` });
    const button = h('button', { type: 'submit', class: 'btn btn--small', 'data-testid': `resolve-${e.id}` }, tr('journal.resolve'));
    const form = h('form', { class: 'resolve-form' }, how, h('label', {}, tr('journal.resolvedAt'), ' ', at), button);
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      const when = at.value ? parseSiteDateTime(at.value) : null;
      if (at.value && when === null) return say(tr('journal.badTime'), true);
      void act(() => journalApi.resolve(e.id, { how: how.value, ...(when === null ? {} : { resolvedAt: when }) }), tr('journal.resolvedDone'));
    });
    const occurred = typeof e.params['occurredAt'] === 'number' ? e.params['occurredAt'] : e.ts;
    return h(
      'li',
      { class: 'log-entry', 'data-testid': `open-item-${e.id}` },
      h('time', { class: 'log-time' }, formatDateTime(occurred)),
      h('span', { class: 'log-text' }, `#${e.id} `, e.params['major'] === true ? h('strong', { class: 'badge badge--high' }, tr('journal.major')) : h('span', { class: 'badge' }, tr('journal.followUpBadge')), ' ', entryText(store, e)),
      form,
    );
  }

  function renderOpen(items: readonly DutyLogEntryView[]): void {
    replaceChildren(openEl, h('h3', {}, tr('journal.openItems', { count: items.length })), items.length ? h('ol', { class: 'duty-log' }, items.map(openItem)) : h('p', { class: 'muted' }, tr('journal.noOpenItems')));
  }

  /** L4: the manager's signature after the supervisor's check, where the site asks for it. */
  function countersignPart(v: DutyLogDayView): HTMLElement | null {
    if (v.countersign) return h('p', { class: 'signed', 'data-testid': 'journal-countersigned' }, tr('journal.countersignedBy', { user: v.countersign.byName, time: formatDateTime(v.countersign.at), comment: v.countersign.comment }));
    if (!v.countersignRequired) return null;
    if (!store.can('dutyLog.countersign')) return h('p', { class: 'muted', 'data-testid': 'journal-awaiting-manager' }, tr('journal.awaitingManager'));
    const comment = h('input', { type: 'text', maxlength: 1000, placeholder: tr('journal.signComment'), 'data-testid': 'journal-countersign-comment' });
    const sign = h('button', { type: 'button', class: 'btn', 'data-testid': 'journal-countersign-button' }, tr('journal.countersign'));
    sign.addEventListener('click', () => void act(() => journalApi.countersign(date, comment.value), tr('journal.signedDone')));
    return h('div', {}, h('p', { class: 'muted', 'data-testid': 'journal-awaiting-manager' }, tr('journal.awaitingManager')), comment, sign);
  }

  function render(): void {
    const v = view!;
    replaceChildren(
      pagesEl,
      v.pages.length === 0 ? h('p', { class: 'muted' }, tr('dutyLog.empty')) : null,
      v.pages.map((p) =>
        h(
          'section',
          { class: 'journal-page', 'data-testid': `journal-page-${p.shift?.shiftId ?? 'none'}` },
          h('h3', {}, p.shift ? `${formatDay(v.date)} ${loc(p.shift.name)} ${formatClock(p.shift.start)} – ${formatClock(p.shift.end)}` : formatDay(v.date)),
          h('p', { class: 'muted' }, tr('journal.people', { people: p.people.map((u) => u.displayName).join(tr('list.separator')) || '—' })),
          h('ol', { class: 'duty-log' }, p.entries.map(entryItem)),
        ),
      ),
    );
    if (v.signoff) replaceChildren(signEl, h('p', { class: 'signed', 'data-testid': 'journal-signed' }, tr('journal.signedBy', { user: v.signoff.byName, time: formatDateTime(v.signoff.at), comment: v.signoff.comment })), countersignPart(v));
    else if (supervisor) {
      const comment = h('input', { type: 'text', maxlength: 1000, placeholder: tr('journal.signComment'), 'data-testid': 'journal-sign-comment' });
      const sign = h('button', { type: 'button', class: 'btn', 'data-testid': 'journal-sign-button' }, tr('journal.sign'));
      sign.addEventListener('click', () => void act(() => journalApi.sign(date, comment.value), tr('journal.signedDone')));
      replaceChildren(signEl, h('p', { class: 'muted' }, tr('journal.notSigned')), comment, sign);
    } else replaceChildren(signEl, h('p', { class: 'muted' }, tr('journal.notSigned')));
  }

  async function load(): Promise<void> {
    try {
      const [day, unsigned, open] = await Promise.all([journalApi.day(date), journalApi.unsigned(14), journalApi.openItems()]);
      view = day;
      renderOpen(open.items);
      unsignedEl.textContent = unsigned.days.length ? tr('journal.unsignedDays', { days: unsigned.days.map((d) => (d.awaiting === 'manager' ? tr('journal.awaitingManagerDay', { date: formatDay(d.date) }) : formatDay(d.date))).join(tr('list.separator')) }) : tr('journal.allSigned');
      render();
    } catch (err) {
      say(errorText(err), true);
    }
  }

  const el = h(
    'section',
    { class: 'panel journal-panel', 'data-testid': 'journal-view' },
    h('h2', { class: 'panel-title' }, tr('dutyLog.title')),
    h('div', { class: 'roster-toolbar' }, dateInput, unsignedEl),
    message,
    noteForm((note) => act(() => journalApi.addNote(note), tr('journal.added'))),
    openEl,
    pagesEl,
    signEl,
  );
  void logDayNow().then((day) => {
    // Unless a date was picked meanwhile.
    if (date === calendarDay) {
      date = day;
      dateInput.value = day;
    }
    return load();
  });
  // Live: a new entry anywhere (another console, the gateway) refreshes the page shown.
  const off = store.on('dutyLog', () => void load());
  return { el, destroy: off };
}
