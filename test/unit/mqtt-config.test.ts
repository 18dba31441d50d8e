// MQTT parts of the site config and the broker's access rules: credentials follow the users' rules, the
// connection fits the profile's protocol, the ACL comes from the profile, topic filters follow MQTT 3.1.1 §4.7.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config/errors.ts';
import { defaultProfilesDir, parseSite } from '../../src/config/load.ts';
import { loadProfiles } from '../../src/devices/profiles.ts';
import { hashPassword } from '../../src/auth/passwords.ts';
import { createDeviceAccess, deviceAcl } from '../../src/broker/device-access.ts';
import { filterCovers } from '../../src/broker/topic-filter.ts';

const profiles = loadProfiles(defaultProfilesDir);
const site = (devices: string, opts: { demo?: boolean; broker?: string } = {}) => `
site: { id: t, name: { en: T, zh-CN: T }, demo: ${opts.demo ?? true} }
${opts.broker ?? 'broker: { embedded: { port: 0 } }'}
rooms: [{ id: fire, kind: fire-control, name: { en: F, zh-CN: F } }]
devices:
${devices}
users: [{ username: duty, displayName: D, role: duty, passwordHash: "scrypt$1$1$1$a$b" }]
`;
const problems = (yaml: string): string[] => {
  try {
    parseSite('site.yaml', yaml, profiles);
    return [];
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    return err.problems.map((p) => `${p.path}: ${p.message}`);
  }
};
const shelly = (extra = 'password: pw') => `  - { id: s1, room: fire, profile: shelly-gen2-fire-input, connection: { type: mqtt, topicId: shellyplusi4-1, username: s1, ${extra} } }`;

describe('MQTT site config', () => {
  it('accepts an MQTT device and lists its points with the others', () => {
    const s = parseSite('site.yaml', site(shelly()), profiles);
    expect(s.mqttDevices.map((d) => d.config.id)).toEqual(['s1']);
    expect([...s.points.keys()]).toEqual(['s1.fireAlarm', 's1.fault', 's1.isolated']);
  });

  it('refuses plain passwords outside demo mode, and missing or double secrets', () => {
    expect(problems(site(shelly(), { demo: false }))).toContainEqual(expect.stringMatching(/^\/devices\/0\/connection\/password: plain passwords are only allowed in demo mode/));
    expect(problems(site(shelly('heartbeatSeconds: 60')))).toContainEqual(expect.stringMatching(/^\/devices\/0\/connection: needs passwordHash/));
    expect(problems(site(shelly('password: a, passwordHash: "scrypt$x"')))).toContainEqual(expect.stringMatching(/give passwordHash or password, not both/));
  });

  it("refuses the gateway's own username, a shared username with another password, and a missing broker", () => {
    expect(problems(site(shelly().replace('username: s1', 'username: roomwatch-gateway')))).toContainEqual(expect.stringMatching(/reserved for the gateway/));
    const two = `${shelly()}\n  - { id: s2, room: fire, profile: shelly-gen2-fire-input, connection: { type: mqtt, topicId: shellyplusi4-2, username: s1, password: other } }`;
    expect(problems(site(two))).toContainEqual(expect.stringMatching(/^\/devices\/1\/connection\/username: username "s1" is also used by s1 with a different password/));
    expect(problems(site(shelly(), { broker: '' }))).toContainEqual(expect.stringMatching(/^\/broker: devices s1 speak MQTT/));
  });

  it('refuses two devices on the same topics (a copied topicId); Frigate cameras sharing frigate/events are fine', () => {
    const twin = `${shelly()}\n  - { id: s2, room: fire, profile: shelly-gen2-fire-input, connection: { type: mqtt, topicId: shellyplusi4-1, username: s2, password: pw } }`;
    expect(problems(site(twin))).toEqual(['/devices/1/connection/topicId: device s1 already listens to shellyplusi4-1/status/input:0 with the same topicId "shellyplusi4-1"']);
    const cams = ['gate', 'yard'].map((c) => `  - { id: ${c}, room: fire, profile: frigate-camera, connection: { type: mqtt, topicId: ${c}, username: frigate, password: pw } }`).join('\n');
    expect(problems(site(cams))).toEqual([]);
  });

  it('a connection must fit the profile: Modbus profile with MQTT connection and the reverse are refused, with the field named', () => {
    expect(problems(site('  - { id: x, room: fire, profile: xy-md02, connection: { type: mqtt, topicId: x, username: x, password: x } }'))).toContainEqual(expect.stringMatching(/profile xy-md02 speaks Modbus/));
    expect(problems(site('  - { id: x, room: fire, profile: shelly-gen2-fire-input, connection: { type: tcp, host: 127.0.0.1, port: 502 } }'))).toContainEqual(expect.stringMatching(/needs type: mqtt/));
    // The union of connection kinds reports the field of the kind the user meant, not "expected union value".
    expect(problems(site(shelly('password: pw, topicid: typo')))).toEqual(['/devices/0/connection/topicid: Unexpected property (got "typo")']);
  });

  it('an MQTT profile with a JSON decoder but no path, a broken path, or a simulator document for a topic it does not read, is refused with file and path', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rw-mqtt-profiles-'));
    writeFileSync(join(dir, 'bad.yaml'), `id: bad
name: { en: B, zh-CN: B }
manufacturer: test
protocol: mqtt
source: "a test profile, no source"
kind: contact
points:
  a: { label: { en: A, zh-CN: A }, quantity: status, signal: contact, unit: "", decoders: [{ topic: "x/{id}", format: json }] }
  b: { label: { en: B, zh-CN: B }, quantity: status, signal: contact, unit: "", decoders: [{ topic: "y/{id}", format: json, path: 'a["b' }] }
simulator:
  initial: { a: false, b: false }
  documents: { "x/{id}": { kind: ok }, "z/{id}": { kind: nobody reads z } }
`);
    expect(() => loadProfiles(dir)).toThrow(/bad.yaml:8: \/points\/a\/decoders\/0\/path: a JSON decoder needs a path[\s\S]*bad.yaml:9: \/points\/b\/decoders\/0\/path: invalid JSON path/);
    expect(() => loadProfiles(dir)).toThrow(/bad.yaml:12: \/simulator\/documents\/z~1\{id\}: document for "z\/\{id\}", which no JSON decoder of this profile reads/);
    expect(() => loadProfiles(dir)).not.toThrow(/documents\/x/);
  });
});

