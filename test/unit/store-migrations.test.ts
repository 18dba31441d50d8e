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
    expect(versions.slice(-3)).toEqual([5, 6, 7]);
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
});
