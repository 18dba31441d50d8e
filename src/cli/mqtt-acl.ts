// `npm run mqtt-acl -- --config site.yaml [--gateway-user name]`: prints the Mosquitto ACL file for the site's
// MQTT devices (src/broker/mosquitto-acl.ts), so an external broker enforces the same topic ACL as the embedded one.
// With `--conf` it prints the listener part of mosquitto.conf instead (client ids bound to logins); options
// --device-port (1883, or 8883 with --certfile/--keyfile), --device-host (0.0.0.0), --gateway-port (1884),
// --password-file, --acl-file, --max-packet-size (the largest payload the site accepts plus headers).
import { resolve } from 'node:path';
import { ConfigError } from '../config/errors.ts';
import { loadSite, projectRoot } from '../config/load.ts';
import { mosquittoAcl, mosquittoConf } from '../broker/mosquitto-acl.ts';
import { devicePayloadLimits } from '../broker/device-access.ts';
import { defaultMaxPayloadBytes } from '../config/mqtt-schema.ts';

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
  const certfile = opt('--certfile');
  const keyfile = opt('--keyfile');
  if (args.includes('--conf')) {
    // One limit for every topic in Mosquitto: the largest the site accepts, its profiles' payloadLimits included
    // (a Zigbee2MQTT bridge's bridge/devices), or the broker cuts that device off.
    const largestPayload = Math.max(site.config.broker?.maxPayloadBytes ?? defaultMaxPayloadBytes, ...site.mqttDevices.flatMap((d) => devicePayloadLimits(d).map((l) => l.maxBytes)));
    process.stdout.write(mosquittoConf({
      deviceHost: opt('--device-host') ?? '0.0.0.0',
      devicePort: Number(opt('--device-port') ?? (certfile ? 8883 : 1883)),
      ...(certfile && keyfile ? { tls: { certfile, keyfile } } : {}),
      gatewayPort: Number(opt('--gateway-port') ?? 1884),
      passwordFile: opt('--password-file') ?? '/etc/mosquitto/passwd',
      aclFile: opt('--acl-file') ?? '/etc/mosquitto/roomwatch.acl',
      maxPacketSize: Number(opt('--max-packet-size') ?? largestPayload + 1024),
    }));
  } else process.stdout.write(mosquittoAcl(site, opt('--gateway-user') ?? site.config.broker?.external?.username ?? 'roomwatch-gateway'));
} catch (err) {
  if (!(err instanceof ConfigError)) throw err;
  console.error(err.message);
  process.exitCode = 1;
}