describe('broker access from the config', () => {
  const s = parseSite('site.yaml', site(`${shelly()}\n  - { id: di, room: fire, profile: generic-json-alarm, connection: { type: mqtt, topicId: di-1, username: plc, password: plc-pw } }`), profiles);

  it('derives the ACL from the profile (its acl, or exactly its decoder and availability topics)', () => {
    expect(deviceAcl(s.mqttDevices[0]!)).toEqual({ publish: ['shellyplusi4-1/#'], subscribe: ['shellyplusi4-1/rpc', 'shellyplusi4-1/command', 'shellyplusi4-1/command/#'] });
    expect(deviceAcl(s.mqttDevices[1]!)).toEqual({ publish: ['roomwatch/di-1/state', 'roomwatch/di-1/status'], subscribe: ['roomwatch/di-1/state', 'roomwatch/di-1/status'] });
  });

  it('authenticates plain (demo) and scrypt passwords; refuses anonymous, unknown and wrong', async () => {
    const hashed = parseSite('site.yaml', site(shelly(`passwordHash: "${await hashPassword('s3cret')}"`), { demo: false }), profiles);
    const access = createDeviceAccess([...s.mqttDevices, ...hashed.mqttDevices.map((d) => ({ ...d, config: { ...d.config, connection: { ...d.config.connection, username: 'hashed' } } }))], { username: 'gw', password: 'gw-pw' });
    expect(await access.authenticate('s1', Buffer.from('pw'))).toMatchObject({ kind: 'device', deviceIds: ['s1'] });
    expect(await access.authenticate('hashed', Buffer.from('s3cret'))).toMatchObject({ kind: 'device' });
    expect(await access.authenticate('hashed', Buffer.from('s3cret'))).toMatchObject({ kind: 'device' }); // from the cache
    expect(await access.authenticate('hashed', Buffer.from('wrong'))).toBeNull();
    expect(await access.authenticate(undefined, undefined)).toBeNull();
    expect(await access.authenticate('s1', undefined)).toBeNull();
    expect(await access.authenticate('nobody', Buffer.from('pw'))).toBeNull();
    expect(await access.authenticate('gw', Buffer.from('gw-pw'))).toEqual({ kind: 'gateway', username: 'gw' });
  });

  it('lets a device publish and subscribe only within its ACL; nobody touches $SYS; the gateway only reads (R4)', async () => {
    const access = createDeviceAccess(s.mqttDevices, { username: 'gw', password: 'gw-pw' });
    const dev = (await access.authenticate('s1', Buffer.from('pw')))!;
    const gw = (await access.authenticate('gw', Buffer.from('gw-pw')))!;
    expect(access.canPublish(dev, 'shellyplusi4-1/status/input:0')).toBe(true);
    expect(access.canPublish(dev, 'shellyplusi4-2/status/input:0')).toBe(false);
    expect(access.canPublish(dev, 'roomwatch/di-1/state')).toBe(false);
    expect(access.canPublish(dev, '$SYS/broker/uptime')).toBe(false);
    expect(access.canSubscribe(dev, 'shellyplusi4-1/rpc')).toBe(true);
    expect(access.canSubscribe(dev, 'shellyplusi4-1/#')).toBe(false);
    expect(access.canSubscribe(dev, '$SYS/#')).toBe(false);
    expect(access.canSubscribe(gw, 'roomwatch/di-1/state')).toBe(true);
    expect(access.canSubscribe(gw, '$SYS/#')).toBe(false);
    expect(access.canPublish(gw, 'roomwatch/di-1/state')).toBe(false);
  });

  it('topic filters cover per MQTT 3.1.1 §4.7', () => {
    expect(filterCovers('a/#', 'a')).toBe(true); // # also matches the parent level
    expect(filterCovers('a/#', 'a/b/c')).toBe(true);
    expect(filterCovers('a/+/c', 'a/b/c')).toBe(true);
    expect(filterCovers('a/+/c', 'a/+/c')).toBe(true);
    expect(filterCovers('a/+/c', 'a/#')).toBe(false);
    expect(filterCovers('a/b', 'a/b/c')).toBe(false);
    expect(filterCovers('a/b/c', 'a/b')).toBe(false);
    expect(filterCovers('a/+', 'a/b/#')).toBe(false);
  });
});

