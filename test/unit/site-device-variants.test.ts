// Variants real installs have, set in the site config without editing a profile (issue 12 §2): an XY-MD02 with ×100
// firmware, a chiller set to °F, a sensor with an offset; and a site's own profile folder (profilesDir) merged with
// the built-in profiles under the same schema and checks.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, type ConfigProblem } from '../../src/config/errors.ts';
import { defaultProfilesDir, loadSite, parseSite } from '../../src/config/load.ts';
import { loadProfiles } from '../../src/devices/profiles.ts';
import { compileCodec } from '../../src/sources/modbus/decode.ts';
import { useTempDirs } from '../helpers/temp-dirs.ts';

const profiles = loadProfiles(defaultProfilesDir);
const tempDir = useTempDirs('rw-variants-');

const site = (devices: string, extra = ''): string => `
site: { id: t, name: { en: T, zh-CN: T }, demo: true }
broker: { embedded: { port: 0 } }
${extra}
rooms: [{ id: r, kind: distribution, name: { en: R, zh-CN: R } }, { id: c, kind: chiller, name: { en: C, zh-CN: C } }]
devices:
${devices}
users: [{ username: duty, displayName: D, role: duty, password: duty }]
`;

function problemsOf(run: () => unknown): ConfigProblem[] {
  try {
    run();
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error('expected a config error');
}

describe('per-device point variants (scale, unit, offset)', () => {
  const s = parseSite(
    'variants.yaml',
    site(`
  - { id: th100, room: r, profile: xy-md02, connection: { type: tcp, host: 127.0.0.1, port: 1502 }, points: { temperature: { scale: 0.01, precision: 2 }, humidity: { scale: 0.01 } } }
  - { id: th10, room: r, profile: xy-md02, connection: { type: tcp, host: 127.0.0.1, port: 1502, unitId: 2 } }
  - { id: renke, room: r, profile: renke-rs-ws-n01-8, connection: { type: tcp, host: 127.0.0.1, port: 1503 }, points: { temperature: { offset: -0.8 } } }
  - { id: ch1, room: c, profile: daikin-microtech3, connection: { type: tcp, host: 127.0.0.1, port: 1504 }, points: { leavingWater: { unit: °F }, enteringWater: { unit: °F } } }
`),
    profiles,
  );
  const read = (key: string, words: number[]) => compileCodec(s.points.get(key)!.spec as Parameters<typeof compileCodec>[0]).decode(words, 0);

  it('an XY-MD02 with ×100 firmware reads 0x0BEA as 30.50 °C; its neighbour with the usual firmware is untouched', () => {
    expect(read('th100.temperature', [0x0bea])).toEqual({ quality: 'good', value: 30.5 });
    expect(read('th100.humidity', [5460])).toEqual({ quality: 'good', value: 54.6 });
    expect(read('th10.temperature', [0x0131])).toEqual({ quality: 'good', value: 30.5 });
    // Without the override the ×100 unit would read 305 °C: out of range, bad, never a good value.
    expect(read('th10.temperature', [0x0bea])).toMatchObject({ quality: 'bad', detail: expect.stringContaining('out of range') });
  });

  it('a chiller set to °F is converted to °C (limits, R1 and rollups stay in °C); the range applies after conversion', () => {
    expect(read('ch1.leavingWater', [446])).toEqual({ quality: 'good', value: 7 }); // 44.6 °F
    expect(read('ch1.enteringWater', [540])).toEqual({ quality: 'good', value: 12.2 }); // 54.0 °F
    expect(s.points.get('ch1.leavingWater')!.spec.unit).toBe('°C');
    expect(read('ch1.leavingWater', [2400])).toMatchObject({ quality: 'bad', detail: expect.stringContaining('out of range') }); // 240 °F = 115.6 °C
  });

  it('a sensor offset is added in the point’s unit', () => {
    expect(read('renke.temperature', [0x00fa])).toEqual({ quality: 'good', value: 24.2 }); // 25.0 − 0.8
  });

  it('an override on an unknown point, °F on a humidity, scale 0, or on an MQTT device is refused with file and path', () => {
    const problems = problemsOf(() =>
      parseSite(
        'bad.yaml',
        site(`
  - { id: th, room: r, profile: xy-md02, connection: { type: tcp, host: 127.0.0.1, port: 1502 }, points: { nosuch: { scale: 2 }, humidity: { unit: °F }, temperature: { scale: 0 } } }
  - { id: smoke, room: r, profile: z2m-smoke-sensor, connection: { type: mqtt, topicId: s, username: z, password: z }, points: { smoke: { scale: 2 } } }
`),
        profiles,
      ),
    );
    expect(problems.map((p) => p.path).sort()).toEqual(['/devices/0/points/humidity/unit', '/devices/0/points/nosuch', '/devices/0/points/temperature/scale', '/devices/1/points']);
    expect(problems.every((p) => p.file === 'bad.yaml')).toBe(true);
  });
});

describe('a site profile folder (profilesDir)', () => {
  const xy = readFileSync(join(defaultProfilesDir, 'xy-md02.yaml'), 'utf8');

  it('adds its profiles to the built-in ones, relative to the site file', () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'my-profiles'));
    writeFileSync(join(dir, 'my-profiles', 'acme-th.yaml'), xy.replace('id: xy-md02', 'id: acme-th'));
    writeFileSync(join(dir, 'site.yaml'), site('  - { id: a, room: r, profile: acme-th, connection: { type: tcp, host: 127.0.0.1, port: 1502 } }\n  - { id: b, room: r, profile: xy-md02, connection: { type: tcp, host: 127.0.0.1, port: 1503 } }', 'profilesDir: my-profiles'));
    const s = loadSite(join(dir, 'site.yaml'));
    expect(s.devices.map((d) => d.profile.id)).toEqual(['acme-th', 'xy-md02']);
  });

  it('a profile id the built-ins define, or a broken profile, is refused naming the file and path', () => {
    const site_ = tempDir();
    const dir = join(site_, 'profiles');
    mkdirSync(dir);
    writeFileSync(join(dir, 'xy-copy.yaml'), xy);
    writeFileSync(join(dir, 'broken.yaml'), xy.replace('id: xy-md02', 'id: broken').replace('range: { min: -40, max: 125 }', 'range: { min: 125, max: -40 }'));
    writeFileSync(join(site_, 'site.yaml'), site('  - { id: b, room: r, profile: xy-md02, connection: { type: tcp, host: 127.0.0.1, port: 1503 } }', `profilesDir: ${dir}`));
    const problems = problemsOf(() => loadSite(join(site_, 'site.yaml')));
    expect(problems).toEqual([
      expect.objectContaining({ file: join(dir, 'broken.yaml'), path: '/points/temperature/range', message: expect.stringContaining('must be below') }),
      expect.objectContaining({ file: join(dir, 'xy-copy.yaml'), path: '/id', message: expect.stringContaining(join(defaultProfilesDir, 'xy-md02.yaml')) }),
    ]);
  });

  it('a profilesDir that does not exist is a config error naming it', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'site.yaml'), site('  - { id: b, room: r, profile: xy-md02, connection: { type: tcp, host: 127.0.0.1, port: 1503 } }', 'profilesDir: missing'));
    expect(problemsOf(() => loadSite(join(dir, 'site.yaml')))).toEqual([expect.objectContaining({ file: join(dir, 'missing'), message: expect.stringContaining('cannot read the profile folder') })]);
  });
});
