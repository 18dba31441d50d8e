// The durable local store: one SQLite file (node:sqlite, no server, no native module to build).
// WAL with synchronous=FULL: a write is on disk when the call returns, so an alarm or a duty-log entry
// that anyone has been told about survives a kill -9 or a power cut (non-negotiable 3, A5).
import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync, type StatementSync } from 'node:sqlite';
import { migrations as mainMigrations, type Migration } from './migrations.ts';
import type { Logger } from '../core/logger.ts';

export interface Store {
  readonly db: DatabaseSync;
  /**
   * Runs fn in one transaction; it commits (durably) before this returns. Called inside another, fn joins the
   * outer one: one service's change made as part of another's (a confirmed fire opening its playbook) commits or
   * rolls back with it.
   */
  transaction<T>(fn: () => T): T;
  /**
   * Runs fn once the current transaction has committed (at once outside one); dropped on rollback. Whoever
   * owns a fact announces it only when it is durable (A5), so a listener never hears of a change that was undone.
   */
  afterCommit(fn: () => void): void;
  /** A prepared statement for this SQL, prepared once and reused (node:sqlite does not cache them). */
  sql(text: string): StatementSync;
  close(): void;
}

/** Another SQLite file under the data dir with its own migration list (e.g. the historian's outbox). */
export interface StoreFile {
  file: string;
  migrations: readonly Migration[];
  /** FULL (default): durable against power loss. NORMAL in WAL: durable against a crash or kill -9 of the
   *  process, not a power cut; for data that is a copy on its way elsewhere (sqlite.org/pragma.html#pragma_synchronous). */
  synchronous?: 'FULL' | 'NORMAL';
}

/**
 * The data dir holds password hashes, sessions, the visitor register and photos: only the gateway's own user may
 * read it (0700, its files 0600), also when an older version made it world-readable.
 */
export function privateDataDir(dataDir: string): void {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  chmodSync(dataDir, 0o700);
}

export function openStore(dataDir: string, logger: Logger, file: StoreFile = { file: 'roomwatch.db', migrations: mainMigrations }): Store {
  privateDataDir(dataDir);
  const path = join(dataDir, file.file);
  // SQLite creates its -wal and -shm files with the database file's permissions, so that one is made 0600 first.
  if (!existsSync(path)) closeSync(openSync(path, 'a', 0o600));
  for (const f of [path, `${path}-wal`, `${path}-shm`]) if (existsSync(f)) chmodSync(f, 0o600);
  const db = new DatabaseSync(path);
  db.exec(`PRAGMA journal_mode = WAL; PRAGMA synchronous = ${file.synchronous ?? 'FULL'}; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000;`);
  migrate(db, logger, file.migrations);
  let committed: (() => void)[] | null = null;
  const transaction = <T>(fn: () => T): T => {
    if (committed !== null) return fn();
    db.exec('BEGIN IMMEDIATE');
    committed = [];
    let result: T;
    try {
      result = fn();
      db.exec('COMMIT');
    } catch (err) {
      committed = null;
      db.exec('ROLLBACK');
      throw err;
    }
    const callbacks = committed;
    committed = null;
    for (const cb of callbacks) cb();
    return result;
  };
  const afterCommit = (fn: () => void): void => {
    if (committed) committed.push(fn);
    else fn();
  };
  const statements = new Map<string, StatementSync>();
  const sql = (text: string): StatementSync => {
    let s = statements.get(text);
    if (!s) {
      s = db.prepare(text);
      statements.set(text, s);
    }
    return s;
  };
  return { db, transaction, afterCommit, sql, close: () => db.close() };
}

function migrate(db: DatabaseSync, logger: Logger, migrations: readonly Migration[]): void {
  const row = db.prepare('PRAGMA user_version').get() as { user_version: number };
  const newest = migrations.at(-1)?.version ?? 0;
  if (row.user_version > newest) {
    throw new Error(`the store was written by a newer Roomwatch (schema ${row.user_version}, this one knows ${newest}); refusing to touch it`);
  }
  for (const m of migrations) {
    if (m.version <= row.user_version) continue;
    db.exec('BEGIN IMMEDIATE');
    try {
      db.exec(m.sql);
      m.run?.(db);
      db.exec(`PRAGMA user_version = ${m.version}`);
      db.exec('COMMIT');
      logger.info('store migrated', { version: m.version, description: m.description, file: db.location() });
    } catch (err) {
      db.exec('ROLLBACK');
      throw err;
    }
  }
}
