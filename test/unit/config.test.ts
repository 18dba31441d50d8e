// Config errors name the file, the path and what is wrong, all at once (non-negotiable 3); profiles
// are validated across fields. These run the real loader on real YAML text.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, mkdirSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config/errors.ts';
import { defaultProfilesDir, loadSite, parseSite, projectRoot } from '../../src/config/load.ts';
import { loadProfiles } from '../../src/devices/profiles.ts';
import { siteProblems } from '../helpers/config-problems.ts';

const profiles = loadProfiles(defaultProfilesDir);

const valid = `
site: { id: t, name: { en: T, zh-CN: T }, demo: true }
rooms:
  - { id: dist, kind: distribution, name: { en: D, zh-CN: 配电房 } }
devices:
  - id: th1
    room: dist
    profile: xy-md02
    connection: { type: tcp, host: 127.0.0.1, port: 1502 }
users:
  - { username: duty, displayName: Duty, role: duty, password: duty }
`;

const problems = (text: string) => siteProblems(text, profiles);

describe('site config', () => {
  it('accepts the valid file and applies the R1 room default to a distribution-room temperature', () => {
    const site = parseSite('site.yaml', valid, profiles);
    const temp = site.points.get('th1.temperature');
    expect(temp?.limits).toMatchObject({ high: 35, highHigh: 40, rule: 'R1' });
    expect(site.points.get('th1.humidity')?.limits).toBeUndefined();
    expect(site.timezone).toBe('Asia/Shanghai');
  });

  it('lists every schema problem with file, path and line', () => {
    const text = valid.replace('port: 1502', 'port: 99999').replace('role: duty', 'role: janitor');
    const found = problems(text);
    expect(found).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ file: 'site.yaml', path: '/devices/0/connection/port', line: 9 }),
        expect.objectContaining({ file: 'site.yaml', path: '/users/0/role', line: 11 }),
      ]),
    );
    expect(found.find((p) => p.path === '/devices/0/connection/port')?.message).toMatch(/65535.*99999/);
  });

  it('names unknown rooms, profiles and points, with what exists', () => {
    const text = valid
      .replace('room: dist', 'room: nowhere')
      .replace('connection:', 'limits: { temprature: { high: 30 } }\n    connection:');
    const found = problems(text);
    expect(found.map((p) => p.path)).toEqual(expect.arrayContaining(['/devices/0/room', '/devices/0/limits/temprature']));
    expect(found.find((p) => p.path === '/devices/0/limits/temprature')?.message).toMatch(/points: temperature, humidity/);
    expect(problems(valid.replace('profile: xy-md02', 'profile: nope'))[0]?.message).toMatch(/unknown profile "nope" \(profiles: .*xy-md02/);
  });

  it('refuses unknown keys (a typo must not be silently ignored)', () => {
    const found = problems(valid.replace('demo: true', 'demo: true, timezon: UTC'));
    expect(found[0]).toMatchObject({ path: '/site/timezon' });
  });

  it('refuses limits out of order', () => {
    const text = valid.replace('connection:', 'limits: { temperature: { high: 45, highHigh: 40 } }\n    connection:');
    expect(problems(text)[0]?.message).toMatch(/lowLow < low < high < highHigh/);
  });

  it('refuses plain passwords outside demo mode', () => {
    const found = problems(valid.replace('demo: true', 'demo: false'));
    expect(found[0]).toMatchObject({ path: '/users/0/password' });
  });

  it('seeds a demo roster only in demo mode, and only with shifts to roster', () => {
    const shifts = '\nshifts: [{ id: day, name: { en: Day, zh-CN: 白班 }, start: "08:00", end: "20:00", minStaff: { duty: 1 } }]\n';
    expect(parseSite('site.yaml', valid.replace('demo: true', 'demo: true, demoRoster: true') + shifts, profiles).config.site.demoRoster).toBe(true);
    const outside = problems(valid.replace('demo: true', 'demo: false, demoRoster: true') + shifts);
    expect(outside.filter((p) => p.path === '/site/demoRoster').map((p) => p.message)).toEqual(['a demo roster is only seeded in demo mode (site.demo: true)']);
    expect(problems(valid.replace('demo: true', 'demo: true, demoRoster: true')).map((p) => [p.path, p.message])).toEqual([['/site/demoRoster', 'a demo roster needs shifts (shifts:)']]);
  });

  it('reports YAML syntax errors with their line', () => {
    const found = problems('site: { id: t\nrooms: [');
    expect(found[0]?.message).toMatch(/YAML syntax/);
    expect(found[0]?.line).toBeGreaterThan(0);
  });

  it('names an unreadable file', () => {
    expect(() => loadSite('/nonexistent/site.yaml')).toThrow(/\/nonexistent\/site.yaml.*cannot read/);
  });

  it('check-config CLI: exit 0 on the demo config, exit 1 listing problems on a broken one', () => {
    const node = join(projectRoot, 'node_modules', '.bin', 'node');
    const cli = join(projectRoot, 'src', 'cli', 'check-config.ts');
    const ok = execFileSync(node, [cli, join(projectRoot, 'config', 'demo.yaml')], { encoding: 'utf8' });
    expect(ok).toMatch(/^OK .*demo.yaml: site demo-tower/);
    const dir = mkdtempSync(join(tmpdir(), 'rw-config-'));
    const broken = join(dir, 'broken.yaml');
    writeFileSync(broken, valid.replace('port: 1502', 'port: -1'));
    let stderr = '';
    let status = 0;
    try {
      execFileSync(node, [cli, broken], { encoding: 'utf8', stdio: 'pipe' });
    } catch (err) {
      ({ stderr, status } = err as { stderr: string; status: number });
    }
    expect(status).toBe(1);
    expect(stderr).toContain(`${broken}:9: /devices/0/connection/port:`);
  });
});

