// One transaction per change (A5): a service's write made inside another's (a confirmed fire opening its playbook,
// E4) joins the outer transaction, so both commit together or neither does, and listeners hear only of what committed.
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/core/logger.ts';
import { openStore } from '../../src/store/store.ts';
import { useTempDirs } from '../helpers/temp-dirs.ts';

const tempDir = useTempDirs('rw-transaction-');
const USER = "INSERT INTO users (username, display_name, role, password_hash, created_at, updated_at) VALUES (?, ?, 'duty', 'x', 1, 1)";
const count = (store: ReturnType<typeof openStore>): number => (store.db.prepare('SELECT count(*) AS n FROM users').get() as { n: number }).n;

describe('store transactions', () => {
  it('a transaction inside another joins it: its writes and its after-commit work wait for the outer commit', () => {
    const store = openStore(tempDir(), silentLogger);
    const heard: string[] = [];
    store.transaction(() => {
      store.sql(USER).run('li', 'Li');
      store.transaction(() => {
        store.sql(USER).run('wang', 'Wang');
        store.afterCommit(() => heard.push('inner'));
      });
      expect(heard).toEqual([]);
      store.afterCommit(() => heard.push('outer'));
    });
    expect([count(store), heard]).toEqual([2, ['inner', 'outer']]);
    store.close();
  });

  it('a failure after the inner one returned rolls both back, and nobody hears of the inner write', () => {
    const store = openStore(tempDir(), silentLogger);
    const heard: string[] = [];
    expect(() =>
      store.transaction(() => {
        store.transaction(() => {
          store.sql(USER).run('wang', 'Wang');
          store.afterCommit(() => heard.push('inner'));
        });
        throw new Error('the outer change is refused');
      }),
    ).toThrow('the outer change is refused');
    expect([count(store), heard]).toEqual([0, []]);
    // The store is usable afterwards: the next transaction starts afresh.
    store.transaction(() => store.sql(USER).run('li', 'Li'));
    expect(count(store)).toBe(1);
    store.close();
  });
});
