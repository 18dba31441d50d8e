// Issue 13 Medium 7 and Low (plain MQTT next to TLS): before, the console was HTTP only, its cookie could never be
// `Secure`, and plain MQTT listened even with TLS configured. After: the console over HTTPS with the site's
// certificate (an optional plain port only redirects), a `Secure` session cookie, devices over MQTT/TLS and no plain
// MQTT listener unless the config asks for one. Certificates made by the real openssl binary in a temp dir.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:https';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { io } from 'socket.io-client';
import { routes, SESSION_COOKIE } from '../../src/contract/api.ts';
import type { Reading } from '../../src/core/reading.ts';
import { ConfigError } from '../../src/config/errors.ts';
import { defaultProfilesDir, parseSite } from '../../src/config/load.ts';
import { loadProfiles } from '../../src/devices/profiles.ts';
import { startTestGateway, testSiteYaml, type TestGateway } from '../helpers/gateway.ts';
import { connectMqtt } from '../helpers/mqtt.ts';
import { realPart } from '../helpers/real-parts.ts';
import { waitFor } from '../helpers/wait.ts';

const openssl = realPart('openssl', existsSync('/usr/bin/openssl'), 'apt-get install openssl');

/** A self-signed certificate for localhost and 127.0.0.1, as docs/security.md tells a site to make one. */
function makeCertificate(dir: string): { cert: string; key: string } {
  const cert = join(dir, 'console.crt');
  const key = join(dir, 'console.key');
  execFileSync('/usr/bin/openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=localhost',
    '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1', '-keyout', key, '-out', cert], { stdio: 'pipe' });
  return { cert, key };
}

