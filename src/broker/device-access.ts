// Who may connect to the broker and what each may publish and subscribe to, from the site config: per-device
// credentials (scrypt hashes, or plain passwords in demo mode, the same rules as users) and a topic ACL from the
// device's profile (its `acl` templates, or exactly its decoder and availability topics) with its topicId.
// Deny by default (style.md §9): anonymous clients, unknown users, $-topics and anything outside the ACL.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { MqttSiteDevice } from '../config/mqtt-site.ts';
import { verifyPassword } from '../auth/passwords.ts';
import { expandTopic } from '../sources/mqtt/decode.ts';
import { filterCovers, isServerTopic } from './topic-filter.ts';

export type BrokerIdentity =
  | { kind: 'gateway'; username: string }
  | { kind: 'device'; username: string; deviceIds: string[]; publish: string[]; subscribe: string[]; payloadLimits: PayloadLimit[] };

/** A topic filter of a device whose payloads may be larger than the site's limit (its profile's payloadLimits). */
export interface PayloadLimit {
  filter: string;
  maxBytes: number;
}

export interface DeviceAccess {
  /** The identity for these credentials, or null (refused). */
  authenticate(username: string | undefined, password: Buffer | undefined): Promise<BrokerIdentity | null>;
  canPublish(who: BrokerIdentity, topic: string): boolean;
  canSubscribe(who: BrokerIdentity, filter: string): boolean;
  /**
   * The largest payload this client may publish to this topic: the site's limit, or more on the topics its profile
   * names (Zigbee2MQTT's bridge/devices). Without a topic: the largest it may publish anywhere (for the early stop).
   */
  maxPayload(who: BrokerIdentity | undefined, siteMax: number, topic?: string): number;
  /** The largest payload any device may publish (a transport that frames messages before login sizes for it). */
  largestPayload(siteMax: number): number;
  /** Whether the username is configured (a device login or the gateway's own). */
  knows(username: string): boolean;
  /** The device ids behind a username (several for a Z2M or Frigate bridge). */
  devicesOf(username: string): readonly string[];
}

/** The topics a device may publish to and subscribe to: its profile's ACL templates with its topicId. */
export function deviceAcl(device: MqttSiteDevice): { publish: string[]; subscribe: string[] } {
  const { profile } = device;
  const id = device.config.connection.topicId;
  const own = [
    ...Object.values(profile.points).flatMap((p) => p.decoders.map((d) => d.topic)),
    ...(profile.availability ?? []).map((a) => a.topic),
  ];
  const publish = (profile.acl?.publish ?? own).map((t) => expandTopic(t, id));
  const subscribe = (profile.acl?.subscribe ?? profile.acl?.publish ?? own).map((t) => expandTopic(t, id));
  return { publish: [...new Set(publish)], subscribe: [...new Set(subscribe)] };
}

/** The profile's payloadLimits with the device's topicId. */
export function devicePayloadLimits(device: MqttSiteDevice): PayloadLimit[] {
  const id = device.config.connection.topicId;
  return Object.entries(device.profile.payloadLimits ?? {}).map(([filter, maxBytes]) => ({ filter: expandTopic(filter, id), maxBytes }));
}

/** The limit for one topic: the largest of the site's and those of the named filters that cover the topic. */
export function payloadLimitFor(limits: readonly PayloadLimit[], topic: string, siteMax: number): number {
  return limits.reduce((max, l) => (l.maxBytes > max && filterCovers(l.filter, topic) ? l.maxBytes : max), siteMax);
}

interface Account {
  secret: { hash: string } | { plain: string };
  deviceIds: string[];
  publish: Set<string>;
  subscribe: Set<string>;
  payloadLimits: PayloadLimit[];
}

const sha256 = (b: Buffer | string): Buffer => createHash('sha256').update(b).digest();

export function createDeviceAccess(devices: readonly MqttSiteDevice[], gateway: { username: string; password: string }): DeviceAccess {
  const accounts = new Map<string, Account>();
  for (const d of devices) {
    const c = d.config.connection;
    const acl = deviceAcl(d);
    const account = accounts.get(c.username) ?? {
      secret: c.passwordHash !== undefined ? { hash: c.passwordHash } : { plain: c.password ?? '' },
      deviceIds: [],
      publish: new Set<string>(),
      subscribe: new Set<string>(),
      payloadLimits: [],
    };
    account.payloadLimits.push(...devicePayloadLimits(d));
    account.deviceIds.push(d.config.id);
    acl.publish.forEach((t) => account.publish.add(t));
    acl.subscribe.forEach((t) => account.subscribe.add(t));
    accounts.set(c.username, account);
  }
  // scrypt costs tens of milliseconds: a device that reconnects every few seconds is verified once per password.
  const verified = new Map<string, Buffer>();
  const equal = (a: Buffer, b: Buffer): boolean => a.length === b.length && timingSafeEqual(a, b);

  return {
    async authenticate(username, password) {
      // MQTT 3.1.1 §3.1.3.4/§3.1.3.5: username and password are optional in CONNECT; we require both.
      if (username === undefined || password === undefined) return null;
      if (username === gateway.username) return equal(sha256(password), sha256(gateway.password)) ? { kind: 'gateway', username } : null;
      const account = accounts.get(username);
      if (!account) return null;
      let ok: boolean;
      if ('plain' in account.secret) ok = equal(sha256(password), sha256(account.secret.plain));
      else {
        const digest = sha256(password);
        const known = verified.get(username);
        ok = known !== undefined && equal(known, digest);
        if (!ok) {
          ok = await verifyPassword(password.toString('utf8'), account.secret.hash);
          if (ok) verified.set(username, digest);
        }
      }
      return ok ? { kind: 'device', username, deviceIds: account.deviceIds, publish: [...account.publish], subscribe: [...account.subscribe], payloadLimits: account.payloadLimits } : null;
    },
    canPublish(who, topic) {
      if (isServerTopic(topic)) return false;
      // The gateway only listens; it publishes nothing (R4: the gateway reads).
      if (who.kind === 'gateway') return false;
      return who.publish.some((f) => filterCovers(f, topic));
    },
    canSubscribe(who, filter) {
      if (isServerTopic(filter)) return false;
      if (who.kind === 'gateway') return true;
      return who.subscribe.some((f) => filterCovers(f, filter));
    },
    maxPayload(who, siteMax, topic) {
      const limits = who?.kind === 'device' ? who.payloadLimits : [];
      if (topic !== undefined) return payloadLimitFor(limits, topic, siteMax);
      return Math.max(siteMax, ...limits.map((l) => l.maxBytes));
    },
    largestPayload(siteMax) {
      return Math.max(siteMax, ...[...accounts.values()].flatMap((a) => a.payloadLimits.map((l) => l.maxBytes)));
    },
    knows(username) {
      return username === gateway.username || accounts.has(username);
    },
    devicesOf(username) {
      return accounts.get(username)?.deviceIds ?? [];
    },
  };
}
