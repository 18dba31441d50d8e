// Issue 14, failures 1, 3, 5, 7 and the first run, through the real console server with a real MQTT fire input
// on the embedded broker and a fake clock of record: what a duty officer and a supervisor do, and what the
// alarm list and the duty log say afterwards.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { routes, type AlarmView, type DeviceTagView, type DutyLogEntryView } from '../../src/contract/api.ts';
import { startTestGateway, testSiteYaml, type TestGateway } from '../helpers/gateway.ts';
import { api, connectConsole, login, type ConsoleSocket } from '../helpers/console-client.ts';
import { fakeClock } from '../helpers/fake-clock.ts';
import { waitFor } from '../helpers/wait.ts';
import { shanghai, startSiteWith } from '../helpers/shifts.ts';

// 2026-11-23 10:00 in Shanghai.
const START = Date.UTC(2026, 10, 23, 2, 0, 0);
const MIN = 60_000;

describe('duty workflows on MQTT fire devices, patrols and the live duty log (issue 14)', () => {
  const clock = fakeClock(START);
  let gw: TestGateway;
  let duty: string;
  let sup: string;
  let watcher: ConsoleSocket;
  const heard: DutyLogEntryView[] = [];
  const alarms = async (): Promise<AlarmView[]> => (await api<AlarmView[]>(gw.url, duty, routes.alarms)).body;
  const log = async (): Promise<DutyLogEntryView[]> => (await api<DutyLogEntryView[]>(gw.url, duty, `${routes.dutyLog}?limit=500`)).body;

  beforeAll(async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'rw-duty-'));
    const yaml = (await testSiteYaml({ dataDir }))
      .replace('rooms:\n', 'rooms:\n  - { id: fire-control, kind: fire-control, name: { en: Fire control room, zh-CN: 消防控制室 } }\n')
      .replace(
        'devices:\n',
        'devices:\n  - { id: fc-panel, room: fire-control, profile: shelly-gen2-fire-input, simulate: true, connection: { type: mqtt, topicId: shellyplusi4-fc01, username: fc-panel, password: panel-pw } }\n',
      )
      .replace(
        '  - { username: lead, displayName: Lead Zhang, role: supervisor, password: lead }',
        '  - { username: lead, displayName: Lead Zhang, role: lead, password: lead }\n  - { username: sup, displayName: Sup Wu, role: supervisor, password: sup }',
      ) +
      `
broker:
  embedded: { host: 127.0.0.1, port: 0 }
patrols:
  - id: fire-night
    room: fire-control
    name: { en: Fire-control round, zh-CN: 消防巡查 }
    every: { minutes: 30 }
    checklist:
      - { id: panel, name: { en: Panel normal, zh-CN: 主机正常 } }
`;
    gw = await startTestGateway({ yaml, dataDir, clock, dutyCheckMs: 100 });
    duty = (await login(gw.url, 'duty', 'duty')).cookie;
    sup = (await login(gw.url, 'sup', 'sup')).cookie;
    watcher = connectConsole(gw.url, sup);
    watcher.on('dutyLogEntries', (entries) => heard.push(...entries));
    await new Promise<void>((resolve) => watcher.on('connect', resolve));
  });
  afterAll(async () => {
    watcher?.disconnect();
    await gw?.dispose();
  });

  it('failure 7: entries nobody broadcast by hand (a login, a logout) reach an open console after commit', async () => {
    const { cookie } = await login(gw.url, 'lead', 'lead');
    await api(gw.url, cookie, routes.session, { method: 'DELETE' });
    await waitFor(() => heard.some((e) => e.kind === 'user.login' && e.username === 'lead') && heard.some((e) => e.kind === 'user.logout' && e.username === 'lead'), 'login and logout of lead on the console');
  });

  it('failure 5 (P3) and first run: a patrol period ending without a round raises an alarm and the duty log says so, none before the first start; the next round returns it to normal', async () => {
    clock.set(START + 65 * MIN); // 11:05: the 10:30–11:00 period has ended without a round
    const alarm = await waitFor(async () => (await alarms()).find((a) => a.condition === 'patrolOverdue'), 'the overdue-patrol alarm');
    expect(alarm).toMatchObject({ roomId: 'fire-control', deviceId: 'patrol:fire-night', rule: 'P3', state: 'unack_active', annunciation: 'annunciated' });
    const entries = await log();
    expect(entries.find((e) => e.kind === 'patrol.overdue')).toMatchObject({ roomId: 'fire-control', params: { schedule: 'fire-night' } });
    expect(entries.find((e) => e.kind === 'alarm.raised' && e.alarmId === alarm.id)).toMatchObject({ params: { condition: 'patrolOverdue', rule: 'P3' } });
    // Only the period that began with the first start (10:00–10:30, slot 020), none of the two days before it.
    expect(entries.filter((e) => e.kind === 'patrol.overdue').map((e) => e.params['slot'])).toEqual(['2026-11-23/020']);
    const round = await api(gw.url, duty, routes.patrolRounds('fire-night'), { method: 'POST', body: JSON.stringify({ checklist: { panel: true }, readings: {}, remarks: '' }) });
    expect(round.status).toBe(200);
    await waitFor(async () => (await alarms()).find((a) => a.id === alarm.id)?.state === 'rtn_unack', 'the overdue alarm back to normal, still to acknowledge');
  });

  it('failure 1 and 3 (A6, R5): a fire input heard over MQTT is tagged only with a planned end and a supervisor; the tag silences it', async () => {
    const noEnd = await api<{ error: { code: string; message: string } }>(gw.url, duty, routes.deviceTag('fc-panel'), { method: 'POST', body: JSON.stringify({ kind: 'maintenance', reason: 'panel service' }) });
    expect([noEnd.status, noEnd.body.error.code]).toEqual([400, 'RW_PLANNED_END_REQUIRED']);
    expect(noEnd.body.error.message).toMatch(/planned end/);
    const plannedEnd = clock.now() + 4 * 60 * MIN;
    const requested = await api<DeviceTagView>(gw.url, duty, routes.deviceTag('fc-panel'), { method: 'POST', body: JSON.stringify({ kind: 'maintenance', reason: 'panel service', plannedEnd }) });
    expect(requested.body).toMatchObject({ deviceId: 'fc-panel', kind: 'maintenance', state: 'requested', taggedBy: 'duty', plannedEnd });
    const refused = await api<{ error: { code: string } }>(gw.url, duty, routes.deviceTagApprove('fc-panel'), { method: 'POST' });
    expect(refused.status).toBe(403);
    const approved = await api<DeviceTagView>(gw.url, sup, routes.deviceTagApprove('fc-panel'), { method: 'POST' });
    expect(approved.body).toMatchObject({ state: 'active', approvedBy: 'sup' });
    await gw.gateway.mqttSimulators.get('fc-panel')!.set('fireAlarm', true);
    const fire = await waitFor(async () => (await alarms()).find((a) => a.deviceId === 'fc-panel' && a.rule === 'A4'), 'the fire alarm of the tagged input');
    expect(fire.annunciation).toBe('out_of_service');
    const tagged = (await log()).find((e) => e.kind === 'device.tagged' && e.deviceId === 'fc-panel');
    expect(tagged).toMatchObject({ roomId: 'fire-control', params: { tagKind: 'maintenance', reason: 'panel service' } });
  });

  it('failure 3 (A6): the tag still on at 23:00 raises a high alarm that annunciates and escalates; returning to service clears it', async () => {
    clock.set(Date.UTC(2026, 10, 23, 15, 0, 0)); // 23:00 in Shanghai
    duty = (await login(gw.url, 'duty', 'duty')).cookie; // the day's session has ended by the gateway's clock
    const overnight = await waitFor(async () => (await alarms()).find((a) => a.condition === 'isolationOvernight' && a.deviceId === 'fc-panel'), 'the overnight alarm');
    expect(overnight).toMatchObject({ priority: 'high', rule: 'A6', state: 'unack_active', annunciation: 'annunciated', roomId: 'fire-control' });
    clock.advance(301_000); // past the first escalation delay of a high alarm
    const escalated = await waitFor(async () => {
      const a = (await alarms()).find((x) => x.id === overnight.id);
      return a && a.escalationLevel >= 1 ? a : null;
    }, 'the escalation to the shift lead');
    expect(escalated.annunciation).toBe('annunciated');
    expect((await log()).find((e) => e.kind === 'alarm.escalated' && e.alarmId === overnight.id)).toMatchObject({ params: { role: 'lead', targets: 'Lead Zhang' } });
    expect((await api(gw.url, duty, routes.deviceTag('fc-panel'), { method: 'DELETE' })).status).toBe(204);
    await waitFor(async () => (await alarms()).find((a) => a.id === overnight.id)?.state === 'rtn_unack', 'the overnight alarm back to normal');
  });
});

