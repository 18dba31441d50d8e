// Versioned schema migrations of the local store. Append only: a released migration is never edited,
// a change is a new entry. PRAGMA user_version records how far a database has come.
import type { DatabaseSync } from 'node:sqlite';
import { entryHash, type ChainedFields } from './journal-hash.ts';

export interface Migration {
  version: number;
  description: string;
  sql: string;
  /** Steps SQL alone cannot do (computing hashes), run after `sql` in the same transaction. */
  run?(db: DatabaseSync): void;
}

/** The first link of the duty-log chain (A5): the hash a first entry points back to. */
export const GENESIS_HASH = '0'.repeat(64);

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
    version: 2,
    description: 'tamper-evident duty log, roles lead and manager, alarm lifecycle state',
    sql: `
      -- A5: the duty log is a hash chain; each entry carries the hash of the one before.
      ALTER TABLE duty_log ADD COLUMN prev_hash TEXT NOT NULL DEFAULT '${'0'.repeat(64)}';
      ALTER TABLE duty_log ADD COLUMN hash TEXT NOT NULL DEFAULT '';

      -- Domain roles (domain.md "People and roles"): duty staff, shift lead, supervisor, manager, admin.
      DELETE FROM sessions;
      CREATE TABLE users_v2 (
        username      TEXT PRIMARY KEY,
        display_name  TEXT NOT NULL,
        role          TEXT NOT NULL CHECK (role IN ('duty', 'lead', 'supervisor', 'manager', 'admin')),
        password_hash TEXT NOT NULL,
        active        INTEGER NOT NULL DEFAULT 1,
        created_at    INTEGER NOT NULL,
        updated_at    INTEGER NOT NULL
      ) STRICT;
      INSERT INTO users_v2 SELECT * FROM users;
      DROP TABLE sessions;
      DROP TABLE users;
      ALTER TABLE users_v2 RENAME TO users;
      CREATE TABLE sessions (
        token_hash  TEXT PRIMARY KEY,
        username    TEXT NOT NULL REFERENCES users(username),
        created_at  INTEGER NOT NULL,
        expires_at  INTEGER NOT NULL
      ) STRICT;

      -- Alarm kinds beyond limits, latching (fire, A4), escalation deadlines (A1/A2) that survive restarts.
      ALTER TABLE alarms ADD COLUMN kind TEXT NOT NULL DEFAULT 'limit';
      ALTER TABLE alarms ADD COLUMN latched INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE alarms ADD COLUMN detail TEXT;
      ALTER TABLE alarms ADD COLUMN escalation_level INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE alarms ADD COLUMN next_escalation_at INTEGER;

      -- Shelving (ISA-18.2 state G) per point and condition: who, why, until when. Current state only;
      -- the history is in the duty log.
      CREATE TABLE alarm_shelves (
        point_key  TEXT NOT NULL,
        condition  TEXT NOT NULL,
        shelved_by TEXT NOT NULL,
        reason     TEXT NOT NULL,
        shelved_at INTEGER NOT NULL,
        until      INTEGER NOT NULL,
        PRIMARY KEY (point_key, condition)
      ) STRICT;

      -- Out of service (state I): a maintenance tag (R5) or a fire-device isolation (A6) on a device.
      CREATE TABLE device_tags (
        device_id    TEXT PRIMARY KEY,
        kind         TEXT NOT NULL CHECK (kind IN ('maintenance', 'isolation')),
        state        TEXT NOT NULL CHECK (state IN ('requested', 'active')),
        reason       TEXT NOT NULL,
        tagged_by    TEXT NOT NULL,
        tagged_at    INTEGER NOT NULL,
        planned_end  INTEGER,
        approved_by  TEXT,
        approved_at  INTEGER
      ) STRICT;

      -- On-delay and off-delay timers in progress, so a restart neither loses nor restarts them.
      CREATE TABLE rule_timers (
        point_key  TEXT NOT NULL,
        condition  TEXT NOT NULL,
        pending_since INTEGER,
        clearing_since INTEGER,
        PRIMARY KEY (point_key, condition)
      ) STRICT;

      -- Fire-alarm confirmation (A4): who was sent, and what they found.
      CREATE TABLE fire_responses (
        alarm_id        INTEGER PRIMARY KEY REFERENCES alarms(id),
        dispatched_to   TEXT,
        dispatched_by   TEXT,
        dispatched_at   INTEGER,
        classification  TEXT CHECK (classification IN ('confirmed', 'false_alarm', 'device_fault')),
        classified_by   TEXT,
        classified_at   INTEGER,
        note            TEXT
      ) STRICT;
    `,
    run(db) {
      // Chain the entries written before the chain existed, oldest first, then forbid edits for good.
      let prev = GENESIS_HASH;
      const seal = db.prepare('UPDATE duty_log SET prev_hash = ?, hash = ? WHERE id = ?');
      for (const row of db.prepare('SELECT * FROM duty_log ORDER BY id').all() as unknown as ChainedFields[]) {
        const hash = entryHash(prev, row);
        seal.run(prev, hash, row.id);
        prev = hash;
      }
      // Append only, enforced by the database itself: no route, bug or script edits an entry (A5).
      db.exec(`CREATE TRIGGER duty_log_no_update BEFORE UPDATE ON duty_log
        BEGIN SELECT RAISE(ABORT, 'duty log entries are append-only (A5)'); END;`);
    },
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
  {
    // Issue 13: a hash raised to OWASP's cost at login survives restarts while the config still holds the
    // older hash it replaced (config_hash); sessions get an id and a source for the admin's list.
    version: 5,
    description: 'password rehash on login, session list and revocation',
    sql: `
      ALTER TABLE users ADD COLUMN config_hash TEXT;
      ALTER TABLE sessions ADD COLUMN source TEXT;
      `,
  },
  {
    // Issue 12: a detector's routine test (its test button) is classified as a test, not as a false alarm.
    // SQLite cannot change a CHECK in place: the table is copied into a new one.
    version: 6,
    description: "fire classification 'test'",
    sql: `
      CREATE TABLE fire_responses_new (
        alarm_id        INTEGER PRIMARY KEY REFERENCES alarms(id),
        dispatched_to   TEXT,
        dispatched_by   TEXT,
        dispatched_at   INTEGER,
        classification  TEXT CHECK (classification IN ('confirmed', 'false_alarm', 'device_fault', 'test')),
        classified_by   TEXT,
        classified_at   INTEGER,
        note            TEXT
      ) STRICT;
      INSERT INTO fire_responses_new SELECT alarm_id, dispatched_to, dispatched_by, dispatched_at, classification, classified_by, classified_at, note FROM fire_responses;
      DROP TABLE fire_responses;
      ALTER TABLE fire_responses_new RENAME TO fire_responses;
    `,
  },
  {
    // Issue 14: a crash leaves a trace (L1/L6). One row: the last durable sign of life and whether the gateway
    // stopped cleanly; an unclean stop found on start is logged with the blind period since the heartbeat.
    version: 7,
    description: 'gateway run record: heartbeat and clean stop',
    sql: `
      CREATE TABLE gateway_run (
        id             INTEGER PRIMARY KEY CHECK (id = 1),
        started_at     INTEGER NOT NULL,
        heartbeat_at   INTEGER NOT NULL,
        stopped_clean  INTEGER NOT NULL
      ) STRICT;
    `,
  },
  {
    // Issue 14, rules still partial: what the shift reports upwards stays with the alarm until it clears (A8).
    version: 8,
    description: 'duty rules: faults reported upwards, CCTV evidence, stepped-up patrols, manager countersignature',
    sql: `
      -- A7: the evidence reference a CCTV alarm came with (Frigate event id, snapshot or clip), kept with the alarm.
      ALTER TABLE alarms ADD COLUMN evidence TEXT;
      CREATE TABLE alarm_reports (
        alarm_id    INTEGER PRIMARY KEY REFERENCES alarms(id),
        reported_by TEXT NOT NULL,
        -- the reporter's name as it was when they reported (like acked_by_name)
        reported_by_name TEXT NOT NULL,
        reported_at INTEGER NOT NULL,
        note        TEXT NOT NULL,
        targets     TEXT NOT NULL
      ) STRICT;
      -- P1: a supervisor steps up a schedule's patrols: each period starting in [from_ts, until_ts) is split in factor.
      CREATE TABLE patrol_stepups (
        id          INTEGER PRIMARY KEY,
        schedule_id TEXT NOT NULL,
        factor      INTEGER NOT NULL CHECK (factor >= 2),
        from_ts     INTEGER NOT NULL,
        until_ts    INTEGER NOT NULL,
        reason      TEXT NOT NULL,
        set_by      TEXT NOT NULL,
        set_by_name TEXT NOT NULL,
        set_at      INTEGER NOT NULL
      ) STRICT;
      CREATE INDEX patrol_stepups_schedule ON patrol_stepups (schedule_id, until_ts);
      -- L4: where the site's rules want it, the manager in charge signs each day's log after the supervisor's check.
      CREATE TABLE duty_log_countersigns (
        date           TEXT PRIMARY KEY,
        signed_by      TEXT NOT NULL REFERENCES users(username),
        signed_at      INTEGER NOT NULL,
        comment        TEXT NOT NULL,
        entry_id       INTEGER NOT NULL
      ) STRICT;
    `,
  },
  {
    // Issue 14: the table held CCTV dispatches (A7) as well as fire responses (A4): it is the response on site to any
    // alarm someone goes to see. Renamed in place, its rows kept.
    version: 9,
    description: 'fire_responses renamed on_site_responses',
    sql: `
      ALTER TABLE fire_responses RENAME TO on_site_responses;
    `,
  },
];
