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
  {
    // Shifts, roster, duty-log review (issue 5). Versions 2 and 3 belong to the alarm lifecycle and others.
    version: 4,
    description: 'roster, swaps, shift marks, duty-log sign-offs and attachments, handovers, patrols, room entry register, playbooks',
    sql: `
      -- S1: one row per month; published means locked (only approved swaps change it).
      CREATE TABLE roster_months (
        month        TEXT PRIMARY KEY,
        state        TEXT NOT NULL CHECK (state IN ('draft', 'published')),
        updated_by   TEXT,
        updated_at   INTEGER,
        published_by TEXT,
        published_at INTEGER
      ) STRICT;

      CREATE TABLE roster_assignments (
        month     TEXT NOT NULL REFERENCES roster_months(month),
        date      TEXT NOT NULL,
        shift_id  TEXT NOT NULL,
        username  TEXT NOT NULL REFERENCES users(username),
        PRIMARY KEY (date, shift_id, username)
      ) STRICT;
      CREATE INDEX roster_assignments_month ON roster_assignments(month);

      -- S1: swaps need a supervisor's approval in advance; kept for the record whatever the decision.
      CREATE TABLE roster_swaps (
        id           INTEGER PRIMARY KEY,
        month        TEXT NOT NULL,
        date         TEXT NOT NULL,
        shift_id     TEXT NOT NULL,
        from_user    TEXT NOT NULL REFERENCES users(username),
        to_user      TEXT NOT NULL REFERENCES users(username),
        reason       TEXT NOT NULL,
        state        TEXT NOT NULL CHECK (state IN ('pending', 'approved', 'rejected')),
        requested_by TEXT NOT NULL,
        requested_at INTEGER NOT NULL,
        decided_by   TEXT,
        decided_at   INTEGER,
        comment      TEXT
      ) STRICT;

      -- Shift start/end already written to the duty log, so a restart never writes them twice.
      CREATE TABLE shift_marks (
        shift_key TEXT NOT NULL,
        event     TEXT NOT NULL CHECK (event IN ('started', 'ended', 'handover-late')),
        entry_id  INTEGER NOT NULL,
        PRIMARY KEY (shift_key, event)
      ) STRICT;

      -- L4: one signature per day; insert only.
      CREATE TABLE duty_log_signoffs (
        date       TEXT PRIMARY KEY,
        signed_by  TEXT NOT NULL REFERENCES users(username),
        signed_at  INTEGER NOT NULL,
        comment    TEXT NOT NULL,
        entry_id   INTEGER NOT NULL
      ) STRICT;

      -- L3: photos and documents of major events; the file lives in <dataDir>/attachments/<id>.
      -- No foreign key to duty_log: the retention job removes both together (L5).
      CREATE TABLE duty_log_attachments (
        id           INTEGER PRIMARY KEY,
        entry_id     INTEGER NOT NULL,
        file_name    TEXT NOT NULL,
        content_type TEXT NOT NULL,
        size         INTEGER NOT NULL,
        sha256       TEXT NOT NULL,
        uploaded_by  TEXT NOT NULL,
        uploaded_at  INTEGER NOT NULL
      ) STRICT;
      CREATE INDEX duty_log_attachments_entry ON duty_log_attachments(entry_id);

      -- S6: one handover per outgoing shift; the outgoing signs first, the shift stays open until the
      -- incoming person signs with their own password.
      CREATE TABLE handovers (
        id                 INTEGER PRIMARY KEY,
        shift_key          TEXT NOT NULL UNIQUE,
        next_shift_key     TEXT,
        state              TEXT NOT NULL CHECK (state IN ('awaitingIncoming', 'completed')),
        outgoing_user      TEXT NOT NULL REFERENCES users(username),
        outgoing_signed_at INTEGER NOT NULL,
        incoming_user      TEXT REFERENCES users(username),
        incoming_signed_at INTEGER,
        checklist          TEXT NOT NULL,
        present            TEXT NOT NULL,
        unfit              TEXT NOT NULL,
        note               TEXT NOT NULL
      ) STRICT;

      -- P1/P3/P4: one row per patrol round, counted for one period (slot) of its schedule.
      CREATE TABLE patrol_rounds (
        id          INTEGER PRIMARY KEY,
        schedule_id TEXT NOT NULL,
        slot_key    TEXT NOT NULL,
        room_id     TEXT NOT NULL,
        username    TEXT NOT NULL REFERENCES users(username),
        ts          INTEGER NOT NULL,
        checklist   TEXT NOT NULL,
        readings    TEXT NOT NULL,
        remarks     TEXT NOT NULL,
        entry_id    INTEGER NOT NULL
      ) STRICT;
      CREATE INDEX patrol_rounds_slot ON patrol_rounds(schedule_id, slot_key);

      -- Overdue periods already reported, so each is logged and raised once.
      CREATE TABLE patrol_overdue (
        schedule_id TEXT NOT NULL,
        slot_key    TEXT NOT NULL,
        entry_id    INTEGER NOT NULL,
        PRIMARY KEY (schedule_id, slot_key)
      ) STRICT;

      -- R3: outsiders in machine rooms, with approver, escort, in and out times.
      CREATE TABLE room_entries (
        id           INTEGER PRIMARY KEY,
        room_id      TEXT NOT NULL,
        visitor      TEXT NOT NULL,
        organisation TEXT NOT NULL,
        purpose      TEXT NOT NULL,
        approved_by  TEXT NOT NULL REFERENCES users(username),
        escort       TEXT NOT NULL REFERENCES users(username),
        in_at        INTEGER NOT NULL,
        out_at       INTEGER,
        recorded_by  TEXT NOT NULL REFERENCES users(username)
      ) STRICT;

      -- E1–E4: emergency playbooks; steps timestamped; closed with the written report (L7).
      CREATE TABLE playbooks (
        id         INTEGER PRIMARY KEY,
        type       TEXT NOT NULL,
        situation  TEXT NOT NULL,
        alarm_id   INTEGER,
        room_id    TEXT,
        opened_by  TEXT NOT NULL REFERENCES users(username),
        opened_at  INTEGER NOT NULL,
        state      TEXT NOT NULL CHECK (state IN ('open', 'closed')),
        closed_by  TEXT REFERENCES users(username),
        closed_at  INTEGER,
        report     TEXT
      ) STRICT;
      CREATE TABLE playbook_steps (
        playbook_id INTEGER NOT NULL REFERENCES playbooks(id),
        step_id     TEXT NOT NULL,
        done_by     TEXT NOT NULL REFERENCES users(username),
        done_at     INTEGER NOT NULL,
        note        TEXT NOT NULL,
        PRIMARY KEY (playbook_id, step_id)
      ) STRICT;
    `,
  },
];
