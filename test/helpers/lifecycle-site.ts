// The small site of the alarm-lifecycle and keyboard tests: one distribution room sensor (R1 temperature, a
// low-priority humidity alarm) and a Modbus fire panel (A4, latched), both simulated and polled every 200 ms;
// low-priority alarms escalate within seconds, so all three levels are seen (A1/A2).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { projectRoot } from '../../src/config/load.ts';
import { startTestGateway, type TestGateway } from './gateway.ts';
import { freePort } from './ports.ts';

export async function lifecycleSiteYaml(dataDir: string): Promise<string> {
  return `
site: { id: lifecycle-site, name: { en: Test Tower, zh-CN: 测试大厦 }, timezone: Asia/Shanghai, demo: true, language: en }
storage: { dataDir: ${JSON.stringify(dataDir)} }
http: { host: 127.0.0.1, port: 0 }
# Low-priority alarms escalate within seconds here, so the test watches all three levels (A1/A2).
alarms: { escalation: { critical: [600, 1200, 1800], high: [900, 1800, 2700], low: [1, 2, 3] } }
rooms:
  - { id: dist-room-b1, kind: distribution, name: { en: Distribution room B1, zh-CN: B1 配电房 } }
  - { id: fcc, kind: fire-control, name: { en: Fire-control room, zh-CN: 消防控制室 } }
devices:
  - id: dist-b1-th1
    room: dist-room-b1
    profile: xy-md02
    connection: { type: tcp, host: 127.0.0.1, port: ${await freePort()}, unitId: 1, timeoutMs: 500 }
    pollIntervalMs: 200
    simulate: true
    limits:
      temperature: { high: 35, highHigh: 40, deadband: 1, onDelaySeconds: 0, rule: R1 }
      humidity: { high: 60, deadband: 2, onDelaySeconds: 0, priority: low }
  - id: fire-panel
    room: fcc
    profile: test-fire-panel
    connection: { type: tcp, host: 127.0.0.1, port: ${await freePort()}, unitId: 1, timeoutMs: 500 }
    pollIntervalMs: 200
    simulate: true
users:
  - { username: duty, displayName: Duty Li, role: duty, password: duty }
  - { username: lead, displayName: Lead Zhang, role: lead, password: lead }
  - { username: sup, displayName: Supervisor Chen, role: supervisor, password: sup }
`;
}

/** Where the site's test fire-panel profile is. */
export const lifecycleProfilesDir = resolve(projectRoot, 'test', 'fixtures', 'profiles');

/** The site on free ports in a fresh temp dir. */
export async function startLifecycleSite(prefix: string): Promise<TestGateway> {
  const dataDir = mkdtempSync(join(tmpdir(), prefix));
  return startTestGateway({ dataDir, yaml: await lifecycleSiteYaml(dataDir), profilesDir: lifecycleProfilesDir });
}
