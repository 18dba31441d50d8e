// The shift report, printable in the console's language (zh-CN or en): readings min/max/mean per point (from
// the history's 1-minute rollups, and the report says so), alarms and how they were handled, entries, patrols done and missed, the handover result.
import type { DutyLogEntryView, ShiftReportView } from '../../../src/contract/api.ts';
import { routes } from '../../../src/contract/routes.ts';
import { call } from './api.ts';
import { h, replaceChildren } from './dom.ts';
import { errorText } from './errors.ts';
import { formatDateTime, formatNumber } from './format.ts';
import { loc, tr } from './lang.ts';
import type { Store } from './store.ts';

export function reportView(store: Store): { el: HTMLElement } {
  const body = h('div', { class: 'report-body', 'data-testid': 'report-body' });
  const shiftInput = h('input', { type: 'text', placeholder: 'YYYY-MM-DD/shift', 'data-testid': 'report-shift', 'aria-label': tr('report.shift'), pattern: '\\d{4}-\\d{2}-\\d{2}/[a-z0-9-]+' });
  const show = h('button', { type: 'button', class: 'btn', 'data-testid': 'report-show' }, tr('report.show'));
  const print = h('button', { type: 'button', class: 'btn', 'data-testid': 'report-print' }, tr('report.print'));
  print.addEventListener('click', () => window.print());
  const pointName = (key: string) => {
    const p = store.site.points.find((x) => x.key === key);
    return p ? loc(p.label) : key;
  };
  const roomName = (id: string) => loc(store.site.rooms.find((r) => r.id === id)?.name ?? { en: id, 'zh-CN': id });
  const line = (e: DutyLogEntryView) => `${formatDateTime(e.ts)} ${tr(`dutyLog.kind.${e.kind}`, { ...e.params, user: typeof e.params['user'] === 'string' ? e.params['user'] : (e.username ?? tr('dutyLog.system')) })}`;
  const section = (title: string, items: (string | HTMLElement)[]) => h('section', { class: 'report-section' }, h('h3', {}, title), items.length ? h('ul', {}, items.map((i) => h('li', {}, i))) : h('p', { class: 'muted' }, tr('handover.none')));

  const sourceLine = (src: ShiftReportView['readingsSource']): string => {
    if (src.error !== null) return tr('report.readingsUnavailable', { error: src.error });
    const line = tr('report.readingsSource', { backend: tr(`report.backend.${src.backend}`), from: formatDateTime(src.from), to: formatDateTime(src.to) });
    return src.outboxPoints > 0 ? `${line} ${tr('report.readingsPending', { points: src.outboxPoints })}` : line;
  };

  function render(r: ShiftReportView): void {
    const ho = r.handover;
    replaceChildren(
      body,
      h('h2', {}, tr('report.heading', { site: loc(store.site.name), date: r.shift.date, shift: loc(r.shift.name) })),
      h('p', {}, `${formatDateTime(r.shift.start)} – ${formatDateTime(r.shift.end)} · ${tr('journal.people', { people: r.people.map((u) => u.displayName).join(', ') || '—' })}`),
      h('p', { class: 'muted', 'data-testid': 'report-readings-source' }, sourceLine(r.readingsSource)),
      h(
        'table',
        { class: 'roster-table', 'data-testid': 'report-readings' },
        h('thead', {}, h('tr', {}, [tr('entries.room'), tr('report.point'), tr('report.min'), tr('report.max'), tr('report.mean'), tr('report.since')].map((c) => h('th', {}, c)))),
        h('tbody', {}, r.readings.map((p) => h('tr', {}, h('td', {}, roomName(p.roomId)), h('td', {}, pointName(p.pointKey)), h('td', {}, `${formatNumber(p.min)} ${p.unit}`), h('td', {}, `${formatNumber(p.max)} ${p.unit}`), h('td', {}, `${formatNumber(p.mean)} ${p.unit}`), h('td', {}, formatDateTime(p.since))))),
      ),
      section(tr('report.alarms'), r.alarms.map((a) => h('div', {}, a.entries.map((e) => h('div', {}, line(e)))))),
      section(tr('report.notes'), r.notes.map(line)),
      section(tr('report.patrolsDone'), r.patrolsDone.map(line)),
      section(tr('report.patrolsMissed'), r.patrolsMissed.map(line)),
      h('p', { 'data-testid': 'report-handover' }, ho ? (ho.state === 'completed' ? tr('handover.completed', { outgoing: ho.outgoingName, incoming: ho.incomingName ?? '', time: formatDateTime(ho.incomingSignedAt ?? 0) }) : tr('handover.awaiting', { user: ho.outgoingName, time: formatDateTime(ho.outgoingSignedAt) })) : tr('report.noHandover')),
      h('p', { class: 'muted' }, tr('report.generated', { time: formatDateTime(r.generatedAt) })),
    );
  }

  async function load(): Promise<void> {
    try {
      const q = shiftInput.value ? `?shift=${encodeURIComponent(shiftInput.value)}` : '';
      const r = await call<ShiftReportView>('GET', routes.shiftReport + q);
      shiftInput.value = r.shift.key;
      render(r);
    } catch (err) {
      replaceChildren(body, h('p', { class: 'form-message', 'data-error': 'true' }, errorText(err)));
    }
  }
  show.addEventListener('click', () => void load());
  const el = h('section', { class: 'panel report-panel', 'data-testid': 'report-view' }, h('div', { class: 'roster-toolbar no-print' }, shiftInput, show, print), body);
  void load();
  return { el };
}
