// Issue 13 High 2 on the external-broker path: Debian Mosquitto run with the mosquitto.conf listeners and the ACL
// Roomwatch generates (npm run mqtt-acl [-- --conf]). Mosquitto has no per-login client-id rule; on the devices'
// listener `use_username_as_clientid` makes every login its own client id, so device B's login presenting device
// A's client id is let in under its own name and A's session is never taken over: no will, A stays connected.
// The gateway keeps its own client ids on a loopback listener.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MqttClient } from 'mqtt';
import { defaultProfilesDir, parseSite } from '../../src/config/load.ts';
import { loadProfiles } from '../../src/devices/profiles.ts';
import { mosquittoAcl, mosquittoConf } from '../../src/broker/mosquitto-acl.ts';
import { mosquittoAvailable, startMosquitto, type Mosquitto } from '../helpers/mosquitto.ts';
import { connectMqtt } from '../helpers/mqtt.ts';
import { freePort } from '../helpers/ports.ts';
import { realPart } from '../helpers/real-parts.ts';
import { waitFor } from '../helpers/wait.ts';

const mosquitto = realPart('mosquitto', mosquittoAvailable(), 'apt-get install mosquitto mosquitto-clients');

const site = parseSite('site.yaml', `
site: { id: t, name: { en: T, zh-CN: T }, demo: true }
broker: { external: { url: "mqtt://127.0.0.1:1884", username: roomwatch-gw, password: gw-secret } }
rooms: [{ id: fire, kind: fire-control, name: { en: F, zh-CN: F } }]
devices:
  - { id: tas, room: fire, profile: tasmota-fire-switch, connection: { type: mqtt, topicId: fire_contact, username: tasmota, password: pw-tas } }
  - { id: g2, room: fire, profile: shelly-gen2-fire-input, connection: { type: mqtt, topicId: shellyplusi4-aabbcc, username: shelly-g2, password: pw-g2 } }
users: [{ username: duty, displayName: D, role: duty, password: duty }]
`, loadProfiles(defaultProfilesDir));

describe.skipIf(mosquitto.skip)('Mosquitto with the generated listeners: no login takes over another one', () => {
  let broker: Mosquitto;
  let devicePort: number;
  let gatewayPort: number;
  const clients: MqttClient[] = [];
  const heard: [topic: string, payload: string][] = [];

  beforeAll(async () => {
    devicePort = await freePort();
    gatewayPort = await freePort();
    broker = await startMosquitto({
      users: [{ username: 'tasmota', password: 'pw-tas' }, { username: 'shelly-g2', password: 'pw-g2' }, { username: 'roomwatch-gw', password: 'gw-secret' }],
      acl: mosquittoAcl(site, 'roomwatch-gw'),
      maxPacketSize: 2048,
      port: devicePort, // the helper waits until this one accepts
      listeners: (files) => mosquittoConf({ deviceHost: '127.0.0.1', devicePort, gatewayPort, ...files, maxPacketSize: 2048 }),
    });
    await waitFor(() => broker.log().includes(`listen socket on port ${gatewayPort}`), 'the gateway listener');
    // The gateway's own client, on its listener, with the client id it chose.
    const gw = await connectMqtt(`mqtt://127.0.0.1:${gatewayPort}`, { username: 'roomwatch-gw', password: 'gw-secret', clientId: 'rw-gateway' });
    clients.push(gw);
    gw.on('message', (topic, payload) => heard.push([topic, payload.toString()]));
    await gw.subscribeAsync(['tele/fire_contact/#', 'stat/fire_contact/#'], { qos: 1 });
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.endAsync(true)));
    await broker?.stop();
  });

  it("device B's login with device A's client id gets its own name; A stays connected and its will is never published", async () => {
    const a = await connectMqtt(`mqtt://127.0.0.1:${devicePort}`, {
      username: 'tasmota', password: 'pw-tas', clientId: 'DVES_4F1A2B',
      will: { topic: 'tele/fire_contact/LWT', payload: Buffer.from('Offline'), qos: 1, retain: true },
    });
    clients.push(a);
    await a.publishAsync('tele/fire_contact/LWT', 'Online', { qos: 1, retain: true });
    await waitFor(() => heard.some(([t, p]) => t === 'tele/fire_contact/LWT' && p === 'Online'), 'A online');

    const b = await connectMqtt(`mqtt://127.0.0.1:${devicePort}`, { username: 'shelly-g2', password: 'pw-g2', clientId: 'DVES_4F1A2B' });
    clients.push(b);
    // Mosquitto named B by its login, not by the id it presented.
    await waitFor(() => / as shelly-g2 \(.*u'shelly-g2'\)/.test(broker.log()), "B's login logged under its own name");
    expect(broker.log()).toMatch(/ as tasmota \(.*u'tasmota'\)/);

    // A still holds its session: a QoS 1 round trip through the gateway's subscription, after B came in.
    await a.publishAsync('stat/fire_contact/RESULT', '{"Switch1":{"Action":"OFF"}}', { qos: 1 });
    await waitFor(() => heard.some(([t]) => t === 'stat/fire_contact/RESULT'), "A's message after B's login");
    expect(a.connected).toBe(true);
    expect(heard.filter(([t, p]) => t === 'tele/fire_contact/LWT' && p === 'Offline')).toEqual([]);
    expect(broker.log()).not.toMatch(/Client DVES_4F1A2B already connected, closing old connection/);
    expect(broker.log()).not.toMatch(/Client tasmota already connected, closing old connection/);
  });
});

