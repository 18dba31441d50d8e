// The main store's migrations: numbered once each, in order, and a store written by an older gateway upgrades in
// place with its records kept (A5). Version 7 (the crash trace, L1/L6) came after 5 (sessions) and 6 (fire 'test').
import { DatabaseSync } from 'node:sqlite';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/core/logger.ts';
import { openStore } from '../../src/store/store.ts';
import { migrations } from '../../src/store/migrations.ts';
import { createDutyLog } from '../../src/sinks/duty-log/duty-log.ts';
import { createGatewayRun } from '../../src/duty/gateway-run.ts';
import { fakeClock } from '../helpers/fake-clock.ts';
import { useTempDirs } from '../helpers/temp-dirs.ts';

const tempDir = useTempDirs('rw-migrations-');
const userVersion = (dir: string): number => {
  const db = new DatabaseSync(join(dir, 'roomwatch.db'));
  const { user_version } = db.prepare('PRAGMA user_version').get() as { user_version: number };
  db.close();
  return user_version;
};

describe('main store migrations', () => {
  it('are numbered in increasing order, each number used once (a branch migration is renumbered when it lands)', () => {
    const versions = migrations.map((m) => m.version);
    expect(versions).toEqual([...new Set(versions)].sort((a, b) => a - b));
    expect(versions.slice(-4)).toEqual([6, 7, 8, 9]);
  });

  it('upgrade a store at version 6 to the newest, keeping its entries, sessions and fire classifications', () => {
    const dir = tempDir();
    const old = openStore(dir, silentLogger, { file: 'roomwatch.db', migrations: migrations.filter((m) => m.version <= 6) });
    const log = createDutyLog(old);
    log.append({ ts: 1_700_000_000_000, kind: 'gateway.started', params: {} });
    old.db.exec("INSERT INTO users (username, display_name, role, password_hash, created_at, updated_at) VALUES ('li', 'Duty Li', 'duty', 'x', 1, 1)");
    old.db.exec("INSERT INTO sessions (token_hash, username, created_at, expires_at, source) VALUES ('t', 'li', 1, 2, 'console')");
    old.close();
    expect(userVersion(dir)).toBe(6);

    const clock = fakeClock();
    const store = openStore(dir, silentLogger);
    expect(userVersion(dir)).toBe(migrations.at(-1)!.version);
    expect(store.db.prepare('SELECT source FROM sessions').all()).toEqual([{ source: 'console' }]);
    expect(createDutyLog(store).verify()).toEqual({ entries: 1, firstBreak: null });
    // The crash-trace table exists and works: an unclean stop is found on the next open (L1).
    const run = createGatewayRun({ store, dutyLog: createDutyLog(store), clock, timeZone: 'Asia/Shanghai' });
    expect(run.open(clock.now()).firstStart).toBe(1_700_000_000_000);
    run.open(clock.now());
    expect(createDutyLog(store).list({ limit: 1 })[0]).toMatchObject({ kind: 'gateway.uncleanStop', params: { rule: 'L1' } });
    store.close();
  });

  it('upgrade a store at version 7 to 8 (A7, A8, P1, L4): open alarms keep their rows and gain an empty evidence reference; the new tables work', () => {
    const dir = tempDir();
    const old = openStore(dir, silentLogger, { file: 'roomwatch.db', migrations: migrations.filter((m) => m.version <= 7) });
    old.db.exec(`INSERT INTO alarms (point_key, room_id, device_id, condition, priority, rule, state, value, limit_value, unit, raised_at, kind, latched)
      VALUES ('cam.reviewAlert', 'cctv', 'cam', 'discrete', 'high', 'A7', 'unack_active', 1, 0, '', 1, 'discrete', 0)`);
    old.close();
    expect(userVersion(dir)).toBe(7);
    const store = openStore(dir, silentLogger, { file: 'roomwatch.db', migrations: migrations.filter((m) => m.version <= 8) });
    expect(userVersion(dir)).toBe(8);
    expect(store.db.prepare('SELECT point_key, state, evidence FROM alarms').all()).toEqual([{ point_key: 'cam.reviewAlert', state: 'unack_active', evidence: null }]);
    store.db.exec("INSERT INTO alarm_reports (alarm_id, reported_by, reported_by_name, reported_at, note, targets) VALUES (1, 'li', 'Duty Li', 2, 'needs the vendor', 'Lead Zhang')");
    store.db.exec("INSERT INTO patrol_stepups (schedule_id, factor, from_ts, until_ts, reason, set_by, set_by_name, set_at) VALUES ('round', 2, 1, 2, 'typhoon', 'sup', 'Sup Wu', 1)");
    expect(store.db.prepare('SELECT count(*) AS n FROM duty_log_countersigns').get()).toEqual({ n: 0 });
    store.close();
  });

  it('upgrade a store at version 8 to 9 (A4, A7): fire and CCTV responses keep their rows in on_site_responses', () => {
    const dir = tempDir();
    const old = openStore(dir, silentLogger, { file: 'roomwatch.db', migrations: migrations.filter((m) => m.version <= 8) });
    old.db.exec(`INSERT INTO alarms (point_key, room_id, device_id, condition, priority, rule, state, value, limit_value, unit, raised_at, kind, latched)
      VALUES ('panel.fire', 'fcc', 'panel', 'discrete', 'critical', 'A4', 'latched_ack', 1, 0, '', 1, 'discrete', 1),
             ('cam.reviewAlert', 'cctv', 'cam', 'discrete', 'high', 'A7', 'unack_active', 1, 0, '', 2, 'discrete', 0)`);
    old.db.exec(`INSERT INTO fire_responses (alarm_id, dispatched_to, dispatched_by, dispatched_at, classification, classified_by, classified_at, note)
      VALUES (1, 'Guard Wang', 'li', 3, 'false_alarm', 'lead', 4, 'dust'), (2, 'Guard Zhao', 'li', 5, NULL, NULL, NULL, NULL)`);
    old.close();
    const store = openStore(dir, silentLogger);
    expect(userVersion(dir)).toBe(9);
    expect(store.db.prepare('SELECT alarm_id, dispatched_to, classification, note FROM on_site_responses ORDER BY alarm_id').all()).toEqual([
      { alarm_id: 1, dispatched_to: 'Guard Wang', classification: 'false_alarm', note: 'dust' },
      { alarm_id: 2, dispatched_to: 'Guard Zhao', classification: null, note: null },
    ]);
    expect(store.db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE name = 'fire_responses'").get()).toEqual({ n: 0 });
    store.close();
  });
});
