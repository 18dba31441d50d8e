// Run feedback vs command (issue 4 rule kinds; A3: abnormal start/stop of key equipment is reported): the
// Daikin chiller is switched on (register 8) but its unit status (register 15) does not say "run" for longer
// than the delay. Real SQLite, fake clock.
import { describe, expect, it } from 'vitest';
import { createAlarmService } from '../../src/alarms/alarm-service.ts';
import { createPlaybooks } from '../../src/playbooks/playbooks.ts';
import { createBus } from '../../src/core/bus.ts';
import { silentLogger } from '../../src/core/logger.ts';
import type { Reading } from '../../src/core/reading.ts';
import { defaultProfilesDir, parseSite } from '../../src/config/load.ts';
import { ConfigError } from '../../src/config/errors.ts';
import { loadProfiles } from '../../src/devices/profiles.ts';
import { createDutyLog } from '../../src/sinks/duty-log/duty-log.ts';
import { openStore } from '../../src/store/store.ts';
import { fakeClock } from '../helpers/fake-clock.ts';
import { useTempDirs } from '../helpers/temp-dirs.ts';

const profiles = loadProfiles(defaultProfilesDir);
const yaml = (mismatch: string): string => `
site: { id: t, name: { en: T, zh-CN: T }, demo: true }
alarms: { mismatch: [${mismatch}] }
rooms: [{ id: plant, kind: chiller, name: { en: C, zh-CN: 冷冻站 } }]
devices:
  - { id: ch1, room: plant, profile: daikin-microtech3, connection: { type: tcp, host: 127.0.0.1, port: 1502 } }
users: [{ username: duty, displayName: Duty, role: duty, password: duty }]
`;
const tempDir = useTempDirs('rw-mismatch-');

describe('run feedback vs command', () => {
  it('raises after the delay when the chiller is commanded on but does not run, and returns when it runs', () => {
    const site = parseSite('site.yaml', yaml('{ command: ch1.chillerOnOff, feedback: ch1.unitStatus, delaySeconds: 60 }'), profiles);
    const clock = fakeClock();
    const store = openStore(tempDir(), silentLogger);
    const latest = new Map<string, Reading>();
    const dutyLog = createDutyLog(store);
    const playbooks = createPlaybooks({ store, dutyLog, clock, roomIds: new Set(site.config.rooms.map((r) => r.id)) });
    const alarms = createAlarmService({ store, site, dutyLog, bus: createBus(silentLogger), clock, logger: silentLogger, latest: (k) => latest.get(k), onDuty: () => [], playbooks });
    alarms.start();
    const feed = (onOff: number, status: number): void => {
      const rs: Reading[] = [
        { pointKey: 'ch1.chillerOnOff', roomId: 'plant', deviceId: 'ch1', point: 'chillerOnOff', value: onOff, unit: '', quality: 'good', ts: clock.now() },
        { pointKey: 'ch1.unitStatus', roomId: 'plant', deviceId: 'ch1', point: 'unitStatus', value: status, unit: '', quality: 'good', ts: clock.now() },
      ];
      for (const r of rs) latest.set(r.pointKey, r);
      alarms.evaluate(rs);
    };
    feed(0, 1); // off and commanded off: fine
    feed(1, 1); // commanded on, still off (the profile counts start, run and pre-shutdown as running)
    clock.advance(59_000);
    feed(1, 1);
    expect(alarms.open()).toEqual([]);
    clock.advance(1000);
    feed(1, 1); // a minute and it still does not run
    const [m] = alarms.open();
    expect(m).toMatchObject({ condition: 'mismatch', pointKey: 'ch1.unitStatus', rule: 'A3', priority: 'high', detail: 'command 1, feedback 1', state: 'unack_active' });
    feed(1, 3); // running: the command and the feedback agree
    expect(alarms.get(m!.id)!.state).toBe('rtn_unack');
    store.close();
  });

  it('a mismatch naming an unknown point refuses the config', () => {
    expect(() => parseSite('site.yaml', yaml('{ command: ch1.nope, feedback: ch1.unitStatus }'), profiles)).toThrow(ConfigError);
  });
});
