// The alarm service on a real SQLite store with a fake clock: R1 raise/ack/return, the duty-log
// entries it writes in the same transaction (A5, L1), and state that survives a reopen of the store.
import { describe, expect, it } from 'vitest';
import { useTempDirs } from '../helpers/temp-dirs.ts';
import { createAlarmService } from '../../src/alarms/alarm-service.ts';
import { createPlaybooks } from '../../src/playbooks/playbooks.ts';
import { createBus } from '../../src/core/bus.ts';
import { silentLogger } from '../../src/core/logger.ts';
import type { Reading } from '../../src/core/reading.ts';
import { defaultProfilesDir, parseSite, type Site } from '../../src/config/load.ts';
import { loadProfiles } from '../../src/devices/profiles.ts';
import { createDutyLog } from '../../src/sinks/duty-log/duty-log.ts';
import { openStore, type Store } from '../../src/store/store.ts';
import type { AlarmTransition } from '../../src/alarms/types.ts';
import { fakeClock, type FakeClock } from '../helpers/fake-clock.ts';

const site: Site = parseSite(
  'site.yaml',
  `
site: { id: t, name: { en: T, zh-CN: T }, demo: true }
rooms: [{ id: dist, kind: distribution, name: { en: D, zh-CN: 配电房 } }]
devices:
  - { id: th1, room: dist, profile: xy-md02, connection: { type: tcp, host: 127.0.0.1, port: 1502 },
      limits: { temperature: { onDelaySeconds: 5 } } }
users: [{ username: duty, displayName: Duty Li, role: duty, password: duty }]
`,
  loadProfiles(defaultProfilesDir),
);

const duty = { username: 'duty', displayName: 'Duty Li', role: 'duty' as const };


function wire(dataDir: string, clock: FakeClock) {
  const store: Store = openStore(dataDir, silentLogger);
  const bus = createBus(silentLogger);
  const dutyLog = createDutyLog(store, bus);
  const heard: AlarmTransition[] = [];
  bus.on('alarm', 'test', (t) => heard.push(t));
  const playbooks = createPlaybooks({ store, dutyLog, clock, roomIds: new Set(site.config.rooms.map((r) => r.id)) });
  const alarms = createAlarmService({ store, site, dutyLog, bus, clock, logger: silentLogger, latest: () => undefined, onDuty: () => [], playbooks });
  alarms.start();
  const feed = (value: number | null, quality: Reading['quality'] = 'good'): void =>
    alarms.evaluate([{ pointKey: 'th1.temperature', roomId: 'dist', deviceId: 'th1', point: 'temperature', value, unit: '°C', quality, ts: clock.now() }]);
  return { store, alarms, dutyLog, heard, feed };
}

const tempDir = useTempDirs('rw-alarms-');