describe.skipIf(mosquitto.skip)('Mosquitto with the generated listeners and a certificate: devices over TLS only', () => {
  it('a device publishes over TLS to the gateway; the devices\' port speaks no plain MQTT', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'roomwatch-mosq-tls-'));
    const certfile = join(dir, 'roomwatch.crt');
    const keyfile = join(dir, 'roomwatch.key');
    execFileSync('/usr/bin/openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=localhost',
      '-addext', 'subjectAltName=DNS:localhost', '-keyout', keyfile, '-out', certfile], { stdio: 'pipe' });
    const devicePort = await freePort();
    const gatewayPort = await freePort();
    const broker = await startMosquitto({
      users: [{ username: 'tasmota', password: 'pw-tas' }, { username: 'roomwatch-gw', password: 'gw-secret' }],
      acl: mosquittoAcl(site, 'roomwatch-gw'),
      maxPacketSize: 2048,
      port: gatewayPort,
      listeners: (files) => mosquittoConf({ deviceHost: '127.0.0.1', devicePort, gatewayPort, tls: { certfile, keyfile }, ...files, maxPacketSize: 2048 }),
    });
    const open: MqttClient[] = [];
    try {
      const gw = await connectMqtt(`mqtt://127.0.0.1:${gatewayPort}`, { username: 'roomwatch-gw', password: 'gw-secret', clientId: 'rw-gateway' });
      open.push(gw);
      const got: string[] = [];
      gw.on('message', (_t, p) => got.push(p.toString()));
      await gw.subscribeAsync('stat/fire_contact/#', { qos: 1 });
      const ca = readFileSync(certfile);
      const dev = await connectMqtt(`mqtts://localhost:${devicePort}`, { username: 'tasmota', password: 'pw-tas', clientId: 'DVES_1', ca });
      open.push(dev);
      await dev.publishAsync('stat/fire_contact/RESULT', '{"Switch1":{"Action":"ON"}}', { qos: 1 });
      await waitFor(() => got.length === 1, 'the TLS publish at the gateway');
      await expect(connectMqtt(`mqtt://127.0.0.1:${devicePort}`, { username: 'tasmota', password: 'pw-tas', clientId: 'plain', connectTimeout: 3000 })).rejects.toBeDefined();
    } finally {
      await Promise.all(open.map((c) => c.endAsync(true)));
      await broker.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
