// Migrations of the historian's outbox file (historian-outbox.db under the data dir), apart from the main
// store so the outbox can be bounded, vacuumed or deleted without touching alarms and the duty log.
import type { Migration } from '../../store/migrations.ts';

export const outboxMigrations: readonly Migration[] = [
  {
    version: 1,
    description: 'historian outbox and rejected points',
    sql: `
      -- Line-protocol points on their way to InfluxDB, oldest first (id order = replay order).
      -- kind 0 = raw reading (dropped first at the bound), 1 = kept (rollups, alarm transitions).
      CREATE TABLE outbox (
        id    INTEGER PRIMARY KEY,
        kind  INTEGER NOT NULL CHECK (kind IN (0, 1)),
        ts    INTEGER NOT NULL,  -- acquisition / transition time, ms
        line  TEXT NOT NULL
      ) STRICT;
      CREATE INDEX outbox_kind ON outbox(kind, id);

      -- Points InfluxDB refused (4xx), set aside with its reason so the queue moves on.
      CREATE TABLE rejected (
        id     INTEGER PRIMARY KEY,
        at     INTEGER NOT NULL,
        reason TEXT NOT NULL,
        line   TEXT NOT NULL
      ) STRICT;
    `,
  },
  {
    version: 2,
    description: 'drop episodes: readings lost at the outbox bound, durable per episode',
    sql: `
      -- One row per episode of drops at the bound (issue 17): opened by the first drop, closed when the outbox
      -- has drained after it. Durable, so a restart in the middle of an outage keeps counting the same episode.
      CREATE TABLE drop_episodes (
        id          INTEGER PRIMARY KEY,
        started_at  INTEGER NOT NULL,  -- wall time of the first drop, ms
        ended_at    INTEGER,           -- null while open
        count       INTEGER NOT NULL,  -- points lost in this episode
        lost_from   INTEGER NOT NULL,  -- acquisition time of the oldest point lost, ms
        lost_to     INTEGER NOT NULL,  -- and of the newest
        what        TEXT NOT NULL CHECK (what IN ('oldestRaw', 'newest', 'kept'))  -- what the last drop took
      ) STRICT;
    `,
  },
];