describe('device profiles', () => {
  const profileDir = (): string => mkdtempSync(join(tmpdir(), 'rw-profiles-'));

  it('every shipped profile loads and cites its source', () => {
    expect(profiles.size).toBeGreaterThan(0);
    for (const p of profiles.values()) {
      expect(p.source.length).toBeGreaterThan(10);
      for (const point of Object.values(p.points)) expect(point.label.en && point.label['zh-CN']).toBeTruthy();
    }
  });

  it('XY-MD02 reads temperature at input register 1 and humidity at 2, int16 x0.1', () => {
    const p = profiles.get('xy-md02')!;
    if (p.protocol !== 'modbus') throw new Error('xy-md02 is a Modbus profile');
    expect(p.points.temperature).toMatchObject({ table: 'input', address: 1, type: 'int16', scale: 0.1, unit: '°C' });
    expect(p.points.humidity).toMatchObject({ table: 'input', address: 2, type: 'int16', scale: 0.1 });
    expect(p.defaults.unitId).toBe(1);
  });

  it('refuses overlapping registers and a type that does not fit its table', () => {
    const dir = profileDir();
    writeFileSync(
      join(dir, 'bad.yaml'),
      `id: bad
name: { en: Bad, zh-CN: 坏 }
manufacturer: test
protocol: modbus
source: "made up for a test case"
addressing: pdu
defaults: { unitId: 1 }
points:
  a: { label: { en: A, zh-CN: A }, quantity: energy, table: holding, address: 10, type: uint32, unit: kWh }
  b: { label: { en: B, zh-CN: B }, quantity: power, table: holding, address: 11, type: uint16, unit: W }
  c: { label: { en: C, zh-CN: C }, quantity: status, table: coil, address: 0, type: uint16, unit: "" }
`,
    );
    try {
      loadProfiles(dir);
      expect.unreachable('profile should be refused');
    } catch (err) {
      const msgs = (err as ConfigError).problems.map((p) => `${p.path}: ${p.message}`);
      expect(msgs).toEqual(
        expect.arrayContaining([
          expect.stringMatching(/^\/points\/b\/address: overlaps point "a" at holding register 11/),
          expect.stringMatching(/^\/points\/c\/type: type uint16 does not fit table coil/),
        ]),
      );
    }
  });

  it('converts one-based manual numbers (30002, 40001) to PDU addresses', () => {
    const dir = profileDir();
    mkdirSync(dir, { recursive: true });
    copyFileSync(join(defaultProfilesDir, 'xy-md02.yaml'), join(dir, 'xy-md02.yaml'));
    writeFileSync(
      join(dir, 'manual.yaml'),
      `id: manual
name: { en: M, zh-CN: M }
manufacturer: test
protocol: modbus
source: "made up for a test case"
addressing: one-based
defaults: { unitId: 1 }
points:
  t: { label: { en: T, zh-CN: T }, quantity: temperature, table: input, address: 30002, type: int16, unit: "°C", range: { min: -40, max: 125 } }
  s: { label: { en: S, zh-CN: S }, quantity: status, table: holding, address: 40001, type: uint16, unit: "" }
  c: { label: { en: C, zh-CN: C }, quantity: code, table: holding, address: 205, type: uint16, unit: "" }
`,
    );
    const loaded = loadProfiles(dir).get('manual')!;
    if (loaded.protocol !== 'modbus') throw new Error('a Modbus profile');
    expect([loaded.points.t!.address, loaded.points.s!.address, loaded.points.c!.address]).toEqual([1, 0, 204]);
  });
});
