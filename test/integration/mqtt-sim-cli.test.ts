// `npm run sim` for MQTT devices, as a user runs it against a running gateway: contact on/off, link offline/online,
// garbage, list; wrong input exits 1 with a clear message.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DeviceStatus } from '../../src/core/bus.ts';
import type { Reading } from '../../src/core/reading.ts';
import { startTestGateway, type TestGateway } from '../helpers/gateway.ts';
import { freePort } from '../helpers/ports.ts';
import { runCli } from '../helpers/sim-cli.ts';
import { waitFor } from '../helpers/wait.ts';

describe('`npm run sim` with simulated MQTT devices', () => {
  let gw: TestGateway;
  const readings: Reading[] = [];
  const statuses: DeviceStatus[] = [];
  const last = (key: string): Reading | undefined => readings.filter((r) => r.pointKey === key).at(-1);
  const sim = (...args: string[]) => runCli([...args, '--config', gw.configFile]);

  beforeAll(async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'roomwatch-mqtt-cli-'));
    // The CLI needs a fixed control port in the file; another process may take a free port before we bind it,
    // so a start that finds it taken tries another one.
    for (let attempt = 1; ; attempt++) {
      const yaml = `
site: { id: cli-test, name: { en: CLI test, zh-CN: CLI 测试 }, demo: true, language: en }
storage: { dataDir: ${JSON.stringify(dataDir)} }
http: { host: 127.0.0.1, port: 0 }
broker: { embedded: { host: 127.0.0.1, port: 0 } }
simulators: { controlPort: ${await freePort()} }
rooms: [{ id: fire, kind: fire-control, name: { en: Fire control, zh-CN: 消防控制室 } }]
devices:
  - { id: fc-panel-1, room: fire, profile: shelly-gen1-fire-input, simulate: true, connection: { type: mqtt, topicId: shellyi3-fc01, username: fc-panel-1, password: pw-1 } }
users: [{ username: duty, displayName: Duty, role: duty, password: duty }]
`;
      try {
        gw = await startTestGateway({ yaml, dataDir });
        break;
      } catch (err) {
        if (attempt >= 3 || !String(err).includes('EADDRINUSE')) throw err;
      }
    }
    gw.gateway.bus.on('readings', 'test', (rs) => readings.push(...rs));
    gw.gateway.bus.on('deviceStatus', 'test', (s) => statuses.push(s));
  });
  afterAll(async () => {
    await gw?.dispose();
  });

  it('contact on / off publishes the Shelly Gen1 payloads', async () => {
    const on = await sim('contact', 'fc-panel-1', 'fireAlarm', 'on');
    expect([on.code, on.stdout.trim()]).toEqual([0, 'fc-panel-1.fireAlarm = true']);
    await waitFor(() => last('fc-panel-1.fireAlarm')?.value === true, 'fire alarm on');
    expect((await sim('contact', 'fc-panel-1', 'fireAlarm', 'off')).code).toBe(0);
    await waitFor(() => last('fc-panel-1.fireAlarm')?.value === false, 'fire alarm off');
  });

  it('link offline fires the LWT; list shows it OFFLINE; link online brings it back', async () => {
    expect((await sim('link', 'fc-panel-1', 'offline')).code).toBe(0);
    await waitFor(() => statuses.find((s) => s.deviceId === 'fc-panel-1' && !s.online), 'offline');
    const list = await sim('list');
    expect(list.stdout).toContain('fc-panel-1  (shelly-gen1-fire-input, MQTT, OFFLINE)');
    expect((await sim('garbage', 'fc-panel-1')).stderr).toMatch(/offline; bring it back first/);
    expect((await sim('link', 'fc-panel-1', 'online')).code).toBe(0);
    await waitFor(() => statuses.filter((s) => s.deviceId === 'fc-panel-1').at(-1)?.online === true, 'online');
  });

  it('garbage is counted as malformed', async () => {
    expect((await sim('garbage', 'fc-panel-1')).code).toBe(0);
    await waitFor(() => gw.gateway.mqtt!.diagnostics().devices[0]!.malformed === 1, 'malformed counted');
  });

  it('wrong input: exit 1 and a message naming the problem', async () => {
    const bad = await sim('contact', 'fc-panel-1', 'fireAlarm', 'maybe');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('value must be on, off, true, false or an integer (got "maybe")');
    const unknown = await sim('link', 'nobody', 'offline');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('no simulated MQTT device "nobody"');
  });
});
