// `npm run retention -- --config <site.yaml> [--dry-run]`: removes duty records older than 2 years (L5)
// from the site's store and prints what it removed. Safe while the gateway runs (SQLite WAL, one
// transaction). Exit 0 on success, 2 on a config error.
import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import { loadSite } from '../config/load.ts';
import { ConfigError } from '../config/errors.ts';
import { createLogger } from '../core/logger.ts';
import { systemClock } from '../core/clock.ts';
import { openStore } from '../store/store.ts';
import { createDutyLog } from '../sinks/duty-log/duty-log.ts';
import { createAttachments } from '../duty/attachments.ts';
import { purgeExpired } from '../duty/retention.ts';
import { createShiftPlan } from '../shifts/shift-plan.ts';

const { values } = parseArgs({ options: { config: { type: 'string', short: 'c' }, 'dry-run': { type: 'boolean' } } });
const file = values.config ?? process.env.ROOMWATCH_CONFIG;
if (!file) {
  console.error('usage: npm run retention -- --config <site.yaml> [--dry-run]');
  process.exit(2);
}
let site;
try {
  site = loadSite(resolve(process.cwd(), file));
} catch (err) {
  if (!(err instanceof ConfigError)) throw err;
  console.error(err.message);
  process.exit(2);
}
const logger = createLogger('info', { part: 'retention' });
const store = openStore(site.dataDir, logger);
try {
  const dutyLog = createDutyLog(store);
  const attachments = createAttachments({ store, dutyLog, clock: systemClock, dataDir: site.dataDir });
  const r = purgeExpired({ store, dutyLog, attachments, clock: systemClock, logger, plan: createShiftPlan(site.config.shifts ?? [], site.timezone) }, values['dry-run'] === true);
  console.log(
    `${r.dryRun ? 'would remove' : 'removed'} records older than ${new Date(r.cutoff).toISOString()}: ` +
      `${r.entries} duty-log entries, ${r.attachments} attachments, ${r.signoffs} sign-offs, ${r.rosterMonths} roster months`,
  );
} finally {
  store.close();
}
