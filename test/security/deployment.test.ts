// Issue 13 Medium 7, the deployment half. Before: docker-compose.yml published 8080 and 1883 on every interface with
// the demo config (admin/admin) as root. After: a non-demo example config with HTTPS and MQTT over TLS only, no
// password in it (start-up refuses until each is a real hash), a non-root user, ports on loopback by default.
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { hashPassword } from '../../src/auth/passwords.ts';
import { weakPasswordProblems } from '../../src/auth/password-policy.ts';
import { loadSite, projectRoot } from '../../src/config/load.ts';

const dockerYaml = readFileSync(join(projectRoot, 'config', 'docker.yaml'), 'utf8');

describe('the container deployment', () => {
  it('config/docker.yaml is not demo mode, serves HTTPS and MQTT over TLS only, and ships no usable password', async () => {
    const site = loadSite(join(projectRoot, 'config', 'docker.yaml'));
    expect(site.demo).toBe(false);
    expect(site.config.http?.tls).toBeDefined();
    expect(site.config.broker?.embedded?.tls).toBeDefined();
    expect(site.config.broker?.embedded?.port).toBeUndefined();
    const problems = await weakPasswordProblems(site);
    expect(problems.map((p) => p.path)).toEqual(site.config.users.map((_, i) => `/users/${i}/passwordHash`));
  });

  it('with real hashes pasted in, it passes the same check start-up makes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'roomwatch-docker-'));
    try {
      const file = join(dir, 'docker.yaml');
      writeFileSync(file, dockerYaml.replaceAll('scrypt$REPLACE-with-npm-run-hash-password', await hashPassword('correct horse battery staple')));
      expect(await weakPasswordProblems(loadSite(file))).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it('docker-compose.yml runs the gateway as a non-root user and publishes nothing on every interface', () => {
    const compose = parse(readFileSync(join(projectRoot, 'docker-compose.yml'), 'utf8')) as { services: Record<string, { user?: string; ports?: string[] }> };
    expect(compose.services['gateway']!.user).toBe('1000:1000');
    const published = Object.values(compose.services).flatMap((s) => s.ports ?? []);
    expect(published.length).toBeGreaterThan(0);
    expect(published.filter((p) => !p.startsWith('127.0.0.1:'))).toEqual([]);
    expect(readFileSync(join(projectRoot, 'Dockerfile'), 'utf8')).toMatch(/^USER node$/m);
  });
});
