// A5: alarm and duty-log records are never lost or silently changed. The duty log is a hash chain;
// the database refuses edits; verify names the first broken entry when someone edits the file anyway.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { describe, expect, it } from 'vitest';
import { useTempDirs } from '../helpers/temp-dirs.ts';
import { silentLogger } from '../../src/core/logger.ts';
import { openStore } from '../../src/store/store.ts';
import { migrations } from '../../src/store/migrations.ts';
import { createDutyLog } from '../../src/sinks/duty-log/duty-log.ts';
import { projectRoot } from '../../src/config/load.ts';
import { entryHash, type ChainedFields } from '../../src/store/journal-hash.ts';

const tempDir = useTempDirs('rw-journal-');

function logWithEntries(dir: string, n: number): void {
  const store = openStore(dir, silentLogger);
  const log = createDutyLog(store);
  for (let i = 1; i <= n; i++) log.append({ ts: 1_700_000_000_000 + i, kind: 'alarm.raised', pointKey: `p${i}`, params: { value: 40 + i } });
  store.close();
}

const verify = (dir: string) => {
  const store = openStore(dir, silentLogger);
  const result = createDutyLog(store).verify();
  store.close();
  return result;
};

/** What an attacker with the file does: drop the guard, then edit. */
function tamper(dir: string, sql: string): void {
  const db = new DatabaseSync(join(dir, 'roomwatch.db'));
  db.exec('DROP TRIGGER IF EXISTS duty_log_no_update');
  db.exec(sql);
  db.close();
}

describe('duty-log hash chain (A5)', () => {
  it('an untouched log verifies', () => {
    const dir = tempDir();
    logWithEntries(dir, 5);
    expect(verify(dir)).toEqual({ entries: 5, firstBreak: null });
  });

  it('the database itself refuses to edit an entry', () => {
    const dir = tempDir();
    logWithEntries(dir, 2);
    const db = new DatabaseSync(join(dir, 'roomwatch.db'));
    expect(() => db.exec("UPDATE duty_log SET params = '{}' WHERE id = 1")).toThrow(/append-only/);
    db.close();
  });

  it('an edited entry is named: verify fails at that row', () => {
    const dir = tempDir();
    logWithEntries(dir, 5);
    tamper(dir, `UPDATE duty_log SET params = '{"value":39}' WHERE id = 3`);
    expect(verify(dir).firstBreak).toEqual({ id: 3, reason: 'content does not match its hash (edited)' });
  });

  it('an edit that also recomputes its own hash still breaks the next link', () => {
    const dir = tempDir();
    logWithEntries(dir, 5);
    const db = new DatabaseSync(join(dir, 'roomwatch.db'));
    const row = db.prepare('SELECT * FROM duty_log WHERE id = 2').get() as unknown as ChainedFields & { prev_hash: string };
    const forged = { ...row, params: '{"value":30}' };
    db.close();
    tamper(dir, `UPDATE duty_log SET params = '${forged.params}', hash = '${entryHash(row.prev_hash, forged)}' WHERE id = 2`);
    expect(verify(dir).firstBreak).toEqual({ id: 3, reason: 'does not link to the entry before it (edited or reordered)' });
  });

  it('a deleted entry is named', () => {
    const dir = tempDir();
    logWithEntries(dir, 5);
    tamper(dir, 'DELETE FROM duty_log WHERE id = 4');
    expect(verify(dir).firstBreak).toEqual({ id: 5, reason: 'entry 4 missing (deleted?)' });
  });

  it('entries written before the chain existed are chained by the migration', () => {
    const dir = tempDir();
    const db = new DatabaseSync(join(dir, 'roomwatch.db'));
    db.exec(migrations[0]!.sql);
    db.exec('PRAGMA user_version = 1');
    db.exec(`INSERT INTO duty_log (ts, kind, params) VALUES (1, 'gateway.started', '{}'), (2, 'user.login', '{"user":"x"}')`);
    db.close();
    expect(verify(dir)).toEqual({ entries: 2, firstBreak: null });
    logWithEntries(dir, 1); // new entries link on
    expect(verify(dir)).toEqual({ entries: 3, firstBreak: null });
  });

  it('verify-journal CLI: exit 0 on a sound log, exit 1 naming the entry on a tampered one', () => {
    const dir = tempDir();
    logWithEntries(dir, 3);
    const config = join(dir, 'site.yaml');
    writeFileSync(
      config,
      `site: { id: t, name: { en: T, zh-CN: T }, demo: true }
storage: { dataDir: ${JSON.stringify(dir)} }
rooms: [{ id: r, kind: other, name: { en: R, zh-CN: R } }]
devices: []
users: [{ username: duty, displayName: D, role: duty, password: duty }]
`,
    );
    const node = join(projectRoot, 'node_modules', '.bin', 'node');
    const cli = join(projectRoot, 'src', 'cli', 'verify-journal.ts');
    expect(execFileSync(node, [cli, config], { encoding: 'utf8' })).toMatch(/^OK: 3 duty-log entries/);
    tamper(dir, `UPDATE duty_log SET username = 'someone' WHERE id = 2`);
    let status = 0;
    let stderr = '';
    try {
      execFileSync(node, [cli, config], { encoding: 'utf8', stdio: 'pipe' });
    } catch (err) {
      ({ status, stderr } = err as { status: number; stderr: string });
    }
    expect(status).toBe(1);
    expect(stderr).toMatch(/BROKEN at duty-log entry 2: content does not match its hash/);
  });
});
