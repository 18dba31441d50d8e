// The alarm lifecycle in the running service, on a real SQLite store with a fake clock (no sleeps):
// latched fire alarms and their confirmation (A4), shelving, out of service and isolation (R5, A6),
// escalation (A1/A2), communication loss, suppression by design, floods and chattering (EEMUA 191),
// and timers that survive a restart.
import { createServer, type Server } from 'node:http';
import { resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { useTempDirs } from '../helpers/temp-dirs.ts';
import { createAlarmService } from '../../src/alarms/alarm-service.ts';
import { createPlaybooks } from '../../src/playbooks/playbooks.ts';
import { webhookNotifier, type EscalationNotice } from '../../src/alarms/escalation.ts';
import { createBus } from '../../src/core/bus.ts';
import { silentLogger } from '../../src/core/logger.ts';
import type { Reading } from '../../src/core/reading.ts';
import { parseSite, projectRoot, type Site } from '../../src/config/load.ts';
import { loadProfiles } from '../../src/devices/profiles.ts';
import { createDutyLog } from '../../src/sinks/duty-log/duty-log.ts';
import { openStore } from '../../src/store/store.ts';
import { openItems } from '../../src/duty/entries.ts';
import type { AlarmTransition } from '../../src/alarms/types.ts';
import type { Role, UserView } from '../../src/contract/api.ts';
import { SELF_TEST_DETAIL } from '../../src/contract/routes.ts';
import { fakeClock, type FakeClock } from '../helpers/fake-clock.ts';
import { waitFor } from '../helpers/wait.ts';

const profiles = loadProfiles(resolve(projectRoot, 'test', 'fixtures', 'profiles'));
const site: Site = parseSite(
  'site.yaml',
  `
site: { id: t, name: { en: T, zh-CN: T }, demo: true, timezone: Asia/Shanghai }
alarms: { escalation: { critical: [60, 300, 900] }, maxShelveMinutes: 120 }
rooms:
  - { id: dist, kind: distribution, name: { en: D, zh-CN: 配电房 } }
  - { id: fcc, kind: fire-control, name: { en: F, zh-CN: 消防控制室 } }
devices:
  - { id: th1, room: dist, profile: xy-md02, connection: { type: tcp, host: 127.0.0.1, port: 1502 },
      limits: { temperature: { onDelaySeconds: 5 }, humidity: { high: 80, deadband: 2 } },
      suppress: { humidity: { point: panel.faultCode, equals: 3 } } }
  - { id: panel, room: fcc, profile: test-fire-panel, connection: { type: tcp, host: 127.0.0.1, port: 1503 } }
users: [{ username: duty, displayName: Duty Li, role: duty, password: duty }]
`,
  profiles,
);

const user = (username: string, role: Role): UserView => ({ username, displayName: `${username} (${role})`, role });
const duty = user('duty', 'duty');
const lead = user('lead', 'lead');
const supervisor = user('sup', 'supervisor');

const tempDir = useTempDirs('rw-lifecycle-');

function wire(clock: FakeClock, dir = tempDir(), extra: Partial<Parameters<typeof createAlarmService>[0]> = {}) {
  const store = openStore(dir, silentLogger);
  const bus = createBus(silentLogger);
  const dutyLog = createDutyLog(store, bus);
  const heard: AlarmTransition[] = [];
  bus.on('alarm', 'test', (t) => heard.push(t));
  const latest = new Map<string, Reading>();
  const onDuty = (role: Role): UserView[] => (role === 'lead' ? [lead] : role === 'supervisor' ? [supervisor] : []);
  const playbooks = createPlaybooks({ store, dutyLog, clock, roomIds: new Set(site.config.rooms.map((r) => r.id)) });
  const alarms = createAlarmService({ store, site, dutyLog, bus, clock, logger: silentLogger, latest: (k) => latest.get(k), onDuty, playbooks, ...extra });
  alarms.start();
  const feed = (pointKey: string, value: number | boolean): void => {
    const [deviceId, point] = pointKey.split('.') as [string, string];
    const r: Reading = { pointKey, deviceId, point, roomId: site.points.get(pointKey)!.roomId, value, unit: '', quality: 'good', ts: clock.now() };
    latest.set(pointKey, r);
    alarms.evaluate([r]);
  };
  const only = (condition: string) => alarms.open().find((a) => a.condition === condition)!;
  return { store, alarms, dutyLog, playbooks, heard, feed, only, dir };
}

describe('latched fire alarm and its confirmation (A4)', () => {
  it('stays latched after the contact clears, and resets only when acknowledged, classified, by an authorised user', () => {
    const clock = fakeClock();
    const { alarms, feed, only, dutyLog } = wire(clock);
    feed('panel.fire', true);
    const fire = only('discrete');
    expect(fire).toMatchObject({ state: 'unack_active', priority: 'critical', rule: 'A4', latched: true, message: { en: 'Fire alarm from the panel' }, response: { 'zh-CN': '派最近的保安到现场确认' } });
    feed('panel.fire', false);
    expect(alarms.get(fire.id)!.state).toBe('latched_unack');
    alarms.acknowledge(fire.id, duty, 'guard Wang sent');
    expect(alarms.get(fire.id)!.state).toBe('latched_ack');
    expect(() => alarms.reset(fire.id, duty, 'x')).toThrow(expect.objectContaining({ code: 'RW_FORBIDDEN' }));
    expect(() => alarms.reset(fire.id, lead, 'x')).toThrow(/classify the fire alarm/);
    clock.advance(30_000);
    alarms.dispatch(fire.id, duty, 'Guard Wang');
    clock.advance(120_000);
    alarms.classify(fire.id, lead, 'false_alarm', 'dust in detector 3F-12');
    expect(alarms.get(fire.id)!.onSite).toMatchObject({ dispatchedTo: 'Guard Wang', dispatchedBy: 'duty', classification: 'false_alarm', classifiedBy: 'lead', note: 'dust in detector 3F-12' });
    expect(alarms.reset(fire.id, lead, 'detector cleaned').state).toBe('normal');
    expect(dutyLog.list({}).map((e) => e.kind).reverse()).toEqual([
      'alarm.raised', 'alarm.latched', 'alarm.acknowledged', 'alarm.dispatched', 'alarm.classified', 'alarm.reset',
    ]);
  });

  it("a detector's test button raises the fire alarm marked as a test; classified 'test', it is reset like any other (issue 12 §3)", () => {
    const clock = fakeClock();
    const { alarms, only, dutyLog } = wire(clock);
    alarms.evaluate([{ pointKey: 'panel.fire', deviceId: 'panel', point: 'fire', roomId: 'fcc', value: true, unit: '', quality: 'good', ts: clock.now(), detail: SELF_TEST_DETAIL }]);
    const fire = only('discrete');
    expect(fire).toMatchObject({ priority: 'critical', latched: true, detail: SELF_TEST_DETAIL });
    expect(dutyLog.list({ limit: 1 })[0]).toMatchObject({ kind: 'alarm.raised', params: expect.objectContaining({ detail: SELF_TEST_DETAIL }) });
    alarms.acknowledge(fire.id, duty, 'monthly detector test');
    alarms.classify(fire.id, lead, 'test', 'monthly test of detector 3F-12');
    expect(alarms.get(fire.id)!.onSite).toMatchObject({ classification: 'test', classifiedBy: 'lead' });
  });

  it('a confirmed fire opens the E4 fire playbook on its alarm, tells the roster chain at once and shows the level reached (A4)', () => {
    const clock = fakeClock();
    const { alarms, feed, only, dutyLog, playbooks, store } = wire(clock);
    // The playbook names who opened it, a user of the store.
    store.db.exec("INSERT INTO users (username, display_name, role, password_hash, created_at, updated_at) VALUES ('duty', 'duty (duty)', 'duty', 'x', 1, 1)");
    feed('panel.fire', true);
    const fire = only('discrete');
    const confirmed = alarms.classify(fire.id, duty, 'confirmed', 'smoke seen in B1 store room');
    // Nobody holds the manager role here: the chain reached the supervisor, and the console says so.
    expect(confirmed.escalationLevel).toBe(2);
    const [opened, notified, classified] = dutyLog.list({ limit: 3 });
    expect(classified).toMatchObject({ kind: 'alarm.classified', params: { classification: 'confirmed' } });
    expect(notified).toMatchObject({ kind: 'fire.notified', deviceId: 'panel', username: 'duty', params: { rule: 'A4', targets: `${lead.displayName}, ${supervisor.displayName}` } });
    expect(opened).toMatchObject({ kind: 'playbook.opened', username: 'duty', params: { type: 'fire', rule: 'E4', alarm: fire.id, situation: 'smoke seen in B1 store room' } });
    const [plan, ...others] = playbooks.list(true);
    expect(others).toEqual([]);
    expect(plan).toMatchObject({ type: 'fire', rule: 'E4', alarmId: fire.id, roomId: 'fcc', openedBy: 'duty', state: 'open' });
    expect(plan!.steps.map((s) => [s.id, s.doneAt])).toEqual([['head-to-control-centre', null], ['watch-pumps-and-water', null], ['electricians-stand-by', null], ['keep-fire-power', null]]);
    // The guard's note corrected: no second plan, nobody told twice.
    alarms.classify(fire.id, duty, 'confirmed', 'smoke and flames in B1 store room');
    expect(dutyLog.list({ limit: 1 })[0]).toMatchObject({ kind: 'alarm.classified', params: { note: 'smoke and flames in B1 store room' } });
    expect(playbooks.list(true)).toHaveLength(1);
  });

  it('only a CCTV alarm (A7) has a recording to keep as evidence', () => {
    const clock = fakeClock();
    const { alarms, feed, only } = wire(clock);
    feed('panel.fire', true);
    expect(() => alarms.keepEvidence(only('discrete').id, duty, 'USB key 3')).toThrow('is not a CCTV alarm');
  });

  it('a false alarm opens no playbook and tells nobody beyond the log line', () => {
    const clock = fakeClock();
    const { alarms, feed, only, dutyLog, playbooks } = wire(clock);
    feed('panel.fire', true);
    const classified = alarms.classify(only('discrete').id, duty, 'false_alarm', 'kettle steam');
    expect(classified.escalationLevel).toBe(0);
    expect(dutyLog.list({ limit: 1 })[0]).toMatchObject({ kind: 'alarm.classified' });
    expect(playbooks.list(true)).toEqual([]);
  });

  it('a fault code raises a discrete alarm carrying the code text; fire alarms cannot be shelved', () => {
    const clock = fakeClock();
    const { alarms, feed, only } = wire(clock);
    feed('panel.faultCode', 3);
    expect(only('discrete').message).toEqual({ en: 'Fire panel fault: Loop open circuit', 'zh-CN': '火灾报警控制器故障：回路断线' });
    feed('panel.fire', true);
    const fire = alarms.open().find((a) => a.pointKey === 'panel.fire')!;
    expect(() => alarms.shelve(fire.id, duty, 30, 'noisy')).toThrow(expect.objectContaining({ code: 'RW_FORBIDDEN' }));
  });
});

describe('emergency skip-level escalation (A2)', () => {
  it('A2: the duty officer escalates straight to the supervisor with the reason; the entry is an open item owing its report; escalation goes on from there', () => {
    const clock = fakeClock();
    const told: EscalationNotice[] = [];
    const manager = user('boss', 'manager');
    const withManager = (role: Role): UserView[] => (role === 'lead' ? [lead] : role === 'supervisor' ? [supervisor] : role === 'manager' ? [manager] : []);
    const { alarms, feed, only, dutyLog, store } = wire(clock, tempDir(), { onDuty: withManager, notifiers: [{ name: 'pager', notify: async (n) => void told.push(n) }] });
    feed('panel.fire', true);
    const fire = only('discrete');
    expect(() => alarms.escalateNow(fire.id, duty, 'supervisor', ' ')).toThrow(expect.objectContaining({ code: 'RW_NOTE_REQUIRED' }));
    expect(() => alarms.escalateNow(fire.id, supervisor, 'manager', 'x')).toThrow(expect.objectContaining({ code: 'RW_FORBIDDEN' }));
    clock.advance(10_000);
    const escalated = alarms.escalateNow(fire.id, duty, 'supervisor', 'Smoke in the cable shaft, lead not answering');
    // Level 2 reached at once; the manager follows on the critical schedule (900 s after the raise) if still unacknowledged.
    expect(escalated).toMatchObject({ escalationLevel: 2, nextEscalationAt: fire.raisedAt + 900_000 });
    const entry = dutyLog.list({ limit: 1 })[0]!;
    expect(entry).toMatchObject({ kind: 'alarm.emergencyEscalated', alarmId: fire.id, username: 'duty', params: { role: 'supervisor', reason: 'Smoke in the cable shaft, lead not answering', targets: 'sup (supervisor)', rule: 'A2' } });
    expect(told.map((n) => [n.reason, n.role, n.level, n.targets.map((u) => u.username)])).toEqual([['emergency', 'supervisor', 2, ['sup']]]);
    expect(openItems(store.db).map((e) => e.id)).toEqual([entry.id]);
    // The usual escalation does not go back down to the lead.
    clock.advance(60_000);
    alarms.tick();
    expect(alarms.get(fire.id)!.escalationLevel).toBe(2);
  });
});

describe('escalation stops at the last level anyone holds (A2)', () => {
  it('A2: on a site without a manager an unacknowledged fire reaches the supervisor and stops there: no countdown to nobody, no entry naming nobody', () => {
    const clock = fakeClock();
    const { alarms, feed, only, dutyLog } = wire(clock); // lead and supervisor on duty, nobody holds the manager role
    feed('panel.fire', true);
    const fire = only('discrete');
    expect(fire.nextEscalationAt).toBe(fire.raisedAt + 60_000);
    clock.advance(60_000);
    alarms.tick();
    expect(alarms.get(fire.id)).toMatchObject({ escalationLevel: 1, nextEscalationAt: fire.raisedAt + 300_000 });
    clock.advance(240_000);
    alarms.tick();
    // The supervisor is the last level with anyone in it: the row shows no countdown "to the manager".
    expect(alarms.get(fire.id)).toMatchObject({ escalationLevel: 2, nextEscalationAt: null, state: 'unack_active' });
    clock.advance(3_600_000);
    alarms.tick();
    expect(alarms.get(fire.id)!.escalationLevel).toBe(2);
    expect(dutyLog.list({ limit: 50 }).filter((e) => e.kind === 'alarm.escalated').map((e) => e.params['role'])).toEqual(['supervisor', 'lead']);
  });
});

describe('a fault the shift cannot fix is reported upwards (A8)', () => {
  it('A8: once acknowledged, the fault is reported to the lead and supervisor with a note, logged, told, and kept on the alarm until it clears', () => {
    const clock = fakeClock();
    const told: EscalationNotice[] = [];
    const { alarms, feed, only, dutyLog } = wire(clock, tempDir(), { notifiers: [{ name: 'pager', notify: async (n) => void told.push(n) }] });
    feed('panel.faultCode', 3);
    const fault = only('discrete');
    expect(() => alarms.reportUp(fault.id, duty, 'loop open')).toThrow(expect.objectContaining({ status: 409 })); // acknowledge first
    alarms.acknowledge(fault.id, duty, 'seen');
    expect(() => alarms.reportUp(fault.id, duty, '  ')).toThrow(expect.objectContaining({ code: 'RW_NOTE_REQUIRED' }));
    clock.advance(60_000);
    const reported = alarms.reportUp(fault.id, duty, 'Loop 2 open; reseated the terminal, no change. Needs the fire contractor.');
    expect(reported.reportedUp).toEqual({ by: 'duty', byName: 'duty (duty)', at: clock.now(), note: 'Loop 2 open; reseated the terminal, no change. Needs the fire contractor.', targets: 'lead (lead), sup (supervisor)' });
    expect(dutyLog.list({ limit: 1 })[0]).toMatchObject({ kind: 'alarm.reportedUp', alarmId: fault.id, username: 'duty', params: { rule: 'A8', targets: 'lead (lead), sup (supervisor)', note: 'Loop 2 open; reseated the terminal, no change. Needs the fire contractor.' } });
    expect(told.map((n) => [n.reason, n.role, n.targets.map((u) => u.username)])).toEqual([['reportedUp', 'lead', ['lead']], ['reportedUp', 'supervisor', ['sup']]]);
    expect(() => alarms.reportUp(fault.id, duty, 'again')).toThrow(expect.objectContaining({ status: 409 }));
    // A lead reports to the supervisor only.
    feed('th1.humidity', 90);
    clock.advance(1000);
    feed('th1.humidity', 90);
    const humid = only('high');
    alarms.acknowledge(humid.id, lead, '');
    expect(alarms.reportUp(humid.id, lead, 'dehumidifier broken').reportedUp!.targets).toBe('sup (supervisor)');
    // Visible with the alarm while the fault lasts; gone with the alarm once it clears.
    expect(alarms.open().find((a) => a.id === fault.id)!.reportedUp!.byName).toBe('duty (duty)');
    feed('panel.faultCode', 0);
    expect(alarms.open().some((a) => a.id === fault.id)).toBe(false);
  });
});

describe('shelving (ISA-18.2 G)', () => {
  it('shelved alarms leave annunciation, expire by themselves and come back unacknowledged', () => {
    const clock = fakeClock();
    const { alarms, feed, only, heard } = wire(clock);
    feed('th1.humidity', 85);
    const hum = only('high');
    alarms.acknowledge(hum.id, duty, '');
    expect(() => alarms.shelve(hum.id, duty, 121, 'sensor being cleaned')).toThrow(/at most 120 minutes/);
    const shelved = alarms.shelve(hum.id, duty, 30, 'sensor being cleaned');
    expect(shelved).toMatchObject({ annunciation: 'shelved', shelved: { by: 'duty', reason: 'sensor being cleaned', until: clock.now() + 30 * 60_000 } });
    clock.advance(30 * 60_000 - 1);
    alarms.tick();
    expect(alarms.get(hum.id)!.annunciation).toBe('shelved');
    clock.advance(1);
    alarms.tick();
    expect(alarms.get(hum.id)).toMatchObject({ annunciation: 'annunciated', shelved: null, state: 'unack_active' });
    expect(heard.at(-1)!.kind).toBe('unshelved');
  });

  it('a manual unshelve counts as seeing it: the active alarm is acknowledged by who unshelved', () => {
    const clock = fakeClock();
    const { alarms, feed, only } = wire(clock);
    feed('th1.humidity', 85);
    const hum = only('high');
    alarms.shelve(hum.id, duty, 60, 'known');
    expect(alarms.unshelve(hum.id, lead)).toMatchObject({ state: 'ack_active', ackedBy: 'lead', annunciation: 'annunciated' });
    expect(() => alarms.unshelve(hum.id, lead)).toThrow(/not shelved/);
  });
});

describe('out of service: maintenance tag (R5) and isolation (A6)', () => {
  it('a maintenance tag takes the device out of annunciation; removing it restores it', () => {
    const clock = fakeClock();
    const { alarms, feed, only, dutyLog } = wire(clock);
    feed('th1.humidity', 85);
    alarms.tag('th1', duty, { kind: 'maintenance', reason: 'sensor replaced', plannedEnd: clock.now() + 3_600_000 });
    expect(only('high')).toMatchObject({ annunciation: 'out_of_service', tag: { kind: 'maintenance', state: 'active', taggedBy: 'duty' } });
    expect(() => alarms.tag('th1', duty, { kind: 'maintenance', reason: 'again' })).toThrow(expect.objectContaining({ code: 'RW_TAG_EXISTS' }));
    alarms.untag('th1', duty);
    expect(only('high').annunciation).toBe('annunciated');
    expect(dutyLog.list({ limit: 2 }).map((e) => e.kind)).toEqual(['device.untagged', 'device.tagged']);
  });

  it('A6: any tag on a fire device (Modbus or MQTT) needs a planned end and a supervisor; a maintenance tag elsewhere does not', () => {
    const clock = fakeClock();
    const { alarms, feed } = wire(clock);
    feed('panel.fire', false);
    expect(() => alarms.tag('panel', duty, { kind: 'maintenance', reason: 'panel service' })).toThrow(expect.objectContaining({ code: 'RW_PLANNED_END_REQUIRED', message: expect.stringMatching(/planned end/) }));
    expect(() => alarms.tag('panel', duty, { kind: 'maintenance', reason: 'panel service', plannedEnd: clock.now() - 1 })).toThrow(/must be in the future/);
    expect(alarms.tag('panel', duty, { kind: 'maintenance', reason: 'panel service', plannedEnd: clock.now() + 3_600_000 })).toMatchObject({ state: 'requested', approvedBy: null });
    expect(alarms.tag('th1', duty, { kind: 'maintenance', reason: 'sensor swap' })).toMatchObject({ state: 'active', approvedBy: 'duty' });
  });

  it('isolating a fire device needs a supervisor, and an isolation at 23:00 site time raises an alarm that is heard and escalates (A6)', () => {
    // 22:59:30 in Shanghai (UTC+8) is 14:59:30 UTC.
    const clock = fakeClock(Date.UTC(2026, 10, 23, 14, 59, 30));
    const { alarms, feed } = wire(clock);
    feed('panel.fire', false);
    const req = alarms.tag('panel', duty, { kind: 'isolation', reason: 'loop 3 works', plannedEnd: clock.now() + 3_600_000 });
    expect(req).toMatchObject({ state: 'requested', approvedBy: null });
    expect(() => alarms.approveTag('panel', lead)).toThrow(expect.objectContaining({ code: 'RW_FORBIDDEN' }));
    expect(alarms.approveTag('panel', supervisor)).toMatchObject({ state: 'active', approvedBy: 'sup' });
    alarms.tick();
    expect(alarms.open()).toEqual([]);
    clock.advance(30_000); // 23:00
    alarms.tick();
    alarms.tick();
    const overnight = alarms.open();
    expect(overnight.map((a) => [a.condition, a.rule, a.deviceId, a.priority, a.annunciation])).toEqual([['isolationOvernight', 'A6', 'panel', 'high', 'annunciated']]);
    clock.advance(300_000); // a high alarm's first escalation delay
    alarms.tick();
    expect(alarms.get(overnight[0]!.id)).toMatchObject({ escalationLevel: 1, state: 'unack_active' });
    alarms.untag('panel', supervisor);
    expect(alarms.get(overnight[0]!.id)!.state).toBe('rtn_unack');
  });
});

describe('escalation (A1, A2)', () => {
  let server: Server | undefined;
  afterEach(() => server?.close());

  it('an unacknowledged critical alarm reaches the lead after 60 s and the supervisor after 300 s, through the webhook too', async () => {
    const received: unknown[] = [];
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        received.push(JSON.parse(body));
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => server!.listen(0, '127.0.0.1', () => r()));
    const port = (server.address() as { port: number }).port;
    const clock = fakeClock();
    const { alarms, feed, dutyLog } = wire(clock, tempDir(), { notifiers: [webhookNotifier({ url: `http://127.0.0.1:${port}/hook` }, silentLogger)] });
    feed('th1.temperature', 41);
    clock.advance(5000);
    feed('th1.temperature', 41);
    const hh = alarms.open().find((a) => a.condition === 'highHigh')!;
    expect(hh.nextEscalationAt).toBe(clock.now() + 60_000);
    clock.advance(59_999);
    alarms.tick();
    expect(alarms.get(hh.id)!.escalationLevel).toBe(0);
    clock.advance(1);
    alarms.tick();
    expect(alarms.get(hh.id)).toMatchObject({ escalationLevel: 1, nextEscalationAt: hh.raisedAt + 300_000 });
    expect(dutyLog.list({ limit: 1 })[0]).toMatchObject({ kind: 'alarm.escalated', params: { level: 1, role: 'lead', targets: 'lead (lead)' } });
    clock.advance(240_000);
    alarms.tick();
    expect(alarms.get(hh.id)!.escalationLevel).toBe(2);
    // The webhook's two POSTs arrive over real HTTP: wait for them (up to 15 s on a loaded machine), not 2 s.
    await waitFor(() => received.length >= 2, 'both escalation webhooks');
    // The 35 °C warning (priority high) escalates on its own schedule; look at the critical one.
    expect(received.filter((n) => (n as { alarm: { id: number } }).alarm.id === hh.id)).toMatchObject([
      { type: 'alarm.escalated', level: 1, role: 'lead', targets: [{ username: 'lead' }], alarm: { id: hh.id } },
      { type: 'alarm.escalated', level: 2, role: 'supervisor', targets: [{ username: 'sup' }] },
    ]);
    alarms.acknowledge(hh.id, duty, 'on it');
    clock.advance(3_600_000);
    alarms.tick();
    expect(alarms.get(hh.id)).toMatchObject({ escalationLevel: 2, nextEscalationAt: null });
  });

  it('escalation deadlines and on-delays in progress survive a restart', () => {
    const clock = fakeClock();
    const first = wire(clock);
    first.feed('th1.temperature', 41); // on-delay of 5 s starts
    clock.advance(3000);
    first.store.close();
    const second = wire(clock, first.dir);
    clock.advance(2000);
    second.feed('th1.temperature', 41); // 5 s after the first reading: raised, not restarted
    const hh = second.alarms.open().find((a) => a.condition === 'highHigh')!;
    expect(hh.raisedAt).toBe(clock.now());
    second.store.close();
    const third = wire(clock, first.dir);
    clock.advance(60_000);
    third.alarms.tick();
    expect(third.alarms.get(hh.id)!.escalationLevel).toBe(1);
  });
});