interface Answer { status: number; headers: Record<string, string | string[] | undefined>; body: string }
const ask = (url: string, ca: Buffer | null, init: { method?: string; body?: string } = {}): Promise<Answer> =>
  new Promise((ok, fail) => {
    const u = new URL(url);
    const options = { method: init.method ?? 'GET', headers: init.body ? { 'content-type': 'application/json' } : {}, ...(ca ? { ca } : {}) };
    const req = (u.protocol === 'https:' ? request : httpRequest)(u, options, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => ok({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', fail);
    req.end(init.body);
  });

describe.skipIf(openssl.skip)('TLS for the console and for devices', () => {
  let dir: string;
  let ca: Buffer;
  let gw: TestGateway;
  const readings: Reading[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'roomwatch-tls-'));
    const { cert, key } = makeCertificate(dir);
    ca = readFileSync(cert);
    const yaml = (await testSiteYaml({ dataDir: dir }))
      .replace('http: { host: 127.0.0.1, port: 0 }', `http: { host: 127.0.0.1, port: 0, redirectHttpPort: 0, tls: { cert: ${cert}, key: ${key} } }`)
      .replace('rooms:\n', 'rooms:\n  - { id: fire, kind: fire-control, name: { en: F, zh-CN: F } }\n')
      .replace('devices:\n', 'devices:\n  - { id: di, room: fire, profile: generic-json-alarm, connection: { type: mqtt, topicId: di-1, username: plc, password: plc-pw } }\n')
      + `broker: { embedded: { host: 127.0.0.1, tls: { port: 0, cert: ${cert}, key: ${key} } } }\n`;
    gw = await startTestGateway({ yaml, dataDir: dir });
    gw.gateway.bus.on('readings', 'test', (rs) => readings.push(...rs));
  });
  afterAll(async () => {
    await gw?.dispose();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('the console answers over HTTPS with the site certificate, and not in plain HTTP on that port', async () => {
    expect(gw.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const page = await ask(gw.url + '/', ca);
    expect(page.status).toBe(200);
    expect(page.body).toContain('<html');
    const plain = await ask(gw.url.replace('https:', 'http:') + '/', null).then((a) => a.status, () => 'refused');
    expect(plain === 'refused' || plain === 400).toBe(true); // a TLS server never serves the page in clear
  });

  it('logging in over HTTPS sets a Secure, HttpOnly, SameSite=Strict session cookie', async () => {
    const res = await ask(gw.url + routes.session, ca, { method: 'POST', body: JSON.stringify({ username: 'duty', password: 'duty' }) });
    expect(res.status).toBe(200);
    const cookie = String(res.headers['set-cookie']);
    expect(cookie).toMatch(/; Secure/);
    expect(cookie).toMatch(/; HttpOnly/);
    expect(cookie).toMatch(/; SameSite=Strict/);
  });

  it('the live socket works over TLS with that cookie, and not without it', async () => {
    const res = await ask(gw.url + routes.session, ca, { method: 'POST', body: JSON.stringify({ username: 'duty', password: 'duty' }) });
    const token = new RegExp(`${SESSION_COOKIE}=([^;]+)`).exec(String(res.headers['set-cookie']))![1]!;
    const open = (cookie: string | null) => new Promise<string>((ok) => {
      const socket = io(gw.url, { transports: ['websocket'], ca: ca.toString(), extraHeaders: cookie ? { cookie } : {}, reconnection: false, forceNew: true });
      socket.once('connect', () => (socket.close(), ok('connected')));
      socket.once('connect_error', (err) => (socket.close(), ok(err.message)));
    });
    expect(await open(`${SESSION_COOKIE}=${token}`)).toBe('connected');
    expect(await open(null)).toBe('RW_AUTH_REQUIRED');
  });

  it('the plain HTTP port only redirects to HTTPS, keeping the path and the host name asked for', async () => {
    const port = gw.gateway.consoleRedirectPort!;
    const res = await ask(`http://127.0.0.1:${port}/api/alarms?x=1`, null);
    expect(res.status).toBe(308);
    expect(res.headers.location).toBe(`${gw.url}/api/alarms?x=1`);
    expect(res.body).toBe('');
  });

  it('devices publish over MQTT/TLS; there is no plain MQTT listener (TLS configured, plain not asked for)', async () => {
    const ports = gw.gateway.mqtt!.brokerPorts!;
    expect(ports.mqtt).toBeNull();
    expect(gw.gateway.brokerPort).toBeNull();
    const c = await connectMqtt(`mqtts://localhost:${ports.tls}`, { username: 'plc', password: 'plc-pw', clientId: 'plc-1', ca });
    await c.publishAsync('roomwatch/di-1/state', '{"alarm":true}', { qos: 1 });
    await waitFor(() => readings.some((r) => r.pointKey === 'di.alarm' && r.value === true), 'reading over TLS');
    await c.endAsync();
    // A client that does not trust the certificate is refused by the TLS handshake, before any password is sent.
    await expect(connectMqtt(`mqtts://localhost:${ports.tls}`, { username: 'plc', password: 'plc-pw', clientId: 'plc-2' })).rejects.toMatchObject({ code: 'DEPTH_ZERO_SELF_SIGNED_CERT' });
  });
});

describe('TLS config rules', () => {
  const profiles = loadProfiles(defaultProfilesDir);
  const problems = (http: string, broker: string): string[] => {
    try {
      parseSite('site.yaml', `
site: { id: t, name: { en: T, zh-CN: T }, demo: true }
http: ${http}
broker: ${broker}
rooms: [{ id: fire, kind: fire-control, name: { en: F, zh-CN: F } }]
devices: []
users: [{ username: duty, displayName: D, role: duty, password: duty }]
`, profiles);
      return [];
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      return err.problems.map((p) => `${p.path}: ${p.message}`);
    }
  };
  it('plain MQTT next to TLS only when asked for; a redirect port only with HTTPS', () => {
    expect(problems('{ port: 0 }', '{ embedded: { port: 1883, tls: { port: 8883, cert: c.pem, key: k.pem } } }')).toEqual([
      '/broker/embedded/port: with tls, plain MQTT would send device passwords in clear: remove port, or set plainAlongsideTls: true for devices that cannot do TLS',
    ]);
    expect(problems('{ port: 0 }', '{ embedded: { port: 1883, plainAlongsideTls: true, tls: { port: 8883, cert: c.pem, key: k.pem } } }')).toEqual([]);
    expect(problems('{ port: 0 }', '{ embedded: { host: 0.0.0.0 } }')).toEqual(['/broker/embedded: needs port (plain MQTT) or tls (MQTT over TLS), or both']);
    expect(problems('{ port: 0, redirectHttpPort: 80 }', '{ embedded: { port: 1883 } }')).toEqual(['/http/redirectHttpPort: redirects to HTTPS, so it needs http.tls']);
  });

  it('a certificate file that cannot be read stops start-up naming the site file and the path', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'roomwatch-tls-missing-'));
    try {
      const yaml = (await testSiteYaml({ dataDir: dir })).replace('http: { host: 127.0.0.1, port: 0 }', 'http: { host: 127.0.0.1, port: 0, tls: { cert: nope.crt, key: nope.key } }');
      await expect(startTestGateway({ yaml, dataDir: dir })).rejects.toThrow(/site\.yaml: \/http\/tls\/cert: cannot read .*nope\.crt/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
