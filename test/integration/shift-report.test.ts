// The shift report with the real gateway and the simulated sensor: readings min/max/mean of the shift (from the
// historian's 1-minute rollups, so across restarts), the R1 alarm with who acknowledged it and the note, the shift's
// manual entries, the handover result. The clock is fake: readings are stamped with it, and minutes close as it moves.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { routes, type AlarmView, type DutyLogEntryView, type ShiftReportView } from '../../src/contract/api.ts';
import { restartedGateways, testSiteYaml, type TestGateway } from '../helpers/gateway.ts';
import { api, login } from '../helpers/console-client.ts';
import { fakeClock } from '../helpers/fake-clock.ts';
import { waitFor } from '../helpers/wait.ts';
import { shanghai, startSiteWith } from '../helpers/shifts.ts';

const SHIFTS = `shifts:
  - { id: day, name: { en: Day, zh-CN: 白班 }, start: "08:30", end: "17:30" }
  - { id: night, name: { en: Night, zh-CN: 夜班 }, start: "17:30", end: "08:30" }`;
const clock = fakeClock(shanghai('2026-11-23T10:00'));
let gw: TestGateway;
let duty: string;

beforeAll(async () => {
  gw = await startSiteWith(SHIFTS, { clock });
  duty = (await login(gw.url, 'duty', 'duty')).cookie;
});
afterAll(async () => gw?.dispose());

/** The report of a shift, as the console asks for it. */
async function reportOf(url: string, cookie: string, shift: string): Promise<ShiftReportView> {
  return (await api<ShiftReportView>(url, cookie, `${routes.shiftReport}?shift=${shift}`)).body;
}
const temperatureOf = (r: ShiftReportView) => r.readings.find((p) => p.pointKey === 'dist-b1-th1.temperature');

describe('shift report', () => {
  it('sums up the shift: readings, the alarm and its handling, entries', async () => {
    const sim = gw.simulators.get('dist-b1-th1')!;
    sim.set('temperature', 24.0);
    // The clock stands still at 10:00: every reading is in the minute in progress, which the report counts from memory.
    await waitFor(async () => temperatureOf(await reportOf(gw.url, duty, '2026-11-23/day'))?.min === 24, 'a reading of 24.0 in the day shift');
    sim.set('temperature', 41.5);
    const alarm = await waitFor(async () => (await api<AlarmView[]>(gw.url, duty, routes.alarms)).body.find((a) => a.condition === 'highHigh'), 'the R1 alarm');
    await api(gw.url, duty, routes.alarmAck(alarm.id), { method: 'POST', body: JSON.stringify({ note: 'fan restarted' }) });
    await api<DutyLogEntryView>(gw.url, duty, routes.notes, { method: 'POST', body: JSON.stringify({ category: 'other', situation: 'Fan belt worn', handling: 'Replaced', followUp: '' }) });

    const report = await reportOf(gw.url, duty, '2026-11-23/day');
    const temp = temperatureOf(report)!;
    expect([report.shift.key, temp.min, temp.max, temp.unit, temp.mean > 24 && temp.mean < 41.5, temp.since]).toEqual(['2026-11-23/day', 24, 41.5, '°C', true, clock.now()]);
    // A running shift is summed up from its start to now, and the report says from what.
    expect(report.readingsSource).toEqual({ backend: 'local', from: shanghai('2026-11-23T08:30'), to: clock.now(), outboxPoints: 0, error: null });
    const handled = report.alarms.find((a) => a.alarmId === alarm.id)!;
    expect(handled.entries.map((e) => e.kind)).toEqual(['alarm.raised', 'alarm.acknowledged']);
    expect(handled.entries[1]!.params['note']).toBe('fan restarted');
    expect(report.notes.map((n) => n.params['situation'])).toEqual(['Fan belt worn']);
    expect([report.patrolsDone, report.patrolsMissed, report.handover]).toEqual([[], [], null]);

    expect((await api<{ error: { code: string } }>(gw.url, duty, `${routes.shiftReport}?shift=nonsense`)).status).toBe(400);
    expect((await api<{ error: { code: string } }>(gw.url, duty, `${routes.shiftReport}?shift=2026-11-23/swing`)).body.error.code).toBe('RW_NOT_FOUND');
    expect((await api(gw.url, null, routes.shiftReport)).status).toBe(401);
  });
});

describe('shift report across gateway restarts', () => {
  const runs = restartedGateways('rw-shift-report-');
  afterEach(() => runs.cleanup());

  it('counts the whole shift, before and after a restart, and the same once the shift has ended', { timeout: 60_000 }, async () => {
    const dataDir = runs.dataDir();
    const yaml = await testSiteYaml({ dataDir, extra: SHIFTS });
    const c = fakeClock(shanghai('2026-11-23T09:00'));
    /** A gateway on the data dir with the clock where it stands, and a logged-in duty officer. */
    const start = async () => {
      const g = await runs.start({ yaml, dataDir, clock: c });
      return { g, cookie: (await login(g.url, 'duty', 'duty')).cookie };
    };
    const until = (g: TestGateway, cookie: string, what: string, ok: (t: NonNullable<ReturnType<typeof temperatureOf>>) => boolean) =>
      waitFor(async () => {
        const t = temperatureOf(await reportOf(g.url, cookie, '2026-11-23/day'));
        return t && ok(t) ? t : null;
      }, what);

    // 09:00 and 09:01 on the first run: 18 °C is read in the 09:01 minute, still open when the gateway stops.
    const first = await start();
    await until(first.g, first.cookie, 'readings at 09:00', (t) => t.count > 0);
    c.set(shanghai('2026-11-23T09:01'));
    first.g.simulators.get('dist-b1-th1')!.set('temperature', 18);
    await until(first.g, first.cookie, '18 °C at 09:01', (t) => t.min === 18);
    await first.g.stop();

    // Down for an hour; the second run reads 33 °C. Its report still has 09:00 and the 09:01 minute it restored.
    c.set(shanghai('2026-11-23T10:00'));
    const second = await start();
    second.g.simulators.get('dist-b1-th1')!.set('temperature', 33);
    const running = await until(second.g, second.cookie, '33 °C after the restart', (t) => t.max === 33);
    expect([running.min, running.max, running.since]).toEqual([18, 33, shanghai('2026-11-23T09:00')]);
    await second.g.stop();

    // The next morning, after one more restart: the ended shift has the same figures, over its whole window.
    c.set(shanghai('2026-11-24T09:00'));
    const third = await start();
    const ended = await reportOf(third.g.url, third.cookie, '2026-11-23/day');
    const t = temperatureOf(ended)!;
    expect([t.min, t.max, t.since, t.count >= running.count]).toEqual([18, 33, shanghai('2026-11-23T09:00'), true]);
    expect([ended.readingsSource.from, ended.readingsSource.to]).toEqual([shanghai('2026-11-23T08:30'), shanghai('2026-11-23T17:30')]);
  });
});

