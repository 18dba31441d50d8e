// Users and sessions in the store. Config is the source of who exists and with which role; the store
// keeps them (and sessions) across restarts. A session token is random and only its hash is stored.
import { createHash, randomBytes } from 'node:crypto';
import type { Store } from '../store/store.ts';
import type { Clock } from '../core/clock.ts';
import type { Role, UserView } from '../contract/api.ts';
import type { UserConfig } from '../config/schema.ts';
import { hashPassword, verifyPassword } from './passwords.ts';

export interface UserRow {
  username: string;
  display_name: string;
  role: Role;
  password_hash: string;
  active: number;
}

export interface Users {
  /** Writes the config's users to the store; users no longer in the config are deactivated, not deleted (their names stay in the records). */
  syncFromConfig(users: readonly UserConfig[]): Promise<void>;
  login(username: string, password: string): Promise<{ user: UserView; token: string; expiresAt: number } | null>;
  userForToken(token: string | undefined): UserView | null;
  logout(token: string): void;
  get(username: string): UserView | null;
  /** Active users with a role (escalation targets until the roster says who is on duty). */
  withRole(role: Role): UserView[];
}

// A fixed hash to verify against for unknown users, so a login takes as long whether the user exists or not.
const unknownUserHash = hashPassword(randomBytes(16).toString('hex'));

export function createUsers(store: Store, clock: Clock, sessionHours: number): Users {
  const { db } = store;
  const view = (r: UserRow): UserView => ({ username: r.username, displayName: r.display_name, role: r.role });
  const byName = db.prepare('SELECT * FROM users WHERE username = ?');
  const tokenHash = (token: string): string => createHash('sha256').update(token).digest('hex');

  return {
    async syncFromConfig(users) {
      const now = clock.now();
      const hashes = new Map<string, string>();
      for (const u of users) {
        const existing = byName.get(u.username) as UserRow | undefined;
        if (u.passwordHash) hashes.set(u.username, u.passwordHash);
        else if (existing && (await verifyPassword(u.password!, existing.password_hash))) hashes.set(u.username, existing.password_hash);
        else hashes.set(u.username, await hashPassword(u.password!));
      }
      store.transaction(() => {
        db.prepare('UPDATE users SET active = 0, updated_at = ? WHERE active = 1').run(now);
        const upsert = db.prepare(`
          INSERT INTO users (username, display_name, role, password_hash, active, created_at, updated_at)
          VALUES (?, ?, ?, ?, 1, ?, ?)
          ON CONFLICT(username) DO UPDATE SET display_name = excluded.display_name, role = excluded.role,
            password_hash = excluded.password_hash, active = 1, updated_at = excluded.updated_at`);
        for (const u of users) upsert.run(u.username, u.displayName, u.role, hashes.get(u.username)!, now, now);
        // A deactivated user's sessions end with them.
        db.prepare('DELETE FROM sessions WHERE username IN (SELECT username FROM users WHERE active = 0)').run();
      });
    },

    async login(username, password) {
      const row = byName.get(username) as UserRow | undefined;
      const ok = await verifyPassword(password, row?.password_hash ?? (await unknownUserHash));
      if (!row || !ok || row.active !== 1) return null;
      const token = randomBytes(32).toString('base64url');
      const now = clock.now();
      const expiresAt = now + sessionHours * 3_600_000;
      store.transaction(() => {
        db.prepare('DELETE FROM sessions WHERE expires_at <= ?').run(now);
        db.prepare('INSERT INTO sessions (token_hash, username, created_at, expires_at) VALUES (?, ?, ?, ?)').run(tokenHash(token), row.username, now, expiresAt);
      });
      return { user: view(row), token, expiresAt };
    },

    userForToken(token) {
      if (!token) return null;
      const row = db
        .prepare('SELECT u.* FROM sessions s JOIN users u ON u.username = s.username WHERE s.token_hash = ? AND s.expires_at > ? AND u.active = 1')
        .get(tokenHash(token), clock.now()) as UserRow | undefined;
      return row ? view(row) : null;
    },

    logout(token) {
      store.transaction(() => db.prepare('DELETE FROM sessions WHERE token_hash = ?').run(tokenHash(token)));
    },

    withRole(role) {
      return (db.prepare('SELECT * FROM users WHERE role = ? AND active = 1 ORDER BY username').all(role) as unknown as UserRow[]).map(view);
    },

    get(username) {
      const row = byName.get(username) as UserRow | undefined;
      return row ? view(row) : null;
    },
  };
}
