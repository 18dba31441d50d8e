// Migrations of the local history store (history.db under the data dir): the embedded default when no InfluxDB
// is configured (issue 6). Own file and migration list, apart from the main store.
import type { Migration } from '../../store/migrations.ts';

const rollupTable = (name: string): string => `
  CREATE TABLE ${name} (
    point_key TEXT NOT NULL,
    ts        INTEGER NOT NULL,  -- bucket start, ms
    min REAL NOT NULL, max REAL NOT NULL, mean REAL NOT NULL, last REAL NOT NULL, count INTEGER NOT NULL,
    PRIMARY KEY (point_key, ts)
  ) STRICT, WITHOUT ROWID;`;

export const localHistoryMigrations: readonly Migration[] = [
  {
    version: 1,
    description: 'raw readings, 1-minute and 1-hour rollups',
    sql: `
      -- (point, acquisition time) is the key: a replayed reading overwrites itself (idempotent, as in InfluxDB).
      CREATE TABLE raw (
        point_key TEXT NOT NULL,
        ts        INTEGER NOT NULL,
        value     REAL,               -- booleans as 1/0; NULL when the quality is not good
        quality   TEXT NOT NULL,
        PRIMARY KEY (point_key, ts)
      ) STRICT, WITHOUT ROWID;
      CREATE INDEX raw_ts ON raw(ts);
      ${rollupTable('rollup_1m')}
      ${rollupTable('rollup_1h')}
      CREATE INDEX rollup_1m_ts ON rollup_1m(ts);
      CREATE INDEX rollup_1h_ts ON rollup_1h(ts);
    `,
  },
];