describe('R2: the shift in progress is checked live against its minimum staff', () => {
  const clock = fakeClock(shanghai('2026-11-20T10:00'));
  let gw: TestGateway;
  const extra = `shifts:
  - { id: day, name: { en: Day, zh-CN: 白班 }, start: "08:30", end: "17:30", minStaff: { duty: 1 } }
  - { id: night, name: { en: Night, zh-CN: 夜班 }, start: "17:30", end: "08:30", minStaff: { duty: 1 } }`;
  const wang = { username: 'wang', displayName: 'Duty Wang', role: 'duty' as const, password: 'wang' };

  beforeAll(async () => {
    gw = await startSiteWith(extra, { clock, dutyCheckMs: 100, users: ['{ username: wang, displayName: Duty Wang, role: duty, password: wang }'] });
    const { roster, users } = gw.gateway;
    const days = Array.from({ length: 30 }, (_, i) => `2026-11-${String(i + 1).padStart(2, '0')}`);
    roster.saveDraft('2026-11', days.flatMap((date) => [{ date, shiftId: 'day', username: 'duty' }, { date, shiftId: 'night', username: 'wang' }]), users.get('lead')!);
    roster.publish('2026-11', users.get('lead')!);
  });
  afterAll(async () => {
    await gw?.dispose();
  });

  it('R2 look-ahead: the night officer leaves in the morning: a medium warning names the coming night before it starts; back on the roster, it returns', async () => {
    const staffed = gw.site.config.users;
    await gw.gateway.users.syncFromConfig(staffed.filter((u) => u.username !== 'wang'));
    // 10:00: the day shift is staffed; the night (17:30) and the next morning's day shift are within 24 h.
    const warning = await waitFor(() => gw.gateway.alarms.open().find((a) => a.condition === 'understaffedSoon'), 'the coverage warning');
    expect(warning).toMatchObject({ priority: 'medium', rule: 'R2', state: 'unack_active', detail: '2026-11-20/night: duty 0/1' });
    expect(gw.gateway.alarms.open().some((a) => a.condition === 'understaffed')).toBe(false);
    expect(gw.gateway.dutyLog.list({ limit: 50 }).find((e) => e.kind === 'alarm.raised' && e.alarmId === warning.id)).toMatchObject({ params: { condition: 'understaffedSoon', priority: 'medium' } });
    await gw.gateway.users.syncFromConfig([...staffed.filter((u) => u.username !== 'wang'), wang]);
    await waitFor(() => gw.gateway.alarms.get(warning.id)?.state === 'rtn_unack', 'the warning back to normal once the night is staffed');
  });

  it('the only rostered person of the shift leaves: a high R2 alarm names the shift and the gap; back on the roster, it returns', async () => {
    const staffed = gw.site.config.users;
    await gw.gateway.users.syncFromConfig(staffed.filter((u) => u.username !== 'wang')); // the night officer has left
    clock.set(shanghai('2026-11-20T18:00'));
    const alarm = await waitFor(() => gw.gateway.alarms.open().find((a) => a.condition === 'understaffed'), 'the under-staffed alarm');
    expect(alarm).toMatchObject({ priority: 'high', rule: 'R2', state: 'unack_active', annunciation: 'annunciated', detail: '2026-11-20/night: duty 0/1' });
    expect(gw.gateway.dutyLog.list({ limit: 50 }).find((e) => e.kind === 'alarm.raised' && e.alarmId === alarm.id)).toMatchObject({ params: { condition: 'understaffed', detail: '2026-11-20/night: duty 0/1' } });
    await gw.gateway.users.syncFromConfig([...staffed.filter((u) => u.username !== 'wang'), wang]);
    await waitFor(() => gw.gateway.alarms.get(alarm.id)?.state === 'rtn_unack', 'the alarm back to normal once the shift is staffed');
  });
});

describe('L5: the gateway applies the two-year retention itself', () => {
  it('a start two years after the first purges the old entries and says so in the duty log, which the chain still verifies', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'rw-retention-'));
    const clock = fakeClock(Date.UTC(2024, 0, 10, 2, 0, 0));
    const first = await startTestGateway({ dataDir, clock });
    await first.stop();
    clock.set(Date.UTC(2026, 5, 1, 2, 0, 0));
    const second = await startTestGateway({ dataDir, clock, yaml: readFileSync(first.configFile, 'utf8') });
    try {
      const purged = second.gateway.dutyLog.list({ limit: 50 }).find((e) => e.kind === 'retention.purged');
      expect(purged).toBeDefined();
      expect(Number(purged!.params['entries'])).toBeGreaterThanOrEqual(2); // the first run's start and stop
      expect(second.gateway.dutyLog.list({ limit: 500 }).every((e) => e.ts >= Date.UTC(2024, 5, 1))).toBe(true);
      expect(second.gateway.dutyLog.verify().firstBreak).toBeNull();
    } finally {
      await second.dispose();
    }
  });
});