describe('embedded broker TLS files', () => {
  it('an unreadable certificate stops start-up with the site file, the path and the problem', async () => {
    const { createMqttPart } = await import('../../src/sources/mqtt/mqtt-part.ts');
    const { silentLogger } = await import('../../src/core/logger.ts');
    const { systemClock } = await import('../../src/core/clock.ts');
    const s = parseSite('/sites/site.yaml', site(shelly(), { broker: 'broker: { embedded: { tls: { port: 0, cert: missing-cert.pem, key: missing-key.pem } } }' }), profiles);
    await expect(createMqttPart({ site: s, clock: systemClock, logger: silentLogger, emit: () => {}, onStatus: () => {} }).start()).rejects.toThrow(
      /^\/sites\/site.yaml: \/broker\/embedded\/tls\/cert: cannot read \/sites\/missing-cert.pem: ENOENT/,
    );
  });
});

describe('npm run mqtt-acl', () => {
  it("prints the demo site's Mosquitto ACL: one block per device login, and the gateway reading every device topic", async () => {
    const { execFileSync } = await import('node:child_process');
    const { projectRoot } = await import('../../src/config/load.ts');
    const out = execFileSync('npx', ['node', 'src/cli/mqtt-acl.ts', '--config', 'config/demo.yaml', '--gateway-user', 'rw'], { cwd: projectRoot, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    expect(out).toContain('user fc-panel-1\ntopic write shellyplusi4-fc01/#\ntopic read shellyplusi4-fc01/rpc\n');
    const gatewayBlock = out.slice(out.indexOf('user rw\n'));
    expect(gatewayBlock).toContain('topic read frigate/events\n');
    expect(gatewayBlock).toContain('topic read zigbee2mqtt/bridge/state\n');
    expect(gatewayBlock).not.toContain('write');
    // The demo runs the embedded broker: Mosquitto's log is not read, the line is only shown.
    expect(gatewayBlock).toContain('# with broker.external.brokerLog: mosquitto, also: topic read $SYS/broker/log/#\n');
    expect(gatewayBlock).not.toMatch(/^topic read \$SYS/m);
  });
});

describe('the sample config in src/sources/mqtt/README.md', () => {
  it('is a valid site config (with a site and a user around it)', async () => {
    const { readFileSync } = await import('node:fs');
    const { projectRoot } = await import('../../src/config/load.ts');
    const readme = readFileSync(join(projectRoot, 'src/sources/mqtt/README.md'), 'utf8');
    const sample = /```yaml\n([\s\S]*?)```/.exec(readme)![1]!;
    const s = parseSite('README.md', `site: { id: t, name: { en: T, zh-CN: T } }\n${sample}users: [{ username: duty, displayName: D, role: duty, passwordHash: "scrypt$1$1$1$a$b" }]\n`, profiles);
    expect(s.mqttDevices.map((d) => [d.config.id, d.profile.id])).toEqual([['fc-panel-1', 'shelly-gen2-fire-input']]);
    expect(s.config.broker?.maxPayloadBytes).toBe(16384);
  });
});
