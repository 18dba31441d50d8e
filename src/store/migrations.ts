// Versioned schema migrations of the local store. Append only: a released migration is never edited,
// a change is a new entry. PRAGMA user_version records how far a database has come.

export interface Migration {
  version: number;
  description: string;
  sql: string;
}

export const migrations: readonly Migration[] = [
  {
    version: 1,
    description: 'users, sessions, alarms, duty log',
    sql: `
      CREATE TABLE users (
        username      TEXT PRIMARY KEY,
        display_name  TEXT NOT NULL,
        role          TEXT NOT NULL CHECK (role IN ('duty', 'supervisor', 'admin')),
        password_hash TEXT NOT NULL,
        active        INTEGER NOT NULL DEFAULT 1,
        created_at    INTEGER NOT NULL,
        updated_at    INTEGER NOT NULL
      ) STRICT;

      CREATE TABLE sessions (
        token_hash  TEXT PRIMARY KEY,
        username    TEXT NOT NULL REFERENCES users(username),
        created_at  INTEGER NOT NULL,
        expires_at  INTEGER NOT NULL
      ) STRICT;

      -- One row per alarm occurrence: raised, possibly acknowledged, back to normal.
      CREATE TABLE alarms (
        id          INTEGER PRIMARY KEY,
        point_key   TEXT NOT NULL,
        room_id     TEXT NOT NULL,
        device_id   TEXT NOT NULL,
        condition   TEXT NOT NULL,
        priority    TEXT NOT NULL,
        rule        TEXT,
        state       TEXT NOT NULL,
        value       REAL NOT NULL,
        limit_value REAL NOT NULL,
        unit        TEXT NOT NULL,
        raised_at   INTEGER NOT NULL,
        acked_by    TEXT,
        acked_by_name TEXT, -- display name as it was at the time, for the record
        acked_at    INTEGER,
        ack_note    TEXT,
        cleared_at  INTEGER
      ) STRICT;
      -- At most one open occurrence per point and condition.
      CREATE UNIQUE INDEX alarms_open ON alarms(point_key, condition) WHERE state <> 'normal';

      -- Append only (A5, L1): no route updates or deletes a row.
      CREATE TABLE duty_log (
        id         INTEGER PRIMARY KEY,
        ts         INTEGER NOT NULL,
        kind       TEXT NOT NULL,
        room_id    TEXT,
        device_id  TEXT,
        point_key  TEXT,
        username   TEXT,
        alarm_id   INTEGER REFERENCES alarms(id),
        params     TEXT NOT NULL
      ) STRICT;
      CREATE INDEX duty_log_ts ON duty_log(ts);
    `,
  },
];
