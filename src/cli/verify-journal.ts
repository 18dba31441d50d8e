// `npm run verify-journal -- <site.yaml>`: checks the duty log's whole hash chain (A5) and names the
// first broken entry. Exit 0 when every link holds, 1 when one does not. Opens the store read-only in
// spirit: it only reads (migrations bring an older store up to date first).
import { resolve } from 'node:path';
import { loadSite } from '../config/load.ts';
import { ConfigError } from '../config/errors.ts';
import { openStore } from '../store/store.ts';
import { createDutyLog } from '../sinks/duty-log/duty-log.ts';
import { createLogger } from '../core/logger.ts';

const file = process.argv[2] ?? process.env.ROOMWATCH_CONFIG;
if (!file) {
  console.error('usage: npm run verify-journal -- <site.yaml>');
  process.exit(2);
}
try {
  const site = loadSite(resolve(process.cwd(), file));
  const store = openStore(site.dataDir, createLogger('warn'));
  const { entries, firstBreak } = createDutyLog(store).verify();
  store.close();
  if (firstBreak) {
    console.error(`BROKEN at duty-log entry ${firstBreak.id}: ${firstBreak.reason} (${entries} entries read up to it)`);
    process.exit(1);
  }
  console.log(`OK: ${entries} duty-log entries, every link of the chain holds`);
} catch (err) {
  if (!(err instanceof ConfigError)) throw err;
  console.error(err.message);
  process.exit(2);
}
