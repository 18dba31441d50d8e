// The tables of a period report (M1) as rows of text, made once for both the console page and the CSV files, so
// the numbers on the page and in the CSV are the same numbers (issue 16). Shared by server and console: imports
// types only. Numbers are rounded here (2 decimals, shares in %); times are the site's wall time (L6).
import type { MessageKey, MessageParams } from '../i18n/index.ts';
import type { Localized, SiteView } from './api.ts';
import type { AlarmKpisView, PatrolReadingSeriesView, PeriodReportView, ReportTable } from './period-report.ts';

export interface TableText {
  tr(key: MessageKey, params?: MessageParams): string;
  loc(text: Localized): string;
}

export interface TextTable {
  table: ReportTable;
  columns: string[];
  rows: string[][];
}

export const round = (n: number, decimals = 2): string => String(Number(n.toFixed(decimals)));
const pct = (share: number): string => round(share * 100);

/** YYYY-MM-DD HH:mm in the site's time zone. */
export function siteTime(at: number, timeZone: string): string {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-GB', { timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' })
      .formatToParts(new Date(at))
      .map((p) => [p.type, p.value]),
  );
  return `${parts['year']}-${parts['month']}-${parts['day']} ${parts['hour']}:${parts['minute']}`;
}

type Names = Pick<SiteView, 'rooms' | 'devices' | 'points' | 'timezone'>;

