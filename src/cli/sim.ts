// `npm run sim -- …`: drives the running gateway's built-in simulators through their loopback control API
// (src/simulators/control-server.ts), e.g. to heat the distribution room past R1's 40 °C in a demo.
// Exit 0 on success; 1 with a clear message on wrong input, an invalid config or no running gateway.
import { isAbsolute, resolve } from 'node:path';
import { ConfigError } from '../config/errors.ts';
import { loadSite, projectRoot } from '../config/load.ts';
import type { ErrorBody } from '../contract/api.ts';
import type { DevicesResponse, SetExceptionRequest, SetPointRequest, SimulatedDeviceView } from '../simulators/control-server.ts';
import type { MqttDevicesResponse, SetLinkRequest, SetMqttPointRequest, SimulatedMqttDeviceView } from '../simulators/mqtt-control.ts';
import type { CrcRequest, DelayRequest, OfflineRequest, RampRequest, RawRequest } from '../simulators/scenario-routes.ts';

const usage = `usage:
  npm run sim -- list                               [--config <site.yaml>]
  npm run sim -- set <device> <point> <value>       [--config <site.yaml>]
  npm run sim -- exception <device> <code|off>      [--config <site.yaml>]
  npm run sim -- contact <device> <point> <on|off|N> [--config <site.yaml>]   (MQTT: open/close a contact, a fault)
  npm run sim -- link <device> <online|offline>     [--config <site.yaml>]   (MQTT: drop the connection, LWT fires)
  npm run sim -- garbage <device>                   [--config <site.yaml>]   (MQTT: publish a malformed payload)
  npm run sim -- ramp <device> <point> <to> <seconds>
  npm run sim -- raw <device> <point> <word>[,<word>]   e.g. raw pump-1 head 0xFFFF (a fault sentinel)
  npm run sim -- offline <device> <on|off>             on: no answer at all (a dead slave)
  npm run sim -- slow <device> <ms|off>                answer that many ms late
  npm run sim -- crc <device> <bad|good>               RTU: answer with a broken CRC (line noise)
The config (default config/demo.yaml) gives simulators.controlPort; the gateway must be running.`;

class UserError extends Error {
  /** Input mistakes also print the usage; a missing gateway or a bad config does not. */
  readonly showUsage: boolean;
  constructor(message: string, showUsage = false) {
    super(message);
    this.showUsage = showUsage;
  }
}

interface Args {
  positional: string[];
  config: string;
}

function parseArgs(argv: string[]): Args {
  // Hand-rolled so that negative values (`set dev temperature -5.2`) stay positional, not options.
  const positional: string[] = [];
  let config: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--config' || arg === '-c') {
      config = argv[++i];
      if (config === undefined) throw new UserError('--config needs a file', true);
    } else if (arg.startsWith('--config=')) {
      config = arg.slice('--config='.length);
    } else if (arg === '--help' || arg === '-h') {
      console.log(usage);
      process.exit(0);
    } else if (arg.startsWith('-') && !/^-\d|^-\.\d/.test(arg)) {
      throw new UserError(`unknown option ${arg}`, true);
    } else {
      positional.push(arg);
    }
  }
  // npm run changes the directory to the project root; INIT_CWD is where the user typed the command.
  const base = process.env.INIT_CWD ?? process.cwd();
  const file = config === undefined ? resolve(projectRoot, 'config', 'demo.yaml') : isAbsolute(config) ? config : resolve(base, config);
  return { positional, config: file };
}

function controlUrl(configFile: string): string {
  let site;
  try {
    site = loadSite(configFile);
  } catch (err) {
    if (err instanceof ConfigError) throw new UserError(`cannot use the site config:\n${err.message}`);
    throw err;
  }
  const port = site.config.simulators?.controlPort;
  if (port === undefined) throw new UserError(`${configFile} has no simulators.controlPort; simulator control is off for this site`);
  if (port === 0) throw new UserError(`${configFile} sets simulators.controlPort to 0 (any free port), so the CLI cannot know it; give a fixed port`);
  return `http://127.0.0.1:${port}`;
}

