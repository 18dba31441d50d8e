// Loads the site config: YAML → schema → cross-references (rooms, profiles, points, ports, passwords).
// An invalid file refuses to start with every problem listed (style.md §5).
import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { ConfigError, type ConfigProblem } from './errors.ts';
import { checkSchema, parseYaml, problemAt } from './validate.ts';
import { SiteConfig, type LimitConfig } from './schema.ts';
import { isBoolean, loadProfiles, type ProfileRegistry } from '../devices/profiles.ts';
import { roomDefaultLimits } from '../alarms/room-rules.ts';
import type { ModbusPoint, ModbusProfile } from '../devices/profile-schema.ts';
import { checkAlarmOverrides, pointAlarms, type PointAlarms } from './point-alarms.ts';
import { applyOverride, overrideProblems } from './point-override.ts';
import type { MqttConnection } from './mqtt-schema.ts';
import { buildMqttDevice, checkMqttSite, type MqttSiteDevice, type MqttSitePoint } from './mqtt-site.ts';
import { checkShiftConfig } from '../shifts/config-check.ts';
import { checkHandoverConfig } from '../duty/handover-config.ts';
import { checkPatrolConfig } from '../patrols/config-schema.ts';
import type { Localized } from '../contract/api.ts';
import { sharedLinkProblems } from './modbus-connection.ts';

/** Limits after merging room-kind defaults, the profile's defaults and the site config, in that order. */
export interface EffectiveLimits extends LimitConfig {
  deadband: number;
  onDelaySeconds: number;
}

export interface SitePoint {
  key: string;
  deviceId: string;
  roomId: string;
  name: string;
  spec: ModbusPoint;
  limits?: EffectiveLimits;
  /** The profile's discrete alarm with the site's overrides applied, and suppression by design. */
  alarm?: PointAlarms['alarm'];
  suppress?: PointAlarms['suppress'];
}

/** A point of any protocol, as the alarm service and the console see it. */
export type AnySitePoint = SitePoint | MqttSitePoint;

export interface SiteDevice {
  protocol: 'modbus';
  config: SiteConfig['devices'][number] & { connection: Exclude<SiteConfig['devices'][number]['connection'], MqttConnection> };
  profile: ModbusProfile;
  name: Localized;
  points: SitePoint[];
}

/** A device of either protocol: what "device" means everywhere (tags, isolations, the console). */
export type AnySiteDevice = SiteDevice | MqttSiteDevice;

export interface Site {
  file: string;
  config: SiteConfig;
  dataDir: string;
  timezone: string;
  demo: boolean;
  /** Every device of the site, in config order, whatever its protocol (style.md: one meaning per word). */
  devices: AnySiteDevice[];
  /** The devices polled over Modbus (src/sources/modbus). */
  modbusDevices: SiteDevice[];
  /** Devices heard over MQTT (src/sources/mqtt). */
  mqttDevices: MqttSiteDevice[];
  points: Map<string, SitePoint | MqttSitePoint>;
}

/**
 * The project folder (device profiles, the console build, the demo config): the nearest folder above this
 * module with a package.json, the same answer from src/config/ and from the dist/ bundle `npm start` runs.
 */
export const projectRoot = ((): string => {
  for (let dir = import.meta.dirname; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) throw new Error(`no package.json above ${import.meta.dirname}`);
  }
})();
export const defaultProfilesDir = resolve(projectRoot, 'devices');

export function loadSite(file: string, profilesDir = defaultProfilesDir): Site {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError([{ file, path: '', message: `cannot read: ${(err as Error).message}` }]);
  }
  return parseSite(file, text, loadProfiles([profilesDir, ...siteProfilesDir(file, text)]));
}

/** The site's own profile folder (`profilesDir`, relative to the site file), read before the full check needs it. */
function siteProfilesDir(file: string, text: string): string[] {
  const { parsed } = parseYaml(file, text);
  const dir = (parsed?.data as { profilesDir?: unknown } | null | undefined)?.profilesDir;
  // Anything but a string is left to the schema check, which names the path.
  return typeof dir === 'string' && dir.length > 0 ? [isAbsolute(dir) ? dir : resolve(dirname(file), dir)] : [];
}

