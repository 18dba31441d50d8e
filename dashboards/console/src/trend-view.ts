// Trend charts (issue 6): a room's points over the last hour/day/week/month or days picked on a calendar, with
// uPlot (bundled locally by esbuild), the alarm limits drawn as lines and alarm periods (raised → back to normal)
// shaded. One chart per point, titled with its device: each has its own unit and limits. Under each chart a
// legend says what the lines and the shading are, and a readout gives the time and value under the cursor
// (issue 15). Data from GET /api/trends (resolution chosen by the gateway from the range).
import uPlot from 'uplot';
import type { AlarmPeriod, PointView, TrendSeries } from '../../../src/contract/api.ts';
import { api } from './api.ts';
import { now } from './clock.ts';
import { h, replaceChildren, setText } from './dom.ts';
import { errorText } from './errors.ts';
import { formatDateTime, formatNumber, parseSiteDateTime, siteDate } from './format.ts';
import { lang, loc, tr } from './lang.ts';
import type { Store } from './store.ts';

const RANGES = { hour: 3_600_000, day: 86_400_000, week: 7 * 86_400_000, month: 30 * 86_400_000 } as const;
type Range = keyof typeof RANGES;
const LIMIT_KEYS = ['lowLow', 'low', 'high', 'highHigh'] as const;
type Limit = { key: (typeof LIMIT_KEYS)[number]; value: number };
/** A warning limit's line is amber, an alarm limit's red: the same colours in the legend (app.css). */
const limitColour = (key: string): string => (key === 'high' || key === 'low' ? '#f9a825' : '#e53935');
const SHADE = 'rgba(229, 57, 53, 0.18)';

function limitsOf(p: PointView): Limit[] {
  return LIMIT_KEYS.flatMap((key) => (p.limits?.[key] !== undefined ? [{ key, value: p.limits[key]! }] : []));
}

/** Limit lines and alarm shading, drawn on the canvas under the series. */
function overlay(limits: { key: string; value: number }[], periods: AlarmPeriod[], now: number, box: HTMLElement): uPlot.Plugin {
  return {
    hooks: {
      drawAxes: [
        (u: uPlot) => {
          const { ctx, bbox } = u;
          ctx.save();
          ctx.fillStyle = SHADE;
          for (const p of periods) {
            const x0 = Math.max(bbox.left, u.valToPos(p.from, 'x', true));
            const x1 = Math.min(bbox.left + bbox.width, u.valToPos(p.to ?? now, 'x', true));
            if (x1 > x0) ctx.fillRect(x0, bbox.top, x1 - x0, bbox.height);
          }
          let drawn = 0;
          ctx.setLineDash([6, 4]);
          ctx.lineWidth = 1.5;
          for (const l of limits) {
            const y = u.valToPos(l.value, 'y', true);
            if (y < bbox.top || y > bbox.top + bbox.height) continue;
            ctx.strokeStyle = limitColour(l.key);
            ctx.beginPath();
            ctx.moveTo(bbox.left, y);
            ctx.lineTo(bbox.left + bbox.width, y);
            ctx.stroke();
            drawn++;
          }
          ctx.restore();
          // For tests and assistive tools: what the canvas shows.
          box.dataset['limitLines'] = String(drawn);
          box.dataset['alarmPeriods'] = String(periods.length);
        },
      ],
    },
  };
}

/** Time labels in the site's timezone and the reader's language (L6: one standard clock); uPlot's own labels
 *  would be English and in the browser's zone. */
function axisFormat(zone: string, rangeMs: number): Intl.DateTimeFormat {
  const opts: Intl.DateTimeFormatOptions =
    // Days as the language writes them ("12月3日", "Dec 3"), never the ambiguous "12/03" (issue 15).
    rangeMs <= 86_400_000
      ? { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }
      : { month: 'short', day: 'numeric', ...(rangeMs <= 7 * 86_400_000 ? { hour: '2-digit', minute: '2-digit' } : {}), hourCycle: 'h23' };
  try {
    return new Intl.DateTimeFormat(lang(), { ...opts, timeZone: zone });
  } catch {
    return new Intl.DateTimeFormat(lang(), opts); // an unknown zone: the browser's
  }
}

