// The period report's API on a generated month (M1, issue 16): every figure checked against values computed
// from the raw generated data (test/helpers/month-expected.ts), the CSV rows equal to the page's, the meeting
// record signed and carried into the next month, and who may open which report (the permission table).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPORT_TABLES, type PeriodReportView } from '../../src/contract/api.ts';
import { api, login } from '../helpers/console-client.ts';
import { HUM, NOV, PUMP_ROOM, ROOM, TEMP } from '../helpers/month-data.ts';
import { alarmFigures, complianceFigures, exceedance, novemberDay, october, pointFigures, pumpFigures } from '../helpers/month-expected.ts';
import { startMonthSite, type MonthSite } from '../helpers/month-site.ts';

let site: MonthSite;
const cookies: Record<string, string> = {};
const get = <T = PeriodReportView>(user: string, path: string) => api<T>(site.gw.url, cookies[user]!, path);

beforeAll(async () => {
  site = await startMonthSite();
  for (const [u, p] of [['super', 'super'], ['duty', 'duty'], ['shiftlead', 'shiftlead']]) cookies[u!] = (await login(site.gw.url, u!, p!)).cookie;
}, 180_000);
afterAll(async () => site?.gw.dispose());

describe('period report API on a generated month (M1)', () => {
  let r: PeriodReportView;
  beforeAll(async () => {
    const res = await get('super', '/api/period-report?period=2026-11');
    expect(res.status).toBe(200);
    r = res.body;
  }, 60_000);

  it('bounds November by Shanghai midnights and names October as the previous month', () => {
    expect(r.period).toMatchObject({ key: '2026-11', kind: 'month', from: NOV.from, to: NOV.to, previousKey: '2026-10', timezone: 'Asia/Shanghai' });
  });

  it('has the daily and monthly readings with the previous month beside them', () => {
    const temp = r.trends.find((t) => t.pointKey === TEMP)!;
    expect(temp.limits).toMatchObject({ high: 35, highHigh: 40 });
    expect(temp.days).toHaveLength(30);
    const nov = pointFigures(TEMP, NOV);
    expect(temp.period!.min).toBeCloseTo(nov.min, 9);
    expect(temp.period!.max).toBeCloseTo(nov.max, 9);
    expect(temp.period!.mean).toBeCloseTo(nov.mean, 6);
    expect(temp.previous!.mean).toBeCloseTo(october(TEMP).mean, 6);
    for (const d of [1, 5, 30]) {
      const want = novemberDay(TEMP, d);
      const got = temp.days[d - 1]!;
      expect(got.date).toBe(`2026-11-${String(d).padStart(2, '0')}`);
      expect([got.min, got.max, got.mean.toFixed(6)]).toEqual([want.min, want.max, want.mean.toFixed(6)]);
    }
    expect(r.trends.find((t) => t.pointKey === HUM)!.period!.mean).toBeCloseTo(pointFigures(HUM, NOV).mean, 6);
  });

  it('ranks the exceedances of R1\'s warning and limit with minutes, excursions and the worst value', () => {
    const [first, second] = r.exceedances;
    const high = exceedance(35);
    const highHigh = exceedance(40);
    expect(first).toMatchObject({ pointKey: TEMP, limit: 'high', value: 35, minutes: high.minutes, excursions: high.excursions, worst: high.worst, worstAt: high.worstAt });
    expect(second).toMatchObject({ pointKey: TEMP, limit: 'highHigh', value: 40, minutes: highHigh.minutes, excursions: highHigh.excursions, worst: highHigh.worst });
    expect(r.exceedances).toHaveLength(2);
  });

  it('has the alarm KPIs (EEMUA 191 / ISA-18.2)', () => {
    const want = alarmFigures(site.records);
    const a = r.alarms;
    expect([a.raised, a.periods10Min, a.peakPer10Min, a.floodPeriods, a.fleeting, a.standing.length]).toEqual([want.raised, want.periods, want.peak, want.floodPeriods, want.fleeting, want.standing]);
    expect(a.avgPer10Min).toBeCloseTo(want.avg, 9);
    expect(`${a.badActors[0]!.pointKey} ${a.badActors[0]!.condition}`).toBe(want.top.key);
    expect(a.badActors[0]!.count).toBe(want.top.count);
    expect(a.chattering).toEqual([{ pointKey: HUM, condition: 'low', episodes: 1 }]);
    expect([a.shelvedMinutes, a.shelves, a.outOfServiceMinutes, a.outOfService]).toEqual([want.shelvedMinutes, 2, want.outOfServiceMinutes, 1]);
    expect(a.byPriority.map((p) => ({ priority: p.priority, count: p.count, ackMedian: p.ack.median, ackP90: p.ack.p90, clearMedian: p.clear.median, clearP90: p.clear.p90 }))).toEqual(want.byPriority);
    expect(a.escalations.map((e) => e.count)).toEqual(want.escalations);
  });

  it('has the pump\'s run hours, starts and faults by code', () => {
    const want = pumpFigures(site.records);
    expect(r.equipment).toEqual([{ deviceId: 'pump-1', roomId: PUMP_ROOM, starts: want.starts, runHours: want.runHours, counterHours: expect.closeTo(want.counterHours, 9) }]);
    expect(r.faults.map((f) => [f.code, f.count])).toEqual([[57, 3], [48, 1]]);
  });

  it('has the compliance evidence: patrols, handovers, sign-offs, entries, incidents opened and closed', () => {
    const want = complianceFigures(site.records);
    expect(r.compliance.patrols).toEqual([{ scheduleId: 'b1-shift', roomId: ROOM, ...want.patrols }]);
    expect(r.patrolReadings[0]).toMatchObject({ reading: 'meter', count: want.patrols.done, min: want.meter.min, max: want.meter.max });
    const { refused, ...handovers } = r.compliance.handovers;
    expect({ ...handovers, refused: refused.length }).toEqual(want.handovers);
    expect(r.compliance.dutyLog).toEqual({ days: 30, signed: want.signed, unsigned: site.records.unsignedDays });
    expect(r.compliance.roomEntries).toBe(3);
    expect(r.compliance.incidents).toEqual([{ category: 'accident-water', count: 2, closed: 1 }]);
    expect(r.previousPlan?.plan).toBe(site.records.previousPlan);
  });

  it('gives each table as CSV with the same rows as the page', async () => {
    const res = await fetch(`${site.gw.url}/api/period-report/exceedances.csv?period=2026-11&lang=en`, { headers: { cookie: cookies['super']! } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/csv');
    const lines = (await res.text()).replace(/^\uFEFF/, '').trim().split('\r\n');
    expect(lines[0]).toBe('Rank,Room,Point,Limit,Minutes above,Excursions,Worst value,Worst at');
    expect(lines[1]).toBe(`1,Distribution room B1,XY-MD02 (SHT20) temperature/humidity transmitter · Temperature,High 35 °C,${exceedance(35).minutes},${exceedance(35).excursions},40.75 °C,2026-11-05 14:19`);
    for (const table of REPORT_TABLES) {
      const csv = await fetch(`${site.gw.url}/api/period-report/${table}.csv?period=2026-11&lang=zh-CN`, { headers: { cookie: cookies['super']! } });
      expect(csv.status, `${table}: ${csv.status === 200 ? '' : await csv.text()}`).toBe(200);
    }
    const zh = await (await fetch(`${site.gw.url}/api/period-report/patrols.csv?period=2026-11&lang=zh-CN`, { headers: { cookie: cookies['super']! } })).text();
    expect(zh).toContain('应巡');
  });

  it('keeps the meeting record with the month and shows its plan on the next month', async () => {
    const signed = await api(site.gw.url, cookies['super']!, '/api/period-report/meeting?period=2026-11', { method: 'POST', body: JSON.stringify({ notes: 'Hot afternoons in B1', plan: 'Service the B1 air conditioner' }), headers: { 'content-type': 'application/json' } });
    expect(signed.status).toBe(200);
    expect((await get('super', '/api/period-report?period=2026-11')).body.meeting).toMatchObject({ notes: 'Hot afternoons in B1', signedBy: 'super', signedByName: 'Supervisor Sun' });
    expect((await get('super', '/api/period-report?period=2026-12')).body.previousPlan?.plan).toBe('Service the B1 air conditioner');
    expect(site.gw.gateway.dutyLog.list({ limit: 5 }).some((e) => e.kind === 'report.meetingSigned' && e.username === 'super')).toBe(true);
  });

  it('lets a duty user open no report, a shift lead a room\'s only, and refuses a lead\'s meeting signature', async () => {
    expect((await get('duty', '/api/period-report?period=2026-11')).status).toBe(403);
    expect((await get('duty', `/api/period-report?period=2026-11&room=${ROOM}`)).status).toBe(403);
    expect((await fetch(`${site.gw.url}/api/period-report/trends.csv?period=2026-11`, { headers: { cookie: cookies['duty']! } })).status).toBe(403);
    expect((await get('shiftlead', '/api/period-report?period=2026-11')).status).toBe(403);
    const room = await get('shiftlead', `/api/period-report?period=2026-11&room=${ROOM}`);
    expect(room.status).toBe(200);
    expect(room.body.equipment).toEqual([]); // the pump is in another room
    expect(room.body.exceedances).toHaveLength(2);
    const sign = await api(site.gw.url, cookies['shiftlead']!, `/api/period-report/meeting?period=2026-11&room=${ROOM}`, { method: 'POST', body: JSON.stringify({ notes: 'n', plan: 'p' }), headers: { 'content-type': 'application/json' } });
    expect(sign.status).toBe(403);
  });

  it('answers weeks, half-years and years, and refuses what is not a period', async () => {
    const week = await get('super', '/api/period-report?period=2026-W48');
    expect(week.body.period).toMatchObject({ kind: 'week', from: Date.parse('2026-11-23T00:00:00+08:00'), to: Date.parse('2026-11-30T00:00:00+08:00'), previousKey: '2026-W47' });
    expect(week.body.trends.find((t) => t.pointKey === TEMP)!.days).toHaveLength(7);
    const half = await get('super', '/api/period-report?period=2026-H2');
    expect(half.body.alarms.raised).toBe(site.records.alarms.length);
    expect((await get('super', '/api/period-report?period=2026')).body.period.previousKey).toBe('2025');
    expect((await get('super', '/api/period-report?period=2026-13')).status).toBe(400);
    expect((await get('super', '/api/period-report?period=2027-01')).status).toBe(400);
    expect((await get('super', '/api/period-report?period=2026-11&room=nowhere')).status).toBe(404);
  });
});
