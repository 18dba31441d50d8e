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
];