/** What the chart's lines and shading mean, in the chart's own colours (app.css .trend-swatch--*; no inline
 *  styles, the console's CSP allows none). */
function legend(p: PointView, limits: Limit[], rollups: boolean, shaded: boolean): HTMLElement {
  const item = (swatch: string, text: string, testId?: string) =>
    h('span', { class: 'trend-legend-item', 'data-testid': testId ?? null }, h('span', { class: `trend-swatch trend-swatch--${swatch}` }), text);
  return h(
    'div',
    { class: 'trend-legend', 'data-testid': `trend-legend-${p.key}` },
    item('value', tr(rollups ? 'historian.trend.legend.mean' : 'historian.trend.legend.value')),
    rollups ? item('band', tr('historian.trend.legend.band')) : null,
    limits.map((l) =>
      item(l.key === 'high' || l.key === 'low' ? 'warn' : 'alarm', tr('historian.trend.legend.limit', { condition: tr(`alarm.condition.${l.key}`), value: `${formatNumber(l.value)} ${p.unit}`.trim() }), `trend-legend-limit-${l.key}`),
    ),
    shaded ? item('shade', tr('historian.trend.legend.alarm')) : null,
  );
}

function chart(store: Store, p: PointView, s: TrendSeries, periods: AlarmPeriod[], from: number, to: number, width: number, zone: string): HTMLElement {
  const box = h('div', { class: 'trend-chart', 'data-testid': `trend-${p.key}` });
  const readout = h('div', { class: 'trend-readout muted', 'data-testid': `trend-readout-${p.key}`, 'aria-live': 'off' }, tr('historian.trend.readoutHint'));
  const limits = limitsOf(p);
  const own = periods.filter((a) => a.pointKey === p.key);
  const device = store.index.devices.get(p.deviceId);
  const values = [...s.value, ...(s.min ?? []), ...(s.max ?? [])].filter((v): v is number => v !== null);
  box.dataset['values'] = String(s.value.filter((v) => v !== null).length);
  // The y range includes the limits, so a line is always visible next to the data.
  const all = [...values, ...limits.map((l) => l.value)];
  const lo = all.length ? Math.min(...all) : 0;
  const hi = all.length ? Math.max(...all) : 1;
  const pad = Math.max((hi - lo) * 0.08, 0.5);
  const timeFmt = axisFormat(zone, to - from);
  const opts: uPlot.Options = {
    width,
    height: 180,
    ms: 1,
    // The device names the chart: two rooms' "Temperature" or a pump's two "Current"s are told apart.
    title: `${device ? `${loc(device.name)} · ` : ''}${loc(p.label)}${p.unit ? ` (${p.unit})` : ''}`,
    scales: { x: { time: true, min: from, max: to }, y: { range: () => [lo - pad, hi + pad] } },
    series: [
      {},
      { label: loc(p.label), stroke: '#4fc3f7', width: 1.5, spanGaps: false },
      // Rollups: the bucket's min and max as a band around the mean, so a short spike is not averaged away.
      ...(s.min && s.max ? [{ stroke: 'rgba(79, 195, 247, 0.35)', width: 1 }, { stroke: 'rgba(79, 195, 247, 0.35)', width: 1 }] : []),
    ],
    ...(s.min && s.max ? { bands: [{ series: [3, 2] as [number, number], fill: 'rgba(79, 195, 247, 0.12)' }] } : {}),
    axes: [{ stroke: '#aab', values: (_u, splits) => splits.map((v) => timeFmt.format(v)) }, { stroke: '#aab' }],
    legend: { show: false },
    plugins: [overlay(limits, own, to, box)],
    hooks: {
      // The time and value under the cursor, in the site's clock (with the bucket's min–max for rollups).
      setCursor: [
        (u: uPlot) => {
          const i = u.cursor.idx;
          const v = i === null || i === undefined ? null : s.value[i];
          if (i === null || i === undefined || v === null || v === undefined) return setText(readout, tr('historian.trend.readoutHint'));
          const range = s.min && s.max && s.min[i] !== null && s.max[i] !== null ? ` (${formatNumber(s.min[i]!)}–${formatNumber(s.max[i]!)})` : '';
          setText(readout, `${formatDateTime(s.t[i]!)}  ${formatNumber(v)}${p.unit ? ` ${p.unit}` : ''}${range}`);
        },
      ],
    },
  };
  new uPlot(opts, s.min && s.max ? [s.t, s.value, s.min, s.max] : [s.t, s.value], box);
  box.append(readout, legend(p, limits, Boolean(s.min && s.max), own.length > 0));
  return box;
}

