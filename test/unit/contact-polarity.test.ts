// Contact polarity per device point (issue 12 §3): normally-closed fire-panel outputs are common, so a site sets
// `alarms.<point>.activeWhen: false` on the device without editing the profile. Walked for every contact point of
// every shipped profile (MQTT and Modbus): the default polarity raises at its value, the inverted one at the other.
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config/errors.ts';
import { defaultProfilesDir, parseSite } from '../../src/config/load.ts';
import { discreteActive } from '../../src/alarms/rule-evaluation.ts';
import { isBoolean, loadProfiles } from '../../src/devices/profiles.ts';
import { isBooleanPoint } from '../../src/sources/mqtt/decode.ts';

const profiles = loadProfiles(defaultProfilesDir);

/** Every (profile, point) whose alarm is a contact (true/false). */
const contacts = [...profiles.values()].flatMap((p) =>
  Object.entries(p.points as Record<string, { alarm?: { activeWhen: unknown } }>)
    .filter(([name, spec]) => typeof spec.alarm?.activeWhen === 'boolean' && (p.protocol === 'mqtt' ? isBooleanPoint(p.points[name]!) : isBoolean(p.points[name]!)))
    .map(([name, spec]) => ({ profile: p, name, normal: spec.alarm!.activeWhen as boolean })),
);

const connection = (protocol: string, i: number): string =>
  protocol === 'mqtt' ? `{ type: mqtt, topicId: dev_${i}, username: dev-${i}, password: pw-${i} }` : `{ type: tcp, host: 127.0.0.1, port: ${1500 + i} }`;

function siteWith(devices: string[]): string {
  return `
site: { id: t, name: { en: T, zh-CN: T }, demo: true }
broker: { embedded: { port: 0 } }
rooms: [{ id: r, kind: fire-control, name: { en: R, zh-CN: R } }]
devices:
${devices.map((d) => `  - ${d}`).join('\n')}
users: [{ username: duty, displayName: D, role: duty, password: duty }]
`;
}

describe('contact polarity (activeWhen per device point)', () => {
  it('covers the contact profiles: fire-panel inputs, Zigbee contacts, smoke, leak, camera inputs', () => {
    const ids = new Set(contacts.map((c) => c.profile.id));
    for (const id of ['shelly-gen1-fire-input', 'shelly-gen2-fire-input', 'tasmota-fire-switch', 'z2m-contact-sensor', 'z2m-smoke-sensor', 'generic-json-alarm']) expect(ids, id).toContain(id);
  });

  it('every contact point: the profile polarity raises at its value; a site override inverts it (normally closed)', () => {
    const devices = contacts.map((c, i) => `{ id: d${i}, room: r, profile: ${c.profile.id}, connection: ${connection(c.profile.protocol, i)}, alarms: { ${c.name}: { activeWhen: ${!c.normal} } } }`);
    const site = parseSite('polarity.yaml', siteWith(devices), profiles);
    contacts.forEach((c, i) => {
      const spec = c.profile.points[c.name]!.alarm!;
      const where = `${c.profile.id}.${c.name}`;
      expect(discreteActive(spec, c.normal), where).toBe(true);
      expect(discreteActive(spec, !c.normal), where).toBe(false);
      const inverted = site.points.get(`d${i}.${c.name}`)!.alarm!;
      expect(inverted.activeWhen, where).toBe(!c.normal);
      // The rest of the profile's alarm (priority, latching, rule, texts) stays as it was.
      expect({ ...inverted, activeWhen: spec.activeWhen }, where).toEqual(spec);
      expect(discreteActive(inverted, !c.normal), where).toBe(true);
      expect(discreteActive(inverted, c.normal), where).toBe(false);
    });
  });

  it('an activeWhen that does not fit the point, or on an unknown point, is refused with file and path', () => {
    const text = siteWith([
      `{ id: fire, room: r, profile: shelly-gen1-fire-input, connection: ${connection('mqtt', 1)}, alarms: { fireAlarm: { activeWhen: nonzero }, nosuch: { activeWhen: false } } }`,
      `{ id: pump, room: r, profile: grundfos-cim, connection: ${connection('modbus', 2)}, alarms: { alarmCode: { activeWhen: true } } }`,
    ]);
    let problems: { file: string; path: string; message: string }[] = [];
    try {
      parseSite('polarity.yaml', text, profiles);
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      problems = err.problems;
    }
    expect(problems.map((p) => [p.path, p.message])).toEqual([
      ['/devices/0/alarms/fireAlarm/activeWhen', expect.stringContaining('normally closed')],
      ['/devices/0/alarms/nosuch', expect.stringContaining('has no point "nosuch"')],
      ['/devices/1/alarms/alarmCode/activeWhen', expect.stringContaining('"nonzero" or a list of codes')],
    ]);
    expect(problems[0]!.file).toBe('polarity.yaml');
  });
});
