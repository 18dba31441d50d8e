// Entry point: reads the command line and environment, loads the site config, starts the gateway.
// Everything else is wired in gateway.ts.
import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import { loadSite } from './config/load.ts';
import { ConfigError } from './config/errors.ts';
import { heapAdvice, modbusPointsPerSecond, semiSpaceMiB } from './config/heap-advice.ts';
import { createLogger, type LogLevel } from './core/logger.ts';
import { systemClock } from './core/clock.ts';
import { createGateway } from './gateway.ts';
import { t, isLang, type Lang } from './i18n/index.ts';
import { simulatedDevicesLine } from './simulators/simulated-devices.ts';

const { values } = parseArgs({
  options: { config: { type: 'string', short: 'c' } },
  allowPositionals: false,
});
const configFile = values.config ?? process.env.ROOMWATCH_CONFIG;
// Until the site config is read, the language comes from the environment (the site's after that).
const envLang: Lang | undefined = isLang(process.env.ROOMWATCH_LANG) ? process.env.ROOMWATCH_LANG : undefined;
if (!configFile) {
  console.error(t(envLang ?? 'en', 'startup.needConfig'));
  process.exit(2);
}

const logger = createLogger((process.env.ROOMWATCH_LOG_LEVEL as LogLevel | undefined) ?? 'info');
let site;
try {
  site = loadSite(resolve(process.cwd(), configFile));
} catch (err) {
  if (err instanceof ConfigError) {
    console.error(t(envLang ?? 'en', 'startup.configInvalid', { problems: err.message }));
    process.exit(2);
  }
  throw err;
}

const lang: Lang = envLang ?? site.config.site.language ?? 'en';
const heap = heapAdvice(modbusPointsPerSecond(site), semiSpaceMiB(process.execArgv, process.env.NODE_OPTIONS));
if (heap) logger.warn('this site polls many points a second for Node\'s small young generation; CPU per point and late cycles will suffer', heap);
const gateway = createGateway({ site, clock: systemClock, logger });

let stopping = false;
const stop = async (signal: string): Promise<void> => {
  if (stopping) return;
  stopping = true;
  console.log(t(lang, 'startup.stopping'));
  logger.info('stopping', { signal });
  await gateway.stop();
  process.exit(0);
};
process.on('SIGINT', () => void stop('SIGINT'));
process.on('SIGTERM', () => void stop('SIGTERM'));

try {
  await gateway.start();
} catch (err) {
  logger.error('start failed', { err: String((err as Error)?.message ?? err) });
  console.error(t(lang, 'startup.failed', { reason: String((err as Error)?.message ?? err) }));
  process.exit(1);
}

console.log(t(lang, 'startup.console', { url: gateway.consoleUrl }));
const brokerHost = site.config.broker?.embedded?.host ?? '127.0.0.1';
if (gateway.brokerPort !== null) {
  console.log(t(lang, 'mqtt.startup.broker', { host: brokerHost, port: gateway.brokerPort, devices: site.mqttDevices.length }));
}
const brokerTlsPort = gateway.mqtt?.brokerPorts?.tls ?? null;
if (brokerTlsPort !== null) console.log(t(lang, 'mqtt.startup.brokerTls', { host: brokerHost, port: brokerTlsPort, devices: site.mqttDevices.length }));
if (gateway.consoleRedirectPort !== null) console.log(t(lang, 'startup.consoleRedirect', { port: gateway.consoleRedirectPort }));
if (site.demo || site.devices.some((d) => d.config.simulate)) console.log(simulatedDevicesLine(site, lang));
if (site.demo) {
  console.log(t(lang, 'startup.demoMode'));
  for (const u of site.config.users) {
    if (u.password) console.log('  ' + t(lang, 'startup.demoAccount', { username: u.username, password: u.password, role: t(lang, `role.${u.role}`) }));
  }
  if (gateway.simulatorControlPort !== null) {
    const device = site.modbusDevices.find((d) => d.config.simulate)?.config.id ?? '<device>';
    console.log('  ' + t(lang, 'startup.simHint', { command: `npm run sim -- set ${device} temperature 41.5` }));
    const contact = site.mqttDevices.find((d) => d.config.simulate && 'fireAlarm' in d.profile.points)?.config.id;
    if (contact) console.log('  ' + t(lang, 'mqtt.startup.simHint', { command: `npm run sim -- contact ${contact} fireAlarm on` }));
  }
}
