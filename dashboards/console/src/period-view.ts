// The supervisor's period report (M1): a week, month, half-year or year for the site or one room, with its
// tables (the same rows the CSV files carry: src/contract/report-tables.ts), daily charts with the limits, the
// meeting record and last period's plan, and signature lines; printed by the browser (docs/decisions.md) with
// page numbers and the CJK font embedded.
import type { MeetingRecordView, PeriodReportView, TrendPointView } from '../../../src/contract/api.ts';
import { reportTables, siteTime, type TextTable } from '../../../src/contract/report-tables.ts';
import { routes } from '../../../src/contract/routes.ts';
import { canReport } from '../../../src/auth/report-access.ts';
import type { MessageKey } from '../../../src/i18n/index.ts';
import { call } from './api.ts';
import { now } from './clock.ts';
import { h, replaceChildren } from './dom.ts';
import { errorText } from './errors.ts';
import { siteDate } from './format.ts';
import { lang, loc, tr } from './lang.ts';
import type { Store } from './store.ts';

const SVG = 'http://www.w3.org/2000/svg';
const svg = (tag: string, attrs: Record<string, string | number>): SVGElement => {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  return el;
};

/** Daily min–max bars, the mean as a line, and the limits dashed: a small vector chart that prints sharply. */
function dailyChart(t: Pick<TrendPointView, 'days' | 'limits'>, title: string): HTMLElement {
  const W = 520;
  const H = 140;
  const pad = 28;
  const values = t.days.flatMap((d) => [d.min, d.max]).concat(t.limits.high ?? [], t.limits.highHigh ?? []);
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  const span = hi - lo || 1;
  const y = (v: number): number => H - pad / 2 - ((v - lo) / span) * (H - pad);
  const step = (W - pad * 2) / Math.max(1, t.days.length);
  const x = (i: number): number => pad + step * (i + 0.5);
  const chart = svg('svg', { viewBox: `0 0 ${W} ${H}`, class: 'period-chart', role: 'img', 'aria-label': title });
  t.days.forEach((d, i) => chart.append(svg('line', { x1: x(i), x2: x(i), y1: y(d.min), y2: y(d.max), stroke: '#4a7bd0', 'stroke-width': Math.max(2, step * 0.5) })));
  chart.append(svg('polyline', { points: t.days.map((d, i) => `${x(i)},${y(d.mean)}`).join(' '), fill: 'none', stroke: '#111', 'stroke-width': 1.5 }));
  for (const [key, color] of [['high', '#d08a00'], ['highHigh', '#c0392b']] as const) {
    const v = t.limits[key];
    if (v === undefined) continue;
    chart.append(svg('line', { x1: pad, x2: W - pad, y1: y(v), y2: y(v), stroke: color, 'stroke-dasharray': '6 4' }));
    const label = svg('text', { x: W - pad + 2, y: y(v) + 4, 'font-size': 10, fill: color });
    label.textContent = String(v);
    chart.append(label);
  }
  for (const v of [lo, hi]) {
    const label = svg('text', { x: 2, y: y(v) + 4, 'font-size': 10 });
    label.textContent = String(Number(v.toFixed(1)));
    chart.append(label);
  }
  return h('figure', { class: 'period-figure' }, h('figcaption', {}, title), chart as unknown as HTMLElement);
}

function tableEl(t: TextTable, csvHref: string): HTMLElement {
  return h(
    'section',
    { class: 'report-section period-table', 'data-testid': `period-${t.table}` },
    h('h3', {}, tr(`period.table.${t.table}` as MessageKey), ' ', h('a', { class: 'no-print csv-link', href: csvHref, download: '', 'data-testid': `csv-${t.table}` }, tr('period.csv'))),
    t.rows.length
      ? h('table', { class: 'roster-table' }, h('thead', {}, h('tr', {}, t.columns.map((c) => h('th', {}, c)))), h('tbody', {}, t.rows.map((r) => h('tr', {}, r.map((c) => h('td', {}, c))))))
      : h('p', { class: 'muted' }, tr('period.none')),
  );
}