describe('alarm service (R1, A5)', () => {
  it('raises the warning at 35 and the alarm at 40 °C after the on-delay, writing the duty log', () => {
    const clock = fakeClock();
    const { alarms, dutyLog, heard, feed } = wire(tempDir(), clock);
    feed(41.5);
    expect(alarms.open()).toEqual([]); // on-delay running
    clock.advance(5000);
    feed(41.5);
    const open = alarms.open();
    // Newest first: both raised at the same instant, highHigh evaluated first, so high is newest.
    expect(open.map((a) => [a.condition, a.priority, a.state, a.rule, a.value, a.limit])).toEqual([
      ['high', 'high', 'unack_active', 'R1', 41.5, 35],
      ['highHigh', 'critical', 'unack_active', 'R1', 41.5, 40],
    ]);
    expect(heard.map((t) => t.kind)).toEqual(['raised', 'raised']);
    const entries = dutyLog.list({});
    expect(entries).toHaveLength(2);
    expect(entries[0]).toMatchObject({ kind: 'alarm.raised', roomId: 'dist', deviceId: 'th1', pointKey: 'th1.temperature', username: null });
    expect(entries.map((e) => e.params.limit).sort()).toEqual([35, 40]);
    expect(entries.every((e) => e.params.rule === 'R1' && e.params.value === 41.5 && e.params.unit === '°C')).toBe(true);
    expect(entries[0]!.ts).toBe(clock.now());
  });

  it('acknowledge records who, when and the note; a critical alarm needs a note', () => {
    const clock = fakeClock();
    const { alarms, dutyLog, feed } = wire(tempDir(), clock);
    feed(41);
    clock.advance(5000);
    feed(41);
    const critical = alarms.open().find((a) => a.condition === 'highHigh')!;
    expect(() => alarms.acknowledge(critical.id, duty, '  ')).toThrow(expect.objectContaining({ code: 'RW_NOTE_REQUIRED' }));
    clock.advance(12_000);
    const acked = alarms.acknowledge(critical.id, duty, 'fan started, door opened');
    expect(acked).toMatchObject({ state: 'ack_active', ackedBy: 'duty', ackedByName: 'Duty Li', ackedAt: clock.now(), ackNote: 'fan started, door opened' });
    expect(() => alarms.acknowledge(critical.id, duty, 'again')).toThrow(expect.objectContaining({ code: 'RW_ALARM_NOT_ACKABLE' }));
    expect(() => alarms.acknowledge(9999, duty, 'x')).toThrow(expect.objectContaining({ code: 'RW_NOT_FOUND' }));
    expect(dutyLog.list({ limit: 1 })[0]).toMatchObject({ kind: 'alarm.acknowledged', username: 'duty', alarmId: critical.id, params: { note: 'fan started, door opened', user: 'Duty Li' } });
  });

  it('returns to normal below limit minus deadband: acked alarm clears, unacked one waits for ack', () => {
    const clock = fakeClock();
    const { alarms, heard, feed } = wire(tempDir(), clock);
    feed(41);
    clock.advance(5000);
    feed(41);
    const hh = alarms.open().find((a) => a.condition === 'highHigh')!;
    alarms.acknowledge(hh.id, duty, 'checked');
    feed(39.5); // inside the deadband: still active
    expect(alarms.get(hh.id)?.state).toBe('ack_active');
    feed(38.9);
    expect(alarms.get(hh.id)).toMatchObject({ state: 'normal', clearedAt: clock.now() });
    // The 35 °C warning is still active at 38.9 and was never acknowledged.
    const warn = alarms.open().find((a) => a.condition === 'high')!;
    feed(33.9);
    expect(alarms.get(warn.id)?.state).toBe('rtn_unack');
    alarms.acknowledge(warn.id, duty, '');
    expect(alarms.open()).toEqual([]);
    expect(heard.map((t) => `${t.alarm.condition}:${t.kind}`)).toEqual([
      'highHigh:raised', 'high:raised', 'highHigh:acknowledged', 'highHigh:cleared', 'high:returned', 'high:acknowledged',
    ]);
  });

  it('bad quality neither raises nor clears (the value is unknown, not normal)', () => {
    const clock = fakeClock();
    const { alarms, feed } = wire(tempDir(), clock);
    feed(41);
    clock.advance(5000);
    feed(41);
    feed(null, 'comm_lost');
    expect(alarms.open()).toHaveLength(2);
    expect(alarms.open().every((a) => a.state === 'unack_active')).toBe(true);
  });

  it('an unacknowledged alarm is still unacknowledged after the store is reopened, and clears from there', () => {
    const clock = fakeClock();
    const dir = tempDir();
    const first = wire(dir, clock);
    first.feed(41);
    clock.advance(5000);
    first.feed(41);
    first.store.close();
    const second = wire(dir, clock);
    expect(second.alarms.open().map((a) => a.state)).toEqual(['unack_active', 'unack_active']);
    expect(second.dutyLog.list({})).toHaveLength(2);
    second.feed(30); // below both limits minus deadband: the restored rule state lets them return
    expect(second.alarms.open().map((a) => a.state)).toEqual(['rtn_unack', 'rtn_unack']);
    second.store.close();
  });

  it('raises a communication-loss alarm when a device goes offline and returns it when it answers again (issue 3, A8)', () => {
    const clock = fakeClock();
    const { alarms, dutyLog, heard } = wire(tempDir(), clock);
    const status = (online: boolean) => alarms.deviceStatus({ deviceId: 'th1', roomId: 'dist', online, ts: clock.now(), ...(online ? {} : { detail: 'timeout' }) });
    status(false);
    status(false); // still offline: no second alarm
    expect(alarms.open().map((a) => [a.pointKey, a.condition, a.priority, a.rule, a.state])).toEqual([['th1', 'commLoss', 'high', 'A8', 'unack_active']]); // device-level: the point key is the device
    clock.advance(30_000);
    status(true);
    expect(alarms.open().map((a) => [a.condition, a.state])).toEqual([['commLoss', 'rtn_unack']]); // seen by nobody yet
    expect(heard.map((t) => t.kind)).toEqual(['raised', 'returned']);
    expect(dutyLog.list({}).map((e) => [e.kind, e.deviceId, e.params.condition])).toEqual([
      ['alarm.returned', 'th1', 'commLoss'],
      ['alarm.raised', 'th1', 'commLoss'],
    ]);
    alarms.acknowledge(alarms.open()[0]!.id, duty, 'pump restarted on site');
    expect(alarms.open()).toEqual([]);
  });
});