describe('communication loss, suppression by design, floods', () => {
  it('a device going offline raises a comm-loss alarm; back online returns it', () => {
    const clock = fakeClock();
    const { alarms } = wire(clock);
    alarms.deviceStatus({ deviceId: 'th1', roomId: 'dist', online: false, ts: clock.now(), detail: 'Timed out' });
    const comm = alarms.open()[0]!;
    expect(comm).toMatchObject({ condition: 'commLoss', deviceId: 'th1', detail: 'Timed out', state: 'unack_active' });
    alarms.deviceStatus({ deviceId: 'th1', roomId: 'dist', online: true, ts: clock.now() });
    expect(alarms.get(comm.id)!.state).toBe('rtn_unack');
  });

  it('a 3-second comm blip waits for its acknowledgement but escalates to nobody (ISA-18.2 state D)', () => {
    const clock = fakeClock();
    const { alarms, dutyLog } = wire(clock);
    alarms.deviceStatus({ deviceId: 'th1', roomId: 'dist', online: false, ts: clock.now(), detail: 'Timed out' });
    const comm = alarms.open()[0]!;
    expect(comm.nextEscalationAt).not.toBeNull();
    clock.advance(3000);
    alarms.deviceStatus({ deviceId: 'th1', roomId: 'dist', online: true, ts: clock.now() });
    expect(alarms.get(comm.id)).toMatchObject({ state: 'rtn_unack', nextEscalationAt: null });
    clock.advance(20 * 60_000);
    alarms.tick();
    expect(alarms.get(comm.id)).toMatchObject({ state: 'rtn_unack', escalationLevel: 0 });
    expect(dutyLog.list({ limit: 100 }).filter((e) => e.kind === 'alarm.escalated')).toEqual([]);
  });

  it('suppressed by design while another point has the configured value, annunciated otherwise', () => {
    const clock = fakeClock();
    const { feed, only } = wire(clock);
    feed('panel.faultCode', 3);
    feed('th1.humidity', 90);
    expect(only('high').annunciation).toBe('suppressed');
    feed('panel.faultCode', 0);
    expect(only('high').annunciation).toBe('annunciated');
  });

  it('more than 10 alarms in 10 minutes is a flood, grouped by room and cause; 3 raises in a minute is chattering', () => {
    const clock = fakeClock();
    const { alarms, feed } = wire(clock);
    for (let i = 0; i < 4; i++) {
      feed('th1.humidity', 85);
      feed('th1.humidity', 70);
      clock.advance(10_000);
    }
    expect(alarms.summary()).toMatchObject({ flood: false, raisedLast10Min: 4, chattering: ['th1.humidity:high'] });
    // A fire contact triggering again and again: 7 raises (a latched alarm re-raises when the contact closes again).
    for (let i = 0; i < 13; i++) {
      feed('panel.fire', i % 2 === 0);
      clock.advance(40_000);
    }
    const s = alarms.summary();
    expect(s.raisedLast10Min).toBe(11);
    expect(s.flood).toBe(true);
    expect(s.byRoom).toEqual({ dist: 4, fcc: 7 });
    expect(s.byCondition).toEqual({ high: 4, discrete: 7 });
    clock.advance(600_000);
    expect(alarms.summary()).toMatchObject({ flood: false, raisedLast10Min: 0, chattering: [] });
  });
});