async function call<T>(base: string, method: 'GET' | 'PUT' | 'POST', path: string, body?: unknown): Promise<T> {
  let res: Response;
  try {
    res = await fetch(base + path, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(5000),
    });
  } catch (err) {
    const cause = (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).message;
    throw new UserError(`the gateway is not running, or its simulators are off: nothing answers on ${base} (${cause}). Start it with \`npm run demo\`.`);
  }
  const text = await res.text();
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new UserError(`unexpected answer from ${base}${path}: HTTP ${res.status} ${text.slice(0, 200)}`);
  }
  if (!res.ok) {
    const message = (parsed as Partial<ErrorBody>).error?.message ?? text;
    throw new UserError(`${message} (HTTP ${res.status})`);
  }
  return parsed as T;
}

/** A number from the command line: decimal, or hex with 0x (register words). */
function number(raw: string, what: string): number {
  const value = /^0x[0-9a-f]+$/i.test(raw) ? Number.parseInt(raw, 16) : Number(raw);
  if (raw.trim() === '' || !Number.isFinite(value)) throw new UserError(`${what} must be a number (got "${raw}")`, true);
  return value;
}

const formatValue = (p: SimulatedDeviceView['points'][number]): string => `${p.value}${p.unit ? ` ${p.unit}` : ''}`;

