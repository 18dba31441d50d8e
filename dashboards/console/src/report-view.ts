// The shift report, printable in the console's language (zh-CN or en): readings min/max/mean per point (from
// the history's 1-minute rollups, and the report says so), alarms and how they were handled, entries, patrols
// done and missed, the handover result, and lines for the signatures. Entries read through entry-text.ts,
// the one renderer of the duty log. It opens on the shift in progress (an empty report of a shift before the
// install helps nobody); another shift is a date and a shift name away.
import type { DutyLogEntryView, OnDutyView, PointView, ShiftReportView } from '../../../src/contract/api.ts';
import { routes } from '../../../src/contract/routes.ts';
import { call } from './api.ts';
import { now } from './clock.ts';
import { h, replaceChildren } from './dom.ts';
import { entryText } from './entry-text.ts';
import { errorText } from './errors.ts';
import { formatDateTime, formatDay, formatNumber, siteDate } from './format.ts';
import { loc, tr } from './lang.ts';
import { recordNames } from './record-names.ts';
import type { Store } from './store.ts';

type ReadingRow = ShiftReportView['readings'][number];

export function reportView(store: Store): { el: HTMLElement } {
  const body = h('div', { class: 'report-body', 'data-testid': 'report-body' });
  const dateInput = h('input', { type: 'date', value: siteDate(now()), 'data-testid': 'report-date', 'aria-label': tr('journal.date') });
  const shiftSelect = h('select', { 'data-testid': 'report-shift', 'aria-label': tr('report.shift') }, [...recordNames().shifts].map(([id, name]) => h('option', { value: id }, loc(name))));
  const show = h('button', { type: 'button', class: 'btn', 'data-testid': 'report-show' }, tr('report.show'));
  const print = h('button', { type: 'button', class: 'btn', 'data-testid': 'report-print' }, tr('report.print'));
  print.addEventListener('click', () => window.print());

  const line = (e: DutyLogEntryView): string => `${formatDateTime(e.ts)} ${entryText(store, e)}`;
  const section = (id: string, title: string, items: (string | HTMLElement)[]) =>
    h('section', { class: 'report-section', 'data-testid': `report-${id}` }, h('h3', {}, title), items.length ? h('ul', {}, items.map((i) => h('li', {}, i))) : h('p', { class: 'muted' }, tr('handover.none')));

  const sourceLine = (src: ShiftReportView['readingsSource']): string => {
    if (src.error !== null) return tr('report.readingsUnavailable', { error: src.error });
    const text = tr('report.readingsSource', { backend: tr(`report.backend.${src.backend}`), from: formatDateTime(src.from), to: formatDateTime(src.to) });
    return src.outboxPoints > 0 ? `${text} ${tr('report.readingsPending', { points: src.outboxPoints })}` : text;
  };

  /** A state point (control mode, unit status) has no mean: its row names the states seen instead. */
  const readingRow = (r: ReadingRow): HTMLElement => {
    const point: PointView | undefined = store.index.points.get(r.pointKey);
    const device = point ? store.index.devices.get(point.deviceId) : undefined;
    const room = store.index.rooms.get(r.roomId);
    const cells: (string | null)[] = point?.values
      ? [stateText(point, r.min), stateText(point, r.max), '—']
      : [`${formatNumber(r.min, point?.precision)} ${r.unit}`, `${formatNumber(r.max, point?.precision)} ${r.unit}`, `${formatNumber(r.mean, point?.precision)} ${r.unit}`];
    return h(
      'tr',
      { 'data-point': r.pointKey },
      h('td', {}, room ? loc(room.name) : '—'),
      h('td', {}, device ? loc(device.name) : '—'),
      h('td', {}, point ? loc(point.label) : '—'),
      cells.map((c) => h('td', {}, c)),
      h('td', {}, formatDateTime(r.since)),
    );
  };

  // The site's own order (room, device, point as configured), so a device's points stay together.
  const order = (key: string): number => store.site.points.findIndex((p) => p.key === key);
  const signatures = (): HTMLElement =>
    h(
      'section',
      { class: 'report-signatures', 'data-testid': 'report-signatures' },
      h('h3', {}, tr('report.signatures')),
      [tr('report.signOutgoing'), tr('report.signIncoming'), tr('report.signSupervisor')].map((who) =>
        h('p', { class: 'signature-line' }, h('span', {}, who), h('span', { class: 'signature-blank' }), h('span', {}, tr('report.signDate')), h('span', { class: 'signature-blank signature-blank--date' })),
      ),
    );

  function render(r: ShiftReportView): void {
    const ho = r.handover;
    replaceChildren(
      body,
      h('h2', {}, tr('report.heading', { site: loc(store.site.name), date: formatDay(r.shift.date, true), shift: loc(r.shift.name) })),
      h('p', {}, `${formatDateTime(r.shift.start)} – ${formatDateTime(r.shift.end)} · ${tr('journal.people', { people: r.people.map((u) => u.displayName).join(tr('list.separator')) || '—' })}`),
      h('p', { class: 'muted', 'data-testid': 'report-readings-source' }, sourceLine(r.readingsSource)),
      h(
        'table',
        { class: 'roster-table report-table', 'data-testid': 'report-readings' },
        h('thead', {}, h('tr', {}, [tr('entries.room'), tr('report.device'), tr('report.point'), tr('report.min'), tr('report.max'), tr('report.mean'), tr('report.since')].map((c) => h('th', {}, c)))),
        h('tbody', {}, [...r.readings].sort((a, b) => order(a.pointKey) - order(b.pointKey)).map(readingRow)),
      ),
      section('alarms', tr('report.alarms'), r.alarms.map((a) => h('div', {}, a.entries.map((e) => h('div', {}, line(e)))))),
      section('notes', tr('report.notes'), r.notes.map(line)),
      section('patrols-done', tr('report.patrolsDone'), r.patrolsDone.map(line)),
      section('patrols-missed', tr('report.patrolsMissed'), r.patrolsMissed.map(line)),
      h('p', { 'data-testid': 'report-handover' }, ho ? (ho.state === 'completed' ? tr('handover.completed', { outgoing: ho.outgoingName, incoming: ho.incomingName ?? '', time: formatDateTime(ho.incomingSignedAt ?? 0) }) : tr('handover.awaiting', { user: ho.outgoingName, time: formatDateTime(ho.outgoingSignedAt) })) : tr('report.noHandover')),
      signatures(),
      h('p', { class: 'muted' }, tr('report.generated', { time: formatDateTime(r.generatedAt) })),
    );
  }

  async function load(key: string | null): Promise<void> {
    try {
      const r = await call<ShiftReportView>('GET', routes.shiftReport + (key ? `?shift=${encodeURIComponent(key)}` : ''));
      dateInput.value = r.shift.date;
      shiftSelect.value = r.shift.shiftId;
      render(r);
    } catch (err) {
      replaceChildren(body, h('p', { class: 'form-message', 'data-error': 'true' }, errorText(err)));
    }
  }
  show.addEventListener('click', () => void load(dateInput.value && shiftSelect.value ? `${dateInput.value}/${shiftSelect.value}` : null));
  const el = h('section', { class: 'panel report-panel', 'data-testid': 'report-view' }, h('div', { class: 'roster-toolbar no-print' }, dateInput, shiftSelect, show, print), body);
  // The shift in progress; without one (a site without shifts, a gap) the gateway's last ended shift.
  void call<OnDutyView>('GET', routes.onDuty)
    .then((d) => d.shifts[0]?.key ?? null, () => null)
    .then((key) => load(key));
  return { el };
}

/** An enumerated value as its text ("5" → "5 恒压差"), for state points that must not be averaged. */
function stateText(point: PointView, value: number): string {
  const label = point.values?.[String(value)];
  return label ? loc(label) : formatNumber(value);
}