export function parseSite(file: string, text: string, profiles: ProfileRegistry): Site {
  const { parsed, problems: syntax } = parseYaml(file, text);
  if (!parsed) throw new ConfigError(syntax);
  const { value: config, problems } = checkSchema(SiteConfig, parsed);
  if (!config) throw new ConfigError(problems);

  const cross: ConfigProblem[] = [];
  const at = (path: string, message: string): void => void cross.push(problemAt(parsed, path, message));
  const rooms = new Map(config.rooms.map((r) => [r.id, r]));
  unique(config.rooms.map((r) => r.id), (i, id) => at(`/rooms/${i}/id`, `room id "${id}" is used twice`));
  unique(config.devices.map((d) => d.id), (i, id) => at(`/devices/${i}/id`, `device id "${id}" is used twice`));
  unique(config.users.map((u) => u.username), (i, u) => at(`/users/${i}/username`, `user "${u}" is defined twice`));

  const demo = config.site.demo === true;
  if (config.http?.redirectHttpPort !== undefined && !config.http.tls) at('/http/redirectHttpPort', 'redirects to HTTPS, so it needs http.tls');
  if (config.site.demoRoster === true && !demo) at('/site/demoRoster', 'a demo roster is only seeded in demo mode (site.demo: true)');
  if (config.site.demoRoster === true && (config.shifts ?? []).length === 0) at('/site/demoRoster', 'a demo roster needs shifts (shifts:)');
  config.users.forEach((u, i) => {
    if (u.password !== undefined && !demo) at(`/users/${i}/password`, 'plain passwords are only allowed in demo mode (site.demo: true); use passwordHash from `npm run hash-password`');
    if (u.password === undefined && u.passwordHash === undefined) at(`/users/${i}`, 'needs passwordHash (or password in demo mode)');
    if (u.password !== undefined && u.passwordHash !== undefined) at(`/users/${i}`, 'give passwordHash or password, not both');
  });

  const modbusDevices: SiteDevice[] = [];
  const devices: AnySiteDevice[] = [];
  const mqttDevices: MqttSiteDevice[] = [];
  const points = new Map<string, SitePoint | MqttSitePoint>();
  config.devices.forEach((d, i) => {
    const room = rooms.get(d.room);
    if (!room) at(`/devices/${i}/room`, `unknown room "${d.room}" (rooms: ${[...rooms.keys()].join(', ')})`);
    const profile = profiles.get(d.profile);
    if (!profile) {
      at(`/devices/${i}/profile`, `unknown profile "${d.profile}" (profiles: ${[...profiles.keys()].join(', ')})`);
      return;
    }
    if (profile.protocol === 'mqtt') {
      const device = buildMqttDevice(d, i, profile, demo, at);
      if (device) {
        mqttDevices.push(device);
        devices.push(device);
      }
      for (const p of device?.points ?? []) points.set(p.key, p);
      return;
    }
    const connection = d.connection;
    if (connection.type === 'mqtt') {
      at(`/devices/${i}/connection/type`, `profile ${profile.id} speaks Modbus; an MQTT connection does not fit`);
      return;
    }
    for (const name of Object.keys(d.limits ?? {})) {
      if (!(name in profile.points)) at(`/devices/${i}/limits/${name}`, `profile ${profile.id} has no point "${name}" (points: ${Object.keys(profile.points).join(', ')})`);
    }
    checkAlarmOverrides(d, i, profile.points, (name) => isBoolean(profile.points[name]!), at);
    for (const [name, o] of Object.entries(d.points ?? {})) {
      const point = Object.hasOwn(profile.points, name) ? profile.points[name] : undefined;
      if (!point) at(`/devices/${i}/points/${name}`, `profile ${profile.id} has no point "${name}" (points: ${Object.keys(profile.points).join(', ')})`);
      else for (const p of overrideProblems(point, o)) at(`/devices/${i}/points/${name}${p.path}`, p.message);
    }
    const devicePoints: SitePoint[] = Object.entries(profile.points).map(([name, profileSpec]) => {
      const override = d.points?.[name];
      const spec = override && !isBoolean(profileSpec) ? applyOverride(profileSpec, override) : profileSpec;
      const merged = mergeLimits(
        room ? roomDefaultLimits(room.kind, spec.quantity) : undefined,
        profile.defaultLimits?.[name],
        d.limits?.[name],
      );
      const point: SitePoint = {
        key: `${d.id}.${name}`,
        deviceId: d.id,
        roomId: d.room,
        name,
        spec,
        ...(merged ? { limits: merged } : {}),
        ...pointAlarms(d, name, spec.alarm),
      };
      if (merged) checkLimitOrder(merged, `/devices/${i}/limits/${name}`, at);
      points.set(point.key, point);
      return point;
    });
    const device: SiteDevice = { protocol: 'modbus', config: { ...d, connection }, profile, name: d.name ?? profile.name, points: devicePoints };
    modbusDevices.push(device);
    devices.push(device);
  });
  checkMqttSite(config, mqttDevices, (id) => config.devices.findIndex((d) => d.id === id), at);

  config.devices.forEach((d, i) => {
    for (const [name, s] of Object.entries(d.suppress ?? {})) {
      if (!points.has(s.point)) at(`/devices/${i}/suppress/${name}/point`, `unknown point "${s.point}" (write <deviceId>.<point>)`);
      if (!points.has(`${d.id}.${name}`)) at(`/devices/${i}/suppress/${name}`, `device ${d.id} has no point "${name}"`);
    }
  });

  // Devices on one serial port or endpoint share a link: same line settings, distinct unit ids.
  const linked = modbusDevices.map((d) => ({ connection: d.config.connection, unitId: d.config.connection.unitId ?? d.profile.defaults.unitId, serial: d.profile.defaults.serial }));
  for (const p of sharedLinkProblems(linked)) at(`/devices/${config.devices.findIndex((d) => d.id === modbusDevices[p.index]!.config.id)}${p.path}`, p.message);
  config.devices.forEach((d, i) => {
    if (d.connection.type === 'mqtt') return;
    if (d.simulate && d.connection.type === 'rtu') at(`/devices/${i}/simulate`, 'the built-in simulators serve TCP and RTU over TCP, not a serial port');
  });

  (config.alarms?.mismatch ?? []).forEach((m, i) => {
    for (const k of ['command', 'feedback'] as const) {
      if (!points.has(m[k])) at(`/alarms/mismatch/${i}/${k}`, `unknown point "${m[k]}" (write <deviceId>.<point>)`);
    }
  });

  checkShiftConfig(config.site.timezone, config.shifts, at);
  checkHandoverConfig(config.handover, new Set(points.keys()), at);
  checkPatrolConfig(config.patrols, new Set(rooms.keys()), new Set(points.keys()), at);

  if (cross.length > 0) throw new ConfigError(cross);
  const dataDir = config.storage?.dataDir ?? './data';
  return {
    file,
    config,
    dataDir: isAbsolute(dataDir) ? dataDir : resolve(dirname(file), dataDir),
    timezone: config.site.timezone ?? 'Asia/Shanghai',
    demo,
    devices,
    modbusDevices,
    mqttDevices,
    points,
  };
}

function mergeLimits(...layers: (LimitConfig | undefined)[]): EffectiveLimits | undefined {
  const present = layers.filter((l): l is LimitConfig => l !== undefined);
  if (present.length === 0) return undefined;
  const merged = Object.assign({}, ...present) as LimitConfig;
  return { deadband: 0, onDelaySeconds: 0, ...merged };
}

function checkLimitOrder(l: EffectiveLimits, path: string, at: (path: string, message: string) => void): void {
  const ordered = [l.lowLow, l.low, l.high, l.highHigh].filter((v): v is number => v !== undefined);
  for (let k = 1; k < ordered.length; k++) {
    if (ordered[k]! <= ordered[k - 1]!) {
      at(path, `limits must rise lowLow < low < high < highHigh (got ${ordered.join(', ')})`);
      return;
    }
  }
}

function unique(values: string[], onDuplicate: (index: number, value: string) => void): void {
  const seen = new Set<string>();
  values.forEach((v, i) => (seen.has(v) ? onDuplicate(i, v) : seen.add(v)));
}
