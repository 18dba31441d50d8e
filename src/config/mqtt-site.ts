// The MQTT half of loading a site: a device whose profile speaks MQTT gets an MQTT connection, credentials that
// follow the users' rules (plain password in demo mode only), and a username that is not the gateway's own.
import type { Localized } from '../contract/api.ts';
import type { MqttPoint, MqttProfile } from '../devices/profile-schema.ts';
import type { DeviceConfig, SiteConfig } from './schema.ts';
import { reservedMqttUsernames, type MqttConnection } from './mqtt-schema.ts';
import { checkAlarmOverrides, pointAlarms, type PointAlarms } from './point-alarms.ts';
import { isBooleanPoint } from '../sources/mqtt/decode.ts';

export interface MqttSitePoint {
  key: string;
  deviceId: string;
  roomId: string;
  name: string;
  spec: MqttPoint;
  /** MQTT points are discrete: their alarms are the profile's `alarm` specs, never limits. */
  limits?: undefined;
  alarm?: PointAlarms['alarm'];
  suppress?: PointAlarms['suppress'];
}

export interface MqttSiteDevice {
  protocol: 'mqtt';
  config: DeviceConfig & { connection: MqttConnection };
  profile: MqttProfile;
  name: Localized;
  points: MqttSitePoint[];
}

type At = (path: string, message: string) => void;

export function buildMqttDevice(d: DeviceConfig, i: number, profile: MqttProfile, demo: boolean, at: At): MqttSiteDevice | undefined {
  const c = d.connection;
  if (c.type !== 'mqtt') {
    at(`/devices/${i}/connection/type`, `profile ${profile.id} speaks MQTT; the connection needs type: mqtt`);
    return undefined;
  }
  const where = `/devices/${i}/connection`;
  if (c.password !== undefined && !demo) at(`${where}/password`, 'plain passwords are only allowed in demo mode (site.demo: true); use passwordHash from `npm run hash-password`');
  if (c.password === undefined && c.passwordHash === undefined) at(where, 'needs passwordHash (or password in demo mode)');
  if (c.password !== undefined && c.passwordHash !== undefined) at(where, 'give passwordHash or password, not both');
  if (reservedMqttUsernames.includes(c.username)) at(`${where}/username`, `username "${c.username}" is reserved for the gateway itself`);
  checkAlarmOverrides(d, i, profile.points, (name) => isBooleanPoint(profile.points[name]!), at);
  if (d.points) at(`/devices/${i}/points`, 'scale, unit and offset overrides apply to Modbus points; MQTT points are contacts and states');
  const points = Object.entries(profile.points).map(([name, spec]) => ({ key: `${d.id}.${name}`, deviceId: d.id, roomId: d.room, name, spec, ...pointAlarms(d, name, spec.alarm) }));
  return { protocol: 'mqtt', config: { ...d, connection: c }, profile, name: d.name ?? profile.name, points };
}

/** Devices behind one bridge may share a username only with the same secret, or the broker could not tell which applies. */
function checkSharedUsernames(devices: readonly MqttSiteDevice[], indexOf: (id: string) => number, at: At): void {
  const first = new Map<string, MqttSiteDevice>();
  for (const d of devices) {
    const c = d.config.connection;
    const other = first.get(c.username);
    if (!other) {
      first.set(c.username, d);
      continue;
    }
    const o = other.config.connection;
    if (o.password !== c.password || o.passwordHash !== c.passwordHash) {
      at(`/devices/${indexOf(d.config.id)}/connection/username`, `username "${c.username}" is also used by ${other.config.id} with a different password`);
    }
  }
}

/** One broker, and one at all when devices speak MQTT; simulated devices need their plain (demo) password. */
export function checkMqttSite(config: SiteConfig, devices: readonly MqttSiteDevice[], indexOf: (id: string) => number, at: At): void {
  if (config.broker?.embedded && config.broker.external) at('/broker', 'give embedded or external, not both');
  if (devices.length > 0 && !config.broker?.embedded && !config.broker?.external) {
    at('/broker', `devices ${devices.map((d) => d.config.id).join(', ')} speak MQTT; configure broker.embedded or broker.external`);
  }
  for (const d of devices) {
    if (d.config.simulate && d.config.connection.password === undefined) at(`/devices/${indexOf(d.config.id)}/connection`, 'a simulated device needs its plain password (demo mode) to log in');
  }
  const e = config.broker?.embedded;
  if (e && e.port === undefined && !e.tls) at('/broker/embedded', 'needs port (plain MQTT) or tls (MQTT over TLS), or both');
  if (e?.tls && e.port !== undefined && e.plainAlongsideTls !== true) {
    at('/broker/embedded/port', 'with tls, plain MQTT would send device passwords in clear: remove port, or set plainAlongsideTls: true for devices that cannot do TLS');
  }
  if (e?.plainAlongsideTls === true && !e.tls) at('/broker/embedded/plainAlongsideTls', 'only has a meaning with tls');
  checkSharedUsernames(devices, indexOf, at);
  checkTopicClashes(devices, indexOf, at);
  checkClientIds(devices, indexOf, at);
}

/** A pinned client id belongs to one login (MQTT 3.1.1 §3.1.4: a second login with it would take over the session). */
function checkClientIds(devices: readonly MqttSiteDevice[], indexOf: (id: string) => number, at: At): void {
  const login = new Map<string, string>();
  for (const d of devices) {
    const { clientId, username } = d.config.connection;
    if (clientId === undefined) continue;
    const other = login.get(clientId);
    if (other !== undefined && other !== username) at(`/devices/${indexOf(d.config.id)}/connection/clientId`, `client id "${clientId}" is already given to login "${other}"`);
    else login.set(clientId, username);
  }
}

/** Client id → login, for the client ids the config pins. */
export function pinnedClientIds(devices: readonly MqttSiteDevice[]): Map<string, string> {
  return new Map(devices.flatMap((d) => (d.config.connection.clientId === undefined ? [] : [[d.config.connection.clientId, d.config.connection.username] as const])));
}

/** Two devices decoding the same topic with the same match would both take every message: a typo in topicId. */
function checkTopicClashes(devices: readonly MqttSiteDevice[], indexOf: (id: string) => number, at: At): void {
  const owner = new Map<string, string>();
  for (const d of devices) {
    const id = d.config.connection.topicId;
    const keys = new Set(
      Object.values(d.profile.points).flatMap((p) =>
        p.decoders.map((dec) => `${dec.topic.replaceAll('{id}', id)} ${JSON.stringify(dec.match ?? {}).replaceAll('{id}', id)}`),
      ),
    );
    for (const key of keys) {
      const other = owner.get(key);
      if (other && other !== d.config.id) {
        at(`/devices/${indexOf(d.config.id)}/connection/topicId`, `device ${other} already listens to ${key.split(' ')[0]} with the same topicId "${id}"`);
        break;
      }
      owner.set(key, d.config.id);
    }
  }
}
