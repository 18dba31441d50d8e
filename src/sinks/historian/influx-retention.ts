// Retention in InfluxDB (issue 6, L5), created by Roomwatch at start-up: a `raw` policy (DEFAULT, so ad-hoc
// queries without a policy name see the readings) and a `longterm` policy for rollups and alarm transitions.
// Downsampling is Roomwatch's own (rollup.ts), not continuous queries: see docs/decisions.md.
import type { InfluxDB } from 'influx';

export const RP_RAW = 'raw';
export const RP_LONGTERM = 'longterm';

export interface Retention {
  rawDays: number;
  rollupDays: number;
}

export const RETENTION_DEFAULTS: Retention = { rawDays: 90, rollupDays: 731 };

/** Creates the database (idempotent) and both policies, or alters them when the configured days changed. */
export async function ensureRetention(db: InfluxDB, database: string, r: Retention): Promise<void> {
  await db.createDatabase(database);
  const existing = new Map((await db.showRetentionPolicies(database)).map((p) => [p.name, p]));
  const want = [
    { name: RP_RAW, duration: `${r.rawDays}d`, isDefault: true },
    { name: RP_LONGTERM, duration: `${r.rollupDays}d`, isDefault: false },
  ];
  for (const w of want) {
    const options = { duration: w.duration, replication: 1, isDefault: w.isDefault };
    const have = existing.get(w.name);
    if (!have) await db.createRetentionPolicy(w.name, { ...options, database });
    // InfluxDB reports durations as e.g. "2160h0m0s"; compare in hours.
    else if (parseInt(have.duration, 10) !== Number.parseInt(w.duration, 10) * 24 || have.default !== w.isDefault) {
      await db.alterRetentionPolicy(w.name, { ...options, database });
    }
  }
}