async function main(argv: string[]): Promise<void> {
  const args = parseArgs(argv);
  const [command, ...rest] = args.positional;
  const seg = encodeURIComponent;
  switch (command) {
    case 'list': {
      if (rest.length > 0) throw new UserError('list takes no arguments', true);
      const base = controlUrl(args.config);
      const { devices } = await call<DevicesResponse>(base, 'GET', '/devices');
      const { devices: mqttDevices } = await call<MqttDevicesResponse>(base, 'GET', '/mqtt-devices');
      if (devices.length + mqttDevices.length === 0) console.log('no simulated devices');
      for (const d of mqttDevices) {
        console.log(`${d.id}  (${d.profile}, MQTT, ${d.online ? 'online' : 'OFFLINE'})`);
        for (const p of d.points) console.log(`  ${p.name.padEnd(16)} ${String(p.value)}`);
      }
      for (const d of devices) {
        console.log(`${d.id}  (${d.profile}, port ${d.port}, unit ${d.unitId}${d.exception === null ? '' : `, answering exception ${d.exception}`}${d.offline ? ', offline' : ''}${d.delayMs ? `, ${d.delayMs} ms late` : ''}${d.badCrc ? ', bad CRC' : ''})`);
        for (const p of d.points) console.log(`  ${p.name.padEnd(16)} ${formatValue(p)}`);
      }
      return;
    }
    case 'set': {
      const [device, point, raw, ...extra] = rest;
      if (device === undefined || point === undefined || raw === undefined || extra.length > 0) throw new UserError('set needs <device> <point> <value>', true);
      const value = Number(raw);
      if (raw.trim() === '' || !Number.isFinite(value)) throw new UserError(`value must be a number (got "${raw}")`, true);
      const body: SetPointRequest = { value };
      const view = await call<SimulatedDeviceView>(controlUrl(args.config), 'PUT', `/devices/${seg(device)}/points/${seg(point)}`, body);
      const p = view.points.find((x) => x.name === point);
      console.log(`${device}.${point} = ${p ? formatValue(p) : value}`);
      return;
    }
    case 'exception': {
      const [device, raw, ...extra] = rest;
      if (device === undefined || raw === undefined || extra.length > 0) throw new UserError('exception needs <device> <code|off>', true);
      const code = raw === 'off' ? null : Number(raw);
      if (code !== null && (!Number.isInteger(code) || code < 1 || code > 255)) throw new UserError(`code must be an integer 1–255 or "off" (got "${raw}")`, true);
      const body: SetExceptionRequest = { code };
      await call<SimulatedDeviceView>(controlUrl(args.config), 'PUT', `/devices/${seg(device)}/exception`, body);
      console.log(code === null ? `${device} answers normally again` : `${device} now answers every request with Modbus exception ${code}`);
      return;
    }
    case 'contact': {
      const [device, point, raw, ...extra] = rest;
      if (device === undefined || point === undefined || raw === undefined || extra.length > 0) throw new UserError('contact needs <device> <point> <on|off|true|false|N>', true);
      const words: Record<string, boolean> = { on: true, off: false, true: true, false: false, open: true, closed: false };
      const value = Object.hasOwn(words, raw.toLowerCase()) ? words[raw.toLowerCase()]! : Number(raw);
      if (typeof value === 'number' && !Number.isInteger(value)) throw new UserError(`value must be on, off, true, false or an integer (got "${raw}")`, true);
      const body: SetMqttPointRequest = { value };
      await call<SimulatedMqttDeviceView>(controlUrl(args.config), 'PUT', `/mqtt-devices/${seg(device)}/points/${seg(point)}`, body);
      console.log(`${device}.${point} = ${String(value)}`);
      return;
    }
    case 'link': {
      const [device, raw, ...extra] = rest;
      if (device === undefined || (raw !== 'online' && raw !== 'offline') || extra.length > 0) throw new UserError('link needs <device> <online|offline>', true);
      const body: SetLinkRequest = { online: raw === 'online' };
      await call<SimulatedMqttDeviceView>(controlUrl(args.config), 'PUT', `/mqtt-devices/${seg(device)}/link`, body);
      console.log(raw === 'online' ? `${device} is back online` : `${device} dropped its connection; the broker publishes its last will`);
      return;
    }
    case 'garbage': {
      const [device, ...extra] = rest;
      if (device === undefined || extra.length > 0) throw new UserError('garbage needs <device>', true);
      await call<SimulatedMqttDeviceView>(controlUrl(args.config), 'POST', `/mqtt-devices/${seg(device)}/garbage`);
      console.log(`${device} published a malformed payload (see GET /api/diagnostics/mqtt)`);
      return;
    }
    case 'ramp': {
      const [device, point, to, seconds, ...extra] = rest;
      if (device === undefined || point === undefined || to === undefined || seconds === undefined || extra.length > 0) throw new UserError('ramp needs <device> <point> <to> <seconds>', true);
      const body: RampRequest = { to: number(to, 'to'), seconds: number(seconds, 'seconds') };
      await call<SimulatedDeviceView>(controlUrl(args.config), 'PUT', `/devices/${seg(device)}/points/${seg(point)}/ramp`, body);
      console.log(`${device}.${point} ramps to ${body.to} over ${body.seconds} s`);
      return;
    }
    case 'raw': {
      const [device, point, words, ...extra] = rest;
      if (device === undefined || point === undefined || words === undefined || extra.length > 0) throw new UserError('raw needs <device> <point> <word>[,<word>]', true);
      const body: RawRequest = { words: words.split(',').map((w) => number(w, 'word')) };
      await call<SimulatedDeviceView>(controlUrl(args.config), 'PUT', `/devices/${seg(device)}/points/${seg(point)}/raw`, body);
      console.log(`${device}.${point} registers = ${body.words.map((w) => `0x${w.toString(16).toUpperCase().padStart(4, '0')}`).join(' ')}`);
      return;
    }
    case 'offline':
    case 'slow': {
      const [device, raw, ...extra] = rest;
      if (device === undefined || raw === undefined || extra.length > 0) throw new UserError(`${command} needs <device> ${command === 'offline' ? '<on|off>' : '<ms|off>'}`, true);
      if (command === 'offline') {
        if (raw !== 'on' && raw !== 'off') throw new UserError(`offline takes on or off (got "${raw}")`, true);
        const body: OfflineRequest = { offline: raw === 'on' };
        await call<SimulatedDeviceView>(controlUrl(args.config), 'PUT', `/devices/${seg(device)}/offline`, body);
        console.log(body.offline ? `${device} no longer answers` : `${device} answers again`);
      } else {
        const body: DelayRequest = { ms: raw === 'off' ? 0 : number(raw, 'ms') };
        await call<SimulatedDeviceView>(controlUrl(args.config), 'PUT', `/devices/${seg(device)}/delay`, body);
        console.log(body.ms === 0 ? `${device} answers at once` : `${device} answers ${body.ms} ms late`);
      }
      return;
    }
    case 'crc': {
      const [device, raw, ...extra] = rest;
      if (device === undefined || (raw !== 'bad' && raw !== 'good') || extra.length > 0) throw new UserError('crc needs <device> <bad|good>', true);
      const body: CrcRequest = { bad: raw === 'bad' };
      await call<SimulatedDeviceView>(controlUrl(args.config), 'PUT', `/devices/${seg(device)}/crc`, body);
      console.log(body.bad ? `${device} answers with a broken CRC` : `${device} answers with a good CRC`);
      return;
    }
    case undefined:
      throw new UserError('', true);
    default:
      throw new UserError(`unknown command "${command}"`, true);
  }
}

try {
  await main(process.argv.slice(2));
} catch (err) {
  if (!(err instanceof UserError)) throw err;
  console.error([err.message, err.showUsage ? usage : ''].filter((s) => s !== '').join('\n\n'));
  process.exitCode = 1;
}
