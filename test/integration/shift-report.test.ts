// The shift report with the real gateway and the simulated sensor: readings min/max/mean of the shift,
// the R1 alarm with who acknowledged it and the note, the shift's manual entries, the handover result.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { routes, type AlarmView, type DutyLogEntryView, type ShiftReportView } from '../../src/contract/api.ts';
import type { TestGateway } from '../helpers/gateway.ts';
import { api, login } from '../helpers/console-client.ts';
import { fakeClock } from '../helpers/fake-clock.ts';
import { waitFor } from '../helpers/wait.ts';
import { shanghai, startSiteWith } from '../helpers/shifts.ts';

const clock = fakeClock(shanghai('2026-11-23T10:00'));
let gw: TestGateway;
let duty: string;

beforeAll(async () => {
  gw = await startSiteWith(`shifts:
  - { id: day, name: { en: Day, zh-CN: 白班 }, start: "08:30", end: "17:30" }
  - { id: night, name: { en: Night, zh-CN: 夜班 }, start: "17:30", end: "08:30" }`, { clock });
  duty = (await login(gw.url, 'duty', 'duty')).cookie;
});
afterAll(async () => gw?.dispose());

describe('shift report', () => {
  it('sums up the shift: readings, the alarm and its handling, entries', async () => {
    const sim = gw.simulators.get('dist-b1-th1')!;
    sim.set('temperature', 24.0);
    await waitFor(async () => (await api<ShiftReportView>(gw.url, duty, `${routes.shiftReport}?shift=2026-11-23/day`)).body.readings.find((r) => r.pointKey === 'dist-b1-th1.temperature' && r.min === 24), 'a reading of 24.0 in the day shift');
    sim.set('temperature', 41.5);
    const alarm = await waitFor(async () => (await api<AlarmView[]>(gw.url, duty, routes.alarms)).body.find((a) => a.condition === 'highHigh'), 'the R1 alarm');
    await api(gw.url, duty, routes.alarmAck(alarm.id), { method: 'POST', body: JSON.stringify({ note: 'fan restarted' }) });
    await api<DutyLogEntryView>(gw.url, duty, routes.notes, { method: 'POST', body: JSON.stringify({ category: 'other', situation: 'Fan belt worn', handling: 'Replaced', followUp: '' }) });

    const report = (await api<ShiftReportView>(gw.url, duty, `${routes.shiftReport}?shift=2026-11-23/day`)).body;
    const temp = report.readings.find((r) => r.pointKey === 'dist-b1-th1.temperature')!;
    expect([report.shift.key, temp.min, temp.max, temp.unit, temp.mean > 24 && temp.mean < 41.5]).toEqual(['2026-11-23/day', 24, 41.5, '°C', true]);
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
