// Users and sessions in the store. Config is the source of who exists and with which role; the store
// keeps them (and sessions) across restarts. A session token is random and only its hash is stored.
import { createHash, randomBytes } from 'node:crypto';
import type { Store } from '../store/store.ts';
import type { Clock } from '../core/clock.ts';
import type { Role, UserView } from '../contract/api.ts';
import type { UserConfig } from '../config/schema.ts';
import { demoCost, hashPassword, needsRehash, verifyOrDummy, verifyPassword } from './passwords.ts';

export interface UserRow {
  username: string;
  display_name: string;
  role: Role;
  password_hash: string;
  active: number;
  config_hash: string | null;
}

/** A session as the admin sees it (never its token). */
export interface SessionInfo {
  id: number;
  username: string;
  createdAt: number;
  expiresAt: number;
  /** The address it logged in from. */
  source: string | null;
}

export interface Users {
  /** Writes the config's users to the store; users no longer in the config are deactivated, not deleted (their names stay in the records). */
  syncFromConfig(users: readonly UserConfig[]): Promise<void>;
  login(username: string, password: string, source?: string): Promise<{ user: UserView; token: string; expiresAt: number } | null>;
  /** The active user with this password, or null; takes as long for an unknown user as for a wrong password. */
  verify(username: string, password: string): Promise<UserView | null>;
  userForToken(token: string | undefined): UserView | null;
  /** The session id of a token (to mark "this session" in the admin's list). */
  sessionIdForToken(token: string | undefined): number | null;
  logout(token: string): void;
  /** Live sessions, newest first; one user's when named. */
  sessions(username?: string): SessionInfo[];
  /** Ends one session; returns its user, or null when there was none. */
  revokeSession(id: number): string | null;
  /** Ends every session of a user; returns how many. */
  revokeUser(username: string): number;
  get(username: string): UserView | null;
  /** Active users with a role (escalation targets until the roster says who is on duty). */
  withRole(role: Role): UserView[];
}

export interface UsersOptions {
  /** Demo site: plain config passwords are hashed at the demo cost and not raised at login (src/auth/passwords.ts). */
  demo?: boolean;
}

export function createUsers(store: Store, clock: Clock, sessionHours: number, options: UsersOptions = {}): Users {
  const { db } = store;
  const view = (r: UserRow): UserView => ({ username: r.username, displayName: r.display_name, role: r.role });
  const byName = db.prepare('SELECT * FROM users WHERE username = ?');
  const tokenHash = (token: string): string => createHash('sha256').update(token).digest('hex');

  const verify = async (username: string, password: string): Promise<UserView | null> => {
    const row = byName.get(username) as UserRow | undefined;
    const found = row?.active === 1 ? row : undefined;
    if (!(await verifyOrDummy(password, found?.password_hash))) return null;
    if (!options.demo && needsRehash(found!.password_hash)) {
      const raised = await hashPassword(password);
      db.prepare('UPDATE users SET password_hash = ? WHERE username = ?').run(raised, found!.username);
    }
    return view(found!);
  };

  return {
    async syncFromConfig(users) {
      const now = clock.now();
      const hashes = new Map<string, string>();
      const changed: string[] = [];
      for (const u of users) {
        const existing = byName.get(u.username) as UserRow | undefined;
        // A hash raised at login (config_hash = the config's older hash) stays until the config's hash changes.
        if (u.passwordHash) hashes.set(u.username, existing?.config_hash === u.passwordHash ? existing.password_hash : u.passwordHash);
        else if (existing && (await verifyPassword(u.password!, existing.password_hash))) hashes.set(u.username, existing.password_hash);
        else hashes.set(u.username, await hashPassword(u.password!, options.demo ? demoCost : undefined));
        if (existing && hashes.get(u.username) !== existing.password_hash) changed.push(u.username);
      }
      store.transaction(() => {
        db.prepare('UPDATE users SET active = 0, updated_at = ? WHERE active = 1').run(now);
        const upsert = db.prepare(`
          INSERT INTO users (username, display_name, role, password_hash, config_hash, active, created_at, updated_at)
          VALUES (?, ?, ?, ?, ?, 1, ?, ?)
          ON CONFLICT(username) DO UPDATE SET display_name = excluded.display_name, role = excluded.role,
            password_hash = excluded.password_hash, config_hash = excluded.config_hash, active = 1, updated_at = excluded.updated_at`);
        for (const u of users) upsert.run(u.username, u.displayName, u.role, hashes.get(u.username)!, u.passwordHash ?? null, now, now);
        // A deactivated user's sessions end with them; a changed password ends every session of its user.
        db.prepare('DELETE FROM sessions WHERE username IN (SELECT username FROM users WHERE active = 0)').run();
        const end = db.prepare('DELETE FROM sessions WHERE username = ?');
        for (const username of changed) end.run(username);
      });
    },

    verify,

    async login(username, password, source) {
      const user = await verify(username, password);
      if (!user) return null;
      const token = randomBytes(32).toString('base64url');
      const now = clock.now();
      const expiresAt = now + sessionHours * 3_600_000;
      store.transaction(() => {
        db.prepare('DELETE FROM sessions WHERE expires_at <= ?').run(now);
        db.prepare('INSERT INTO sessions (token_hash, username, created_at, expires_at, source) VALUES (?, ?, ?, ?, ?)').run(
          tokenHash(token),
          user.username,
          now,
          expiresAt,
          source ?? null,
        );
      });
      return { user, token, expiresAt };
    },

    sessionIdForToken(token) {
      if (!token) return null;
      const row = db.prepare('SELECT rowid AS id FROM sessions WHERE token_hash = ?').get(tokenHash(token)) as { id: number } | undefined;
      return row?.id ?? null;
    },

    sessions(username) {
      const rows = db
        .prepare(
          `SELECT rowid AS id, username, created_at, expires_at, source FROM sessions WHERE expires_at > ? ${username ? 'AND username = ?' : ''} ORDER BY created_at DESC, rowid DESC`,
        )
        .all(...(username ? [clock.now(), username] : [clock.now()])) as unknown as { id: number; username: string; created_at: number; expires_at: number; source: string | null }[];
      return rows.map((r) => ({ id: r.id, username: r.username, createdAt: r.created_at, expiresAt: r.expires_at, source: r.source }));
    },

    revokeSession(id) {
      const row = store.transaction(() => db.prepare('DELETE FROM sessions WHERE rowid = ? RETURNING username').get(id) as { username: string } | undefined);
      return row?.username ?? null;
    },

    revokeUser(username) {
      return store.transaction(() => Number(db.prepare('DELETE FROM sessions WHERE username = ?').run(username).changes));
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
