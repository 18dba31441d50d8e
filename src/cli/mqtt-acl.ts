// `npm run mqtt-acl -- --config site.yaml [--gateway-user name]`: prints the Mosquitto ACL file for the site's
// MQTT devices (src/broker/mosquitto-acl.ts), so an external broker enforces the same topic ACL as the embedded one.
import { resolve } from 'node:path';
import { ConfigError } from '../config/errors.ts';
import { loadSite, projectRoot } from '../config/load.ts';
import { mosquittoAcl } from '../broker/mosquitto-acl.ts';

const args = process.argv.slice(2);
const opt = (name: string): string | undefined => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const base = process.env.INIT_CWD ?? process.cwd();
const config = opt('--config');
const file = config === undefined ? resolve(projectRoot, 'config', 'demo.yaml') : resolve(base, config);
try {
  const site = loadSite(file);
  process.stdout.write(mosquittoAcl(site, opt('--gateway-user') ?? site.config.broker?.external?.username ?? 'roomwatch-gateway'));
} catch (err) {
  if (!(err instanceof ConfigError)) throw err;
  console.error(err.message);
  process.exitCode = 1;
}
