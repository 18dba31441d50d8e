// Trend charts (issue 6): a room's points over the last hour/day/week/month with uPlot (bundled locally by
// esbuild), the alarm limits drawn as lines and alarm periods (raised → cleared) shaded. One chart per point:
// each has its own unit and limits. Data from GET /api/trends (resolution chosen by the gateway from the range).
import uPlot from 'uplot';
import type { AlarmPeriod, PointView, TrendSeries } from '../../../src/contract/api.ts';
import { api } from './api.ts';
import { now } from './clock.ts';
import { h, replaceChildren } from './dom.ts';
import { errorText } from './errors.ts';
import { lang, loc, tr } from './lang.ts';
import type { Store } from './store.ts';

const RANGES = { hour: 3_600_000, day: 86_400_000, week: 7 * 86_400_000, month: 30 * 86_400_000 } as const;
type Range = keyof typeof RANGES;
const LIMIT_KEYS = ['lowLow', 'low', 'high', 'highHigh'] as const;

function limitsOf(p: PointView): { key: string; value: number }[] {
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
          ctx.fillStyle = 'rgba(229, 57, 53, 0.18)';
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
            ctx.strokeStyle = l.key === 'high' || l.key === 'low' ? '#f9a825' : '#e53935';
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
    rangeMs <= 86_400_000 ? { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' } : { month: '2-digit', day: '2-digit', hour: rangeMs <= 7 * 86_400_000 ? '2-digit' : undefined, hourCycle: 'h23' };
  try {
    return new Intl.DateTimeFormat(lang(), { ...opts, timeZone: zone });
  } catch {
    return new Intl.DateTimeFormat(lang(), opts); // an unknown zone: the browser's
  }
}

function chart(p: PointView, s: TrendSeries, periods: AlarmPeriod[], from: number, to: number, width: number, zone: string): HTMLElement {
  const box = h('div', { class: 'trend-chart', 'data-testid': `trend-${p.key}` });
  const limits = limitsOf(p);
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
    title: `${loc(p.label)} (${p.unit})`,
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
    plugins: [overlay(limits, periods.filter((a) => a.pointKey === p.key), to, box)],
  };
  new uPlot(opts, s.min && s.max ? [s.t, s.value, s.min, s.max] : [s.t, s.value], box);
  return box;
}

export function trendView(store: Store): { el: HTMLElement; destroy(): void } {
  let roomId = store.site.rooms[0]?.id ?? '';
  let range: Range = 'hour';
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
  const el = h('section', { class: 'panel trends', 'data-testid': 'trends' }, h('h2', {}, tr('historian.trend.title')), h('div', { class: 'trend-controls' }, roomSelect, ...buttons), body);

  async function load(): Promise<void> {
    for (const b of buttons) b.setAttribute('aria-pressed', String(b.dataset['testid'] === `trend-range-${range}`));
    const points = store.site.points.filter((p) => p.roomId === roomId);
    if (points.length === 0) return replaceChildren(body, tr('historian.trend.noPoints'));
    const to = now();
    const from = to - RANGES[range];
    body.dataset['state'] = 'loading';
    try {
      const view = await api.trends(points.map((p) => p.key), from, to);
      const width = Math.max(300, (body.clientWidth || 600) - 8);
      replaceChildren(body, ...points.map((p) => chart(p, view.series.find((s) => s.pointKey === p.key) ?? { pointKey: p.key, t: [], value: [] }, view.alarms, from, to, width, store.site.timezone)));
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
