// `npm run check-config -- <site.yaml>`: validates a site config (and every device profile) without
// starting anything. Exit 0 when valid, 1 with every problem listed as file:line: path: problem. The password
// check is start-up's own (src/auth/password-policy.ts): what this calls OK is not refused at start.
import { resolve } from 'node:path';
import { loadSite } from '../config/load.ts';
import { ConfigError } from '../config/errors.ts';
import { passwordCheckFile, weakPasswordProblems } from '../auth/password-policy.ts';

const file = process.argv[2];
if (!file) {
  console.error('usage: npm run check-config -- <site.yaml>');
  process.exit(2);
}
try {
  const site = loadSite(resolve(process.cwd(), file));
  const weak = await weakPasswordProblems(site, { cacheFile: passwordCheckFile(site.dataDir) });
  if (weak.length > 0) throw new ConfigError(weak);
  const { config } = site;
  console.log(`OK ${file}: site ${config.site.id}, ${config.rooms.length} rooms, ${site.devices.length} devices, ${site.points.size} points, ${config.users.length} users${site.demo ? ' (demo mode)' : ''}`);
} catch (err) {
  if (!(err instanceof ConfigError)) throw err;
  console.error(`${err.problems.length} problem(s):\n${err.message}`);
  process.exit(1);
}
