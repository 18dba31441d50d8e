// The monthly roster (S1): a grid of days × shifts. Supervisors tick who works each shift in a draft,
// import/export CSV and publish; a published month is read-only and changes only by approved swaps.
// Cells below minimum staffing (R2) are marked. Anyone may ask to swap their own shift.
import type { RosterView, ShiftView, SwapView } from '../../../src/contract/api.ts';
import { DEMO_SEED } from '../../../src/contract/routes.ts';
import { h, replaceChildren } from './dom.ts';
import { statusLine } from './status-line.ts';
import { errorText } from './errors.ts';
import { formatDateTime, siteDate } from './format.ts';
import { now } from './clock.ts';
import { loc, tr } from './lang.ts';
import { rosterApi } from './roster-api.ts';
import { formatShiftKey, personName } from './entry-text.ts';
import type { Store } from './store.ts';

export function rosterView(store: Store): { el: HTMLElement } {
  const me = store.user;
  const supervisor = store.can('roster.manage');
  let month = siteDate(now()).slice(0, 7);
  let roster: RosterView | null = null;
  let shifts: ShiftView[] = [];
  let swaps: SwapView[] = [];
  /** The draft being edited: `${date}/${shiftId}` → usernames. */
  let draft = new Map<string, Set<string>>();

  const { el: message, say } = statusLine('roster-message');
  const status = h('span', { class: 'roster-status', 'data-testid': 'roster-status' });
  const grid = h('div', { class: 'roster-grid' });
  const swapList = h('div', { class: 'swap-list', 'data-testid': 'swap-list' });
  const monthInput = h('input', { type: 'month', value: month, 'data-testid': 'roster-month', 'aria-label': tr('roster.month') });
  monthInput.addEventListener('change', () => {
    if (/^\d{4}-\d{2}$/.test(monthInput.value)) {
      month = monthInput.value;
      void load();
    }
  });

  const act = async (work: () => Promise<unknown>, done: string): Promise<void> => {
    try {
      await work();
      say(done);
      await load(false);
    } catch (err) {
      say(errorText(err) + (err instanceof Error && err.message && err.message !== (err as { code?: string }).code ? ` (${err.message})` : ''), true);
    }
  };

  const saveButton = h('button', { type: 'button', class: 'btn', 'data-testid': 'roster-save' }, tr('roster.save'));
  saveButton.addEventListener('click', () => {
    const assignments = [...draft].flatMap(([key, names]) => {
      const [date, shiftId] = key.split('/') as [string, string];
      return [...names].map((username) => ({ date, shiftId, username }));
    });
    void act(() => rosterApi.save(month, assignments), tr('roster.saved'));
  });
  const publishButton = h('button', { type: 'button', class: 'btn btn--primary', 'data-testid': 'roster-publish' }, tr('roster.publish'));
  publishButton.addEventListener('click', () => {
    if (confirm(tr('roster.publishConfirm', { month }))) void act(() => rosterApi.publish(month), tr('roster.published'));
  });
  const fileInput = h('input', { type: 'file', accept: '.csv,text/csv', 'data-testid': 'roster-import', 'aria-label': tr('roster.import') });
  fileInput.addEventListener('change', () => {
    const file = fileInput.files?.[0];
    if (file) void act(async () => rosterApi.importCsv(month, await file.text()), tr('roster.imported'));
    fileInput.value = '';
  });
  const exportLink = h('a', { class: 'btn', 'data-testid': 'roster-export' }, tr('roster.export'));

  function renderGrid(): void {
    const r = roster!;
    const editable = supervisor && r.state === 'draft';
    const defs = [...new Map(shifts.map((s) => [s.shiftId, s])).values()];
    const dates = [...new Set(shifts.map((s) => s.date))];
    const names = new Map(r.people.map((p) => [p.username, p.displayName]));
    const gaps = new Map(r.gaps.map((g) => [`${g.date}/${g.shiftId}`, g]));
    const cell = (date: string, shiftId: string): HTMLElement => {
      const key = `${date}/${shiftId}`;
      const gap = gaps.get(key);
      const chosen = draft.get(key) ?? new Set<string>();
      const content = editable
        ? r.people.map((p) => {
            const box = h('input', { type: 'checkbox', 'data-testid': `cell-${key}-${p.username}`, checked: chosen.has(p.username) });
            box.addEventListener('change', () => {
              const set = draft.get(key) ?? new Set<string>();
              if (box.checked) set.add(p.username);
              else set.delete(p.username);
              draft.set(key, set);
            });
            return h('label', { class: 'roster-person' }, box, p.displayName);
          })
        : [...chosen].map((u) => h('span', { class: 'roster-person' }, names.get(u) ?? u));
      return h(
        'td',
        { class: gap ? 'roster-cell roster-cell--gap' : 'roster-cell', 'data-testid': `cell-${key}` },
        content,
        gap ? h('span', { class: 'roster-gap' }, tr('roster.gap', { role: tr(`role.${gap.role}`), have: gap.have, need: gap.need })) : null,
      );
    };
    replaceChildren(
      grid,
      defs.length === 0
        ? h('p', { class: 'muted' }, tr('roster.noShifts'))
        : h(
            'table',
            { class: 'roster-table', 'data-testid': 'roster-table', 'data-month': month },
            h('thead', {}, h('tr', {}, h('th', {}, tr('roster.date')), defs.map((d) => h('th', {}, loc(d.name))))),
            h('tbody', {}, dates.map((date) => h('tr', {}, h('th', { scope: 'row' }, date), defs.map((d) => cell(date, d.shiftId))))),
          ),
    );
    saveButton.hidden = !editable;
    publishButton.hidden = !editable;
    fileInput.hidden = !editable;
    exportLink.setAttribute('href', rosterApi.csvUrl(month));
    exportLink.setAttribute('download', `roster-${month}.csv`);
    status.dataset['state'] = r.state;
    status.textContent =
      r.state === 'published' ? tr('roster.statePublished', { user: r.publishedBy === DEMO_SEED ? tr('roster.demoSeed') : (r.publishedBy ?? ''), time: r.publishedAt ? formatDateTime(r.publishedAt) : '' }) : tr('roster.stateDraft', { gaps: r.gaps.length });
  }

  /** The swap form's fields as last rendered, so a re-render keeps what was being typed or chosen. */
  let swapInput: { which?: HTMLSelectElement; to?: HTMLSelectElement; reason?: HTMLInputElement } = {};
  const keepInput = (next: HTMLSelectElement | HTMLInputElement, previous: HTMLSelectElement | HTMLInputElement | undefined): void => {
    if (!previous?.value) return;
    if (next instanceof HTMLSelectElement && ![...next.options].some((o) => o.value === previous.value)) return;
    next.value = previous.value;
  };

  function renderSwaps(): void {
    const r = roster!;
    const mine = r.assignments.filter((a) => a.username === me.username);
    // A swap names the shift and the people in words ("Dec 5 Night: 李伟 Li Wei → 王芳 Wang Fang"), not by id.
    const nameOf = (username: string): string => r.people.find((p) => p.username === username)?.displayName ?? personName(username);
    const decide = (s: SwapView): HTMLElement | null => {
      if (!supervisor || s.state !== 'pending' || s.requestedBy === me.username) return null;
      const comment = h('input', { type: 'text', maxlength: 500, placeholder: tr('roster.swapComment'), 'data-testid': `swap-comment-${s.id}` });
      const approve = h('button', { type: 'button', class: 'btn', 'data-testid': `swap-approve-${s.id}` }, tr('roster.swapApprove'));
      const reject = h('button', { type: 'button', class: 'btn', 'data-testid': `swap-reject-${s.id}` }, tr('roster.swapReject'));
      approve.addEventListener('click', () => void act(() => rosterApi.decideSwap(s.id, true, comment.value), tr('roster.swapDecided')));
      reject.addEventListener('click', () => void act(() => rosterApi.decideSwap(s.id, false, comment.value), tr('roster.swapDecided')));
      return h('span', { class: 'swap-decide' }, comment, approve, reject);
    };
    const rows = swaps.map((s) =>
      h(
        'li',
        { 'data-testid': `swap-${s.id}`, 'data-state': s.state },
        tr('roster.swapLine', { shift: formatShiftKey(`${s.date}/${s.shiftId}`), from: nameOf(s.fromUser), to: nameOf(s.toUser), reason: s.reason, state: tr(`roster.swapState.${s.state}`) }),
        decide(s),
      ),
    );
    let form: HTMLElement | null = null;
    if (r.state === 'published' && mine.length > 0) {
      const which = h('select', { 'data-testid': 'swap-shift', 'aria-label': tr('roster.swapShift') }, mine.map((a) => h('option', { value: `${a.date}/${a.shiftId}` }, formatShiftKey(`${a.date}/${a.shiftId}`))));
      const to = h('select', { 'data-testid': 'swap-to', 'aria-label': tr('roster.swapTo') }, r.people.filter((p) => p.username !== me.username).map((p) => h('option', { value: p.username }, p.displayName)));
      const reason = h('input', { type: 'text', maxlength: 500, required: true, placeholder: tr('roster.swapReason'), 'data-testid': 'swap-reason' });
      // A re-render (another console changed the roster) must not drop what the person is filling in:
      // a silently reset shift choice would ask for a swap of a shift they never chose.
      keepInput(which, swapInput.which);
      keepInput(to, swapInput.to);
      keepInput(reason, swapInput.reason);
      swapInput = { which, to, reason };
      const ask = h('button', { type: 'submit', class: 'btn' }, tr('roster.swapAsk'));
      form = h('form', { class: 'swap-form', 'data-testid': 'swap-form' }, which, to, reason, ask);
      form.addEventListener('submit', (ev) => {
        ev.preventDefault();
        const [date, shiftId] = which.value.split('/') as [string, string];
        void act(async () => {
          await rosterApi.requestSwap({ date, shiftId, fromUser: me.username, toUser: to.value, reason: reason.value });
          reason.value = '';
        }, tr('roster.swapAsked'));
      });
    }
    replaceChildren(swapList, h('h3', {}, tr('roster.swaps')), rows.length ? h('ul', {}, rows) : h('p', { class: 'muted' }, tr('roster.noSwaps')), form);
  }

  /** The newest load: an older one that answers late (the month was changed meanwhile) must not render. */
  let loading = 0;
  async function load(clearMessage = true): Promise<void> {
    if (clearMessage) say('');
    const mine = ++loading;
    try {
      const [y, m] = month.split('-').map(Number) as [number, number];
      // The month's days, with a margin for the zone's offset; shifts are then taken by their start date.
      const [list, r, s] = await Promise.all([
        rosterApi.shifts(Date.UTC(y, m - 1, 1) - 86_400_000, Date.UTC(y, m, 1) + 86_400_000),
        rosterApi.get(month),
        rosterApi.swaps(month),
      ]);
      if (mine !== loading) return;
      shifts = list.filter((x) => x.date.startsWith(`${month}-`));
      [roster, swaps] = [r, s];
      draft = new Map();
      for (const a of roster.assignments) {
        const key = `${a.date}/${a.shiftId}`;
        draft.set(key, (draft.get(key) ?? new Set()).add(a.username));
      }
      renderGrid();
      renderSwaps();
    } catch (err) {
      say(errorText(err), true);
    }
  }

  const el = h(
    'section',
    { class: 'panel roster-panel', 'data-testid': 'roster-view' },
    h('h2', { class: 'panel-title' }, tr('roster.title')),
    h('div', { class: 'roster-toolbar' }, monthInput, status, saveButton, publishButton, exportLink, fileInput),
    message,
    grid,
    swapList,
  );
  void load();
  return { el };
}