export function periodView(store: Store): { el: HTMLElement } {
  const role = store.user.role;
  const siteAllowed = canReport('report.site.read', role);
  const body = h('div', { class: 'report-body period-body', 'data-testid': 'period-body' });
  const periodInput = h('input', { type: 'text', value: siteDate(now()).slice(0, 7), 'data-testid': 'period-key', 'aria-label': tr('period.period'), title: tr('period.period'), pattern: '\\d{4}(-\\d{2}|-W\\d{2}|-H[12])?' });
  const roomSelect = h(
    'select',
    { 'data-testid': 'period-room', 'aria-label': tr('period.room') },
    siteAllowed ? h('option', { value: '' }, tr('period.scope.site')) : null,
    store.site.rooms.map((r) => h('option', { value: r.id }, loc(r.name))),
  );
  const show = h('button', { type: 'button', class: 'btn', 'data-testid': 'period-show' }, tr('period.show'));
  const print = h('button', { type: 'button', class: 'btn', 'data-testid': 'period-print' }, tr('period.print'));
  print.addEventListener('click', () => window.print());

  const query = (r: PeriodReportView): string => `?period=${encodeURIComponent(r.period.key)}${r.roomId ? `&room=${encodeURIComponent(r.roomId)}` : ''}`;
  const time = (at: number): string => siteTime(at, store.site.timezone);

  function meeting(r: PeriodReportView): HTMLElement {
    const record = (m: MeetingRecordView | null, empty: string): HTMLElement[] =>
      m ? [h('p', { class: 'pre' }, m.notes), h('p', { class: 'muted' }, tr('period.signed', { user: m.signedByName, time: time(m.signedAt) }))] : [h('p', { class: 'muted' }, empty)];
    const section = h(
      'section',
      { class: 'report-section period-meeting', 'data-testid': 'period-meeting' },
      h('h3', {}, tr('period.previousPlan', { period: r.period.previousKey })),
      h('p', { class: 'pre', 'data-testid': 'period-previous-plan' }, r.previousPlan?.plan ?? tr('period.noPreviousPlan')),
      h('h3', {}, tr('period.meeting')),
      h('div', { 'data-testid': 'period-meeting-record' }, r.meeting ? [h('h4', {}, tr('period.notes')), ...record(r.meeting, ''), h('h4', {}, tr('period.plan')), h('p', { class: 'pre' }, r.meeting.plan)] : record(null, tr('period.notSigned'))),
    );
    if (!canReport('report.meeting.sign', role)) return section;
    const notes = h('textarea', { rows: 4, 'data-testid': 'meeting-notes', 'aria-label': tr('period.notes'), placeholder: tr('period.notes') });
    const plan = h('textarea', { rows: 3, 'data-testid': 'meeting-plan', 'aria-label': tr('period.plan'), placeholder: tr('period.plan') });
    notes.value = r.meeting?.notes ?? '';
    plan.value = r.meeting?.plan ?? '';
    const message = h('p', { class: 'form-message', 'data-testid': 'meeting-message' });
    const sign = h('button', { type: 'button', class: 'btn', 'data-testid': 'meeting-sign' }, tr('period.sign'));
    sign.addEventListener('click', () => {
      call<MeetingRecordView>('POST', routes.periodReportMeeting + query(r), { notes: notes.value, plan: plan.value })
        .then(() => load())
        .catch((err: unknown) => {
          message.textContent = errorText(err);
          message.setAttribute('data-error', 'true');
        });
    });
    section.append(h('div', { class: 'no-print meeting-form' }, notes, plan, sign, message));
    return section;
  }

  function render(r: PeriodReportView): void {
    const scope = r.roomId ? loc(store.site.rooms.find((x) => x.id === r.roomId)?.name ?? { en: r.roomId, 'zh-CN': r.roomId }) : tr('period.scope.site');
    const tables = reportTables(r, store.site, { tr, loc });
    const csv = (table: string): string => `${routes.periodReportCsv(table)}${query(r)}&lang=${encodeURIComponent(lang())}`;
    const byName = new Map(tables.map((t) => [t.table, t]));
    const table = (name: TextTable['table']): HTMLElement => tableEl(byName.get(name)!, csv(name));
    const src = r.readingsSource;
    const pointName = (key: string): string => {
      const p = store.site.points.find((x) => x.key === key);
      return p ? `${loc(store.site.rooms.find((x) => x.id === p.roomId)?.name ?? { en: '', 'zh-CN': '' })} · ${loc(p.label)}` : key;
    };
    const charted = r.trends.filter((t) => t.days.length > 0 && (t.limits.high !== undefined || t.limits.highHigh !== undefined));
    const daily = byName.get('trends')!;
    const patrolDaily = byName.get('patrolReadingDays')!;
    const patrolReadingName = (p: PeriodReportView['patrolReadings'][number]): string => `${loc(p.scheduleName)} · ${p.name ? loc(p.name) : pointName(p.reading)}`;
    replaceChildren(
      body,
      h('h2', { 'data-testid': 'period-heading' }, tr('period.heading', { site: loc(store.site.name), scope, kind: tr(`period.kind.${r.period.kind}`), period: r.period.key })),
      h('p', {}, tr('period.range', { from: time(r.period.from), to: time(r.period.to), timezone: r.period.timezone })),
      h('p', { class: 'muted', 'data-testid': 'period-source' }, src.error === null ? tr('period.source', { backend: tr(`report.backend.${src.backend}`) }) : tr('period.unavailable', { error: src.error })),
      table('comparison'),
      charted.length ? h('section', { class: 'report-section period-charts' }, h('h3', {}, tr('period.chartTitle')), charted.map((t) => dailyChart(t, pointName(t.pointKey)))) : null,
      h('details', { class: 'report-section no-print', 'data-testid': 'period-daily' }, h('summary', {}, tr('period.dailyFigures', { rows: daily.rows.length })), tableEl(daily, csv('trends'))),
      table('exceedances'),
      table('patrolReadings'),
      r.patrolReadings.length
        ? h('section', { class: 'report-section period-charts', 'data-testid': 'period-patrol-charts' }, h('h3', {}, tr('period.patrolChartTitle')), r.patrolReadings.map((p) => dailyChart({ days: p.days, limits: {} }, patrolReadingName(p))))
        : null,
      h('details', { class: 'report-section no-print', 'data-testid': 'period-patrol-daily' }, h('summary', {}, tr('period.patrolDailyFigures', { rows: patrolDaily.rows.length })), tableEl(patrolDaily, csv('patrolReadingDays'))),
      table('patrolChecklist'),
      table('alarmKpis'),
      table('badActors'),
      table('chattering'),
      table('standing'),
      table('responseTimes'),
      table('equipment'),
      table('faults'),
      table('patrols'),
      table('compliance'),
      table('refusals'),
      table('playbooks'),
      meeting(r),
      h(
        'section',
        { class: 'report-section period-signatures', 'data-testid': 'period-signatures' },
        h('h3', {}, tr('period.signatures')),
        [tr('period.signSupervisor'), tr('period.signManager')].map((who) => h('p', { class: 'signature-line' }, `${who}: ____________________    ${tr('period.signDate')}: ____________`)),
      ),
      h('p', { class: 'muted' }, tr('report.generated', { time: time(r.generatedAt) })),
    );
  }

  async function load(): Promise<void> {
    try {
      // An empty period field (the page restored after a reload or a language switch) asks for the current month.
      const params = new URLSearchParams();
      if (periodInput.value.trim()) params.set('period', periodInput.value.trim());
      if (roomSelect.value) params.set('room', roomSelect.value);
      render(await call<PeriodReportView>('GET', `${routes.periodReport}?${params.toString()}`));
    } catch (err) {
      replaceChildren(body, h('p', { class: 'form-message', 'data-error': 'true', 'data-testid': 'period-error' }, errorText(err)));
    }
  }
  show.addEventListener('click', () => void load());
  const el = h('section', { class: 'panel report-panel period-panel', 'data-testid': 'period-view' }, h('div', { class: 'roster-toolbar no-print' }, periodInput, roomSelect, show, print), body);
  void load();
  return { el };
}