export function trendView(store: Store): { el: HTMLElement; destroy(): void } {
  let roomId = store.site.rooms[0]?.id ?? '';
  let range: Range | 'dates' = 'hour';
  const body = h('div', { class: 'trend-body', 'data-testid': 'trend-body' });
  const roomSelect = h('select', { 'data-testid': 'trend-room', 'aria-label': tr('historian.trend.room') });
  for (const r of store.site.rooms) roomSelect.append(h('option', { value: r.id }, loc(r.name)));
  roomSelect.addEventListener('change', () => {
    roomId = roomSelect.value;
    void load();
  });
  const buttons = (Object.keys(RANGES) as Range[]).map((r) => {
    const b = h('button', { type: 'button', class: 'btn', 'data-testid': `trend-range-${r}` }, tr(`historian.trend.range.${r}`));
    b.addEventListener('click', () => {
      range = r;
      void load();
    });
    return b;
  });
  // Days picked on a calendar (site days: from the first's midnight to the end of the last, or now).
  const today = siteDate(now());
  const fromDate = h('input', { type: 'date', max: today, value: today, 'data-testid': 'trend-from', 'aria-label': tr('historian.trend.from') });
  const toDate = h('input', { type: 'date', max: today, value: today, 'data-testid': 'trend-to', 'aria-label': tr('historian.trend.to') });
  const showDates = h('button', { type: 'button', class: 'btn', 'data-testid': 'trend-range-dates' }, tr('historian.trend.showDates'));
  showDates.addEventListener('click', () => {
    range = 'dates';
    void load();
  });
  const el = h(
    'section',
    { class: 'panel trends', 'data-testid': 'trends' },
    h('h2', {}, tr('historian.trend.title')),
    h('div', { class: 'trend-controls' }, roomSelect, ...buttons, h('span', { class: 'trend-dates' }, h('label', {}, tr('historian.trend.from'), ' ', fromDate), h('label', {}, tr('historian.trend.to'), ' ', toDate), showDates)),
    body,
  );

  /** The time span shown: the last hour … month, or the picked days; null when the days make no span. */
  function span(): { from: number; to: number } | null {
    const to = now();
    if (range !== 'dates') return { from: to - RANGES[range], to };
    const start = parseSiteDateTime(`${fromDate.value}T00:00`);
    const endDay = parseSiteDateTime(`${toDate.value}T00:00`);
    if (start === null || endDay === null) return null;
    const end = Math.min(to, endDay + 86_400_000);
    return end > start ? { from: start, to: end } : null;
  }

  async function load(): Promise<void> {
    for (const b of [...buttons, showDates]) b.setAttribute('aria-pressed', String(b.dataset['testid'] === `trend-range-${range}`));
    const points = store.site.points.filter((p) => p.roomId === roomId);
    if (points.length === 0) return replaceChildren(body, tr('historian.trend.noPoints'));
    const picked = span();
    if (!picked) return replaceChildren(body, tr('historian.trend.badDates'));
    const { from, to } = picked;
    body.dataset['state'] = 'loading';
    try {
      const view = await api.trends(points.map((p) => p.key), from, to);
      const width = Math.max(300, (body.clientWidth || 600) - 8);
      replaceChildren(body, ...points.map((p) => chart(store, p, view.series.find((s) => s.pointKey === p.key) ?? { pointKey: p.key, t: [], value: [] }, view.alarms, from, to, width, store.site.timezone)));
      body.dataset['resolution'] = view.resolution;
      body.dataset['state'] = 'ready';
    } catch (err) {
      replaceChildren(body, errorText(err));
      body.dataset['state'] = 'error';
    }
  }
  void load();
  return { el, destroy: () => replaceChildren(body) };
}
