// Issue 13 Medium 5: demo passwords outside demo mode. Before: the block list had five words; super/super,
// duty2/duty2, admin/12345678 and the demo MQTT device passwords all worked on a `site.demo: false` site, and
// check-config said OK for a config start-up refused. After: one check (src/auth/password-policy.ts) refuses every
// password of the demo config and the common ones, as hashes, for users and MQTT logins, in check-config AND at
// start-up, naming file, line and path.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { demoCost, hashPassword } from '../../src/auth/passwords.ts';
import { commonPasswords, demoPasswords, isRefusedPassword, passwordCheckFile, weakPasswordProblems } from '../../src/auth/password-policy.ts';
import { ConfigError } from '../../src/config/errors.ts';
import { loadSite, projectRoot } from '../../src/config/load.ts';
import { createGateway } from '../../src/gateway.ts';
import { systemClock } from '../../src/core/clock.ts';
import { silentLogger } from '../../src/core/logger.ts';

// The cost is part of each hash and the check reads it from there: these hashes use the demo cost (N=2^14), or a
// cold check at OWASP's cost (list × hashes runs of ~0.6 s, 128 MiB each) would outlast any timeout on this
// machine. What is refused, and where it is reported, does not depend on the cost.
const hashed = (password: string): Promise<string> => hashPassword(password, demoCost);

const siteYaml = (dataDir: string, users: string, devices = '[]') => `
site: { id: t, name: { en: T, zh-CN: T }, demo: false }
storage: { dataDir: ${JSON.stringify(dataDir)} }
http: { host: 127.0.0.1, port: 0 }
broker: { embedded: { host: 127.0.0.1, port: 0 } }
rooms: [{ id: fire, kind: fire-control, name: { en: F, zh-CN: F } }]
devices: ${devices}
users:
${users}
`;

describe('demo and common passwords are refused outside demo mode', () => {
  let dir: string;
  let configFile: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'roomwatch-weak-'));
    configFile = join(dir, 'site.yaml');
    // The issue's own examples: the demo supervisor's password as a hash, and a demo MQTT device password.
    writeFileSync(configFile, siteYaml(join(dir, 'data'),
      `  - { username: super, displayName: S, role: supervisor, passwordHash: "${await hashed('super')}" }`,
      `\n  - { id: fc-1, room: fire, profile: shelly-gen2-fire-input, connection: { type: mqtt, topicId: shellyplusi4-fc01, username: fc-panel-1, passwordHash: "${await hashed('demo-fc-panel-1')}" } }`,
    ));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('the list holds every password config/demo.yaml ships with, users and MQTT devices alike', () => {
    const demo = parse(readFileSync(join(projectRoot, 'config', 'demo.yaml'), 'utf8')) as { users: { password?: string }[]; devices: { connection: { password?: string } }[] };
    const shipped = [...demo.users.map((u) => u.password), ...demo.devices.map((d) => d.connection.password)].filter((p): p is string => p !== undefined);
    expect(shipped.length).toBeGreaterThan(10);
    expect(shipped.filter((p) => !demoPasswords.includes(p))).toEqual([]);
    for (const p of ['duty2', 'super', '12345678', 'admin123', 'changeme', '5201314']) expect(isRefusedPassword(p)).toBe(true);
    expect(commonPasswords.length).toBeGreaterThan(30);
    expect(isRefusedPassword('a long and private phrase')).toBe(false);
  });

  it('check-config exits 1 naming the user and the MQTT login with a refused password, with file, line and path', () => {
    let out = { status: 0, stderr: '' };
    try {
      execFileSync(join(projectRoot, 'node_modules', '.bin', 'node'), [join(projectRoot, 'src', 'cli', 'check-config.ts'), configFile], { encoding: 'utf8', stdio: 'pipe' });
    } catch (err) {
      out = err as { status: number; stderr: string };
    }
    expect(out.status).toBe(1);
    expect(out.stderr).toContain('2 problem(s)');
    expect(out.stderr).toMatch(new RegExp(`${configFile}:\\d+: /users/0/passwordHash: user "super": this is a hash of a demo or common password`));
    expect(out.stderr).toMatch(new RegExp(`${configFile}:\\d+: /devices/0/connection/passwordHash: MQTT login "fc-panel-1": this is a hash of a demo or common password`));
  }, 90_000); // a cold check is list × hashes scrypt runs: seconds on a loaded 2-core machine

  it('start-up refuses the same config with the same problems, before anything listens', async () => {
    const gateway = createGateway({ site: loadSite(configFile), clock: systemClock, logger: silentLogger, httpPort: 0 });
    const err = await gateway.start().then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).problems.map((p) => p.path)).toEqual(['/users/0/passwordHash', '/devices/0/connection/passwordHash']);
    expect(gateway.consoleUrl).toBe('');
    expect(gateway.mqtt).toBeNull();
  }, 90_000);

  it('a good config starts; its clean hashes are remembered (0600), so the next check skips them', async () => {
    const good = join(dir, 'good.yaml');
    const dataDir = join(dir, 'good-data');
    writeFileSync(good, siteYaml(dataDir, `  - { username: duty, displayName: D, role: duty, passwordHash: "${await hashed('a long and private phrase')}" }`));
    const site = loadSite(good);
    const gateway = createGateway({ site, clock: systemClock, logger: silentLogger, httpPort: 0 });
    await gateway.start();
    await gateway.stop();
    const cache = passwordCheckFile(dataDir);
    expect(existsSync(cache)).toBe(true);
    expect(JSON.parse(readFileSync(cache, 'utf8'))).toHaveLength(1);
    expect(statSync(cache).mode & 0o777).toBe(0o600);
    expect(await weakPasswordProblems(site, { cacheFile: cache })).toEqual([]);
  }, 90_000);

  it('a passwordHash that is no checkable scrypt hash is a problem too, never a pass', async () => {
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, siteYaml(join(dir, 'bad-data'), '  - { username: duty, displayName: D, role: duty, passwordHash: "scrypt$1$1$1$a$b" }'));
    const problems = await weakPasswordProblems(loadSite(bad));
    expect(problems.map((p) => [p.path, p.message])).toEqual([['/users/0/passwordHash', 'user "duty": not a scrypt hash this gateway can check; make one with `npm run hash-password`']]);
  });

  it('npm run hash-password refuses a demo or common password before hashing it', () => {
    const hash = (pw: string) => {
      try {
        return { status: 0, out: execFileSync(join(projectRoot, 'node_modules', '.bin', 'node'), [join(projectRoot, 'src', 'cli', 'hash-password.ts')], { input: pw, encoding: 'utf8', stdio: 'pipe' }) };
      } catch (err) {
        return { status: (err as { status: number }).status, out: (err as { stderr: string }).stderr };
      }
    };
    expect(hash('demo-fc-panel-1')).toEqual({ status: 1, out: 'that is a demo or common password; Roomwatch refuses it outside demo mode\n' });
    expect(hash('12345678').status).toBe(1);
    expect(hash('a long and private phrase').out).toMatch(/^scrypt\$/);
  });

  it('demo sites are not checked: their passwords are the demo ones on purpose', async () => {
    expect(await weakPasswordProblems(loadSite(join(projectRoot, 'config', 'demo.yaml')))).toEqual([]);
  });
});