export function reportTables(r: PeriodReportView, site: Names, text: TableText): TextTable[] {
  const { tr, loc } = text;
  const room = (id: string | null): string => (id === null ? '' : loc(site.rooms.find((x) => x.id === id)?.name ?? { en: id, 'zh-CN': id }));
  const point = (key: string): string => {
    const p = site.points.find((x) => x.key === key);
    const device = site.devices.find((d) => d.id === p?.deviceId);
    return p ? `${device ? `${loc(device.name)} · ` : ''}${loc(p.label)}` : key;
  };
  const device = (id: string): string => loc(site.devices.find((d) => d.id === id)?.name ?? { en: id, 'zh-CN': id });
  const condition = (c: string): string => tr(`alarm.condition.${c}` as MessageKey);
  const time = (at: number | null): string => (at === null ? '' : siteTime(at, site.timezone));
  const opt = (n: number | null | undefined): string => (n === null || n === undefined ? '' : round(n));
  const head = (...keys: MessageKey[]): string[] => keys.map((k) => tr(k));
  const a = r.alarms;
  const c = r.compliance;
  const codeText = (pointKey: string, code: number): string => {
    const values = site.points.find((x) => x.key === pointKey)?.values;
    const t = values?.[String(code)];
    return t ? `${code} ${loc(t)}` : String(code);
  };

  /** A state point (control mode, unit status, fault code) in words; its codes have no mean ("Unit status: 3 Run", not 3.4). */
  const stateLike = (pointKey: string): boolean => site.points.find((x) => x.key === pointKey)?.values !== undefined;
  const figure = (pointKey: string, n: number | null | undefined, mean = false): string =>
    n === null || n === undefined ? '' : !stateLike(pointKey) ? round(n) : mean ? '—' : codeText(pointKey, n);

  const reading = (p: PatrolReadingSeriesView): string => (p.name ? loc(p.name) : point(p.reading));
  const readingUnit = (p: PatrolReadingSeriesView): string => p.unit ?? site.points.find((x) => x.key === p.reading)?.unit ?? '';
  const previousHead = tr('period.previousValue', { period: r.period.previousKey });
  /** Figure rows keyed, so the previous period's value lands beside the same figure (escalation levels and incident
   *  categories may differ between the two). */
  type Keyed = [key: string, label: string, value: string][];
  const beside = (now: Keyed, before: Keyed): string[][] => {
    const prev = new Map(before.map(([k, , v]) => [k, v]));
    const rows = now.map(([k, label, v]) => [label, v, prev.get(k) ?? '']);
    const extra = before.filter(([k]) => !now.some(([n]) => n === k)).map(([, label, v]) => [label, '', v]);
    return [...rows, ...extra];
  };
  const kpiRows = (a: AlarmKpisView): Keyed => [
    ['raised', tr('period.kpi.raised'), String(a.raised)],
    ['avg', tr('period.kpi.avgPer10Min', { positions: a.operatorPositions }), round(a.avgPer10Min)],
    ['peak', tr('period.kpi.peakPer10Min'), String(a.peakPer10Min)],
    ['peakAt', tr('period.kpi.peakAt'), time(a.peakAt)],
    // The number of periods differs between months: it is in the value, not the label, so the rows pair up.
    ['flood', tr('period.kpi.floodShare'), `${pct(a.floodShare)} % (${a.floodPeriods}/${a.periods10Min})`],
    ['badActors', tr('period.kpi.badActorShare'), `${pct(a.badActors.reduce((s, b) => s + b.share, 0))} %`],
    ['chattering', tr('period.kpi.chattering'), String(a.chattering.length)],
    ['fleeting', tr('period.kpi.fleeting'), String(a.fleeting)],
    ['standing', tr('period.kpi.standing'), String(a.standing.length)],
    ['shelved', tr('period.kpi.shelved'), `${round(a.shelvedMinutes)} (${a.shelves})`],
    ['outOfService', tr('period.kpi.outOfService'), `${round(a.outOfServiceMinutes)} (${a.outOfService})`],
    ...a.escalations.map((e): Keyed[number] => [`escalation-${e.level}`, tr('period.kpi.escalations', { level: e.level }), String(e.count)]),
  ];
  const complianceRows = (x: PeriodReportView['compliance']): Keyed => [
    ['shifts', tr('period.c.shifts'), String(x.handovers.shifts)],
    ['onTime', tr('period.c.onTime'), String(x.handovers.onTime)],
    ['late', tr('period.c.late'), String(x.handovers.late)],
    ['missing', tr('period.c.missing'), String(x.handovers.missing)],
    ['refused', tr('period.c.refused'), String(x.handovers.refused.length)],
    ['days', tr('period.c.days'), String(x.dutyLog.days)],
    ['signed', tr('period.c.signed'), String(x.dutyLog.signed)],
    ['unsigned', tr('period.c.unsigned'), x.dutyLog.unsigned.join(' ')],
    ['roomEntries', tr('period.c.roomEntries'), String(x.roomEntries)],
    ['playbooksOpened', tr('period.c.playbooksOpened'), String(x.playbooks.opened)],
    ['playbooksClosed', tr('period.c.playbooksClosed'), String(x.playbooks.closed)],
    ...x.incidents.flatMap((i): Keyed => {
      const category = tr(`journal.category.${i.category}` as MessageKey);
      return [
        [`incident-${i.category}`, tr('period.c.incidents', { category }), String(i.count)],
        [`incidentClosed-${i.category}`, tr('period.c.incidentsClosed', { category }), String(i.closed)],
      ];
    }),
  ];

  const tables: TextTable[] = [
    {
      table: 'comparison',
      columns: head('entries.room', 'report.point', 'period.unit', 'report.min', 'report.max', 'report.mean', 'period.prevMin', 'period.prevMax', 'period.prevMean', 'period.high', 'period.highHigh'),
      rows: r.trends.map((t) => [
        room(t.roomId), point(t.pointKey), t.unit,
        figure(t.pointKey, t.period?.min), figure(t.pointKey, t.period?.max), figure(t.pointKey, t.period?.mean, true),
        figure(t.pointKey, t.previous?.min), figure(t.pointKey, t.previous?.max), figure(t.pointKey, t.previous?.mean, true),
        opt(t.limits.high), opt(t.limits.highHigh),
      ]),
    },
    {
      table: 'trends',
      columns: head('entries.room', 'report.point', 'period.date', 'report.min', 'report.max', 'report.mean', 'period.unit'),
      rows: r.trends.flatMap((t) => t.days.map((d) => [room(t.roomId), point(t.pointKey), d.date, figure(t.pointKey, d.min), figure(t.pointKey, d.max), figure(t.pointKey, d.mean, true), t.unit])),
    },
    {
      table: 'exceedances',
      columns: head('period.rank', 'entries.room', 'report.point', 'period.limit', 'period.minutesAbove', 'period.excursions', 'period.worst', 'period.worstAt'),
      rows: r.exceedances.map((e, i) => [String(i + 1), room(e.roomId), point(e.pointKey), `${condition(e.limit)} ${round(e.value)} ${e.unit}`.trim(), String(e.minutes), String(e.excursions), `${round(e.worst)} ${e.unit}`.trim(), time(e.worstAt)]),
    },
    {
      table: 'patrolReadings',
      columns: head('entries.room', 'period.schedule', 'period.reading', 'period.unit', 'period.count', 'report.min', 'report.max', 'report.mean', 'period.prevMin', 'period.prevMax', 'period.prevMean'),
      rows: r.patrolReadings.map((p) => [room(p.roomId), loc(p.scheduleName), reading(p), readingUnit(p), String(p.count), round(p.min), round(p.max), round(p.mean), opt(p.previous?.min), opt(p.previous?.max), opt(p.previous?.mean)]),
    },
    {
      table: 'patrolReadingDays',
      columns: head('entries.room', 'period.schedule', 'period.reading', 'period.date', 'period.count', 'report.min', 'report.max', 'report.mean', 'period.unit'),
      rows: r.patrolReadings.flatMap((p) => p.days.map((d) => [room(p.roomId), loc(p.scheduleName), reading(p), d.date, String(d.count), round(d.min), round(d.max), round(d.mean), readingUnit(p)])),
    },
    {
      table: 'patrolChecklist',
      columns: head('entries.room', 'period.schedule', 'period.item', 'period.answered', 'period.passed', 'period.failed', 'period.failedDays'),
      rows: r.patrolChecklist.map((i) => [room(i.roomId), loc(i.scheduleName), loc(i.name), String(i.answered), String(i.passed), String(i.failed), i.failedDays.join(' ')]),
    },
    {
      table: 'alarmKpis',
      columns: [...head('period.metric', 'period.value'), previousHead],
      rows: beside(kpiRows(a), kpiRows(r.previous.alarms)),
    },
    {
      table: 'badActors',
      columns: head('period.rank', 'entries.room', 'report.point', 'period.condition', 'period.count', 'period.share'),
      rows: a.badActors.map((b, i) => [String(i + 1), room(b.roomId), point(b.pointKey), condition(b.condition), String(b.count), pct(b.share)]),
    },
    {
      table: 'chattering',
      columns: head('report.point', 'period.condition', 'period.episodes'),
      rows: a.chattering.map((x) => [point(x.pointKey), condition(x.condition), String(x.episodes)]),
    },
    {
      table: 'standing',
      columns: head('report.point', 'period.condition', 'period.raisedAt', 'period.hours'),
      rows: a.standing.map((x) => [point(x.pointKey), condition(x.condition), time(x.raisedAt), round(x.hours)]),
    },
    {
      table: 'responseTimes',
      columns: head('period.priority', 'period.count', 'period.ackMedian', 'period.ackP90', 'period.clearMedian', 'period.clearP90'),
      rows: a.byPriority.map((p) => [tr(`alarm.priority.${p.priority}`), String(p.count), opt(p.ack.median), opt(p.ack.p90), opt(p.clear.median), opt(p.clear.p90)]),
    },
    {
      table: 'equipment',
      columns: head('entries.room', 'period.device', 'period.starts', 'period.runHours', 'period.counterHours'),
      rows: r.equipment.map((e) => [room(e.roomId), device(e.deviceId), String(e.starts), round(e.runHours), opt(e.counterHours)]),
    },
    {
      table: 'faults',
      columns: head('entries.room', 'report.point', 'period.code', 'period.count', 'period.lastAt'),
      rows: r.faults.map((f) => [room(f.roomId), point(f.pointKey), codeText(f.pointKey, f.code), String(f.count), time(f.lastAt)]),
    },
    {
      table: 'patrols',
      columns: head('entries.room', 'period.schedule', 'period.due', 'period.done', 'period.late', 'period.missed', 'period.checklistFailed'),
      rows: c.patrols.map((p) => [room(p.roomId), loc(p.scheduleName), String(p.due), String(p.done), String(p.late), String(p.missed), String(p.checklistFailed)]),
    },
    {
      table: 'compliance',
      columns: [...head('period.metric', 'period.value'), previousHead],
      rows: beside(complianceRows(c), complianceRows(r.previous.compliance)),
    },
    {
      table: 'refusals',
      columns: head('period.time', 'period.shift', 'period.user', 'period.reasons'),
      rows: c.handovers.refused.map((x) => [time(x.ts), x.shift, x.user, x.reasons]),
    },
    {
      table: 'playbooks',
      columns: head('period.playbook', 'entries.room', 'period.playbookType', 'period.openedAt', 'period.closedAt', 'playbooks.cause', 'playbooks.course', 'playbooks.result', 'playbooks.followUp'),
      rows: c.playbooks.list.map((b) => [
        `#${b.id}`, room(b.roomId), tr(`playbooks.type.${b.type}` as MessageKey), time(b.openedAt), time(b.closedAt),
        b.report?.cause ?? '', b.report?.course ?? '', b.report?.result ?? '', b.report?.followUp ?? '',
      ]),
    },
  ];
  return tables;
}
