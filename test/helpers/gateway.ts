// Wires a small real gateway in-process for tests: real store in a temp dir, real simulator on a
// free loopback port, real Modbus poller, real HTTP and socket.io server on a free port.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadSite, type Site } from '../../src/config/load.ts';
import { createGateway, type Gateway } from '../../src/gateway.ts';
import { systemClock, type Clock } from '../../src/core/clock.ts';
import { silentLogger } from '../../src/core/logger.ts';
import type { ModbusSimulator } from '../../src/simulators/modbus-simulator.ts';
import { freePort } from './ports.ts';

export interface TestGateway {
  url: string;
  site: Site;
  dataDir: string;
  configFile: string;
  gateway: Gateway;
  simulators: ReadonlyMap<string, ModbusSimulator>;
  /** Stops the gateway; the data dir stays until `dispose`. */
  stop(): Promise<void>;
  /** Stops and removes the temp dir. */
  dispose(): Promise<void>;
}

/** The default test site: one distribution room, one simulated XY-MD02, fast polling, no on-delay. */
export async function testSiteYaml(opts: { dataDir: string; extra?: string }): Promise<string> {
  return oneSensorSiteYaml({ ...opts, port: await freePort(), pollIntervalMs: 200, simulate: true });
}

/** One distribution room with one XY-MD02 at a Modbus TCP port on loopback; users duty/duty and lead/lead. */
export function oneSensorSiteYaml(o: { port: number; unitId?: number; pollIntervalMs?: number; simulate?: boolean; dataDir?: string; extra?: string }): string {
  return `
site: { id: test-site, name: { en: Test Tower, zh-CN: 测试大厦 }, timezone: Asia/Shanghai, demo: true, language: en }
${o.dataDir ? `storage: { dataDir: ${JSON.stringify(o.dataDir)} }` : ''}
http: { host: 127.0.0.1, port: 0 }
rooms:
  - { id: dist-room-b1, kind: distribution, name: { en: Distribution room B1, zh-CN: B1 配电房 } }
devices:
  - id: dist-b1-th1
    room: dist-room-b1
    profile: xy-md02
    connection: { type: tcp, host: 127.0.0.1, port: ${o.port}, unitId: ${o.unitId ?? 1}, timeoutMs: 500 }
    pollIntervalMs: ${o.pollIntervalMs ?? 1000}
    simulate: ${o.simulate ?? false}
    limits:
      temperature: { high: 35, highHigh: 40, deadband: 1, onDelaySeconds: 0, rule: R1 }
users:
  - { username: duty, displayName: Duty Li, role: duty, password: duty }
  - { username: lead, displayName: Lead Zhang, role: supervisor, password: lead }
${o.extra ?? ''}`;
}

export async function startTestGateway(
  opts: {
    yaml?: string;
    clock?: Clock;
    dataDir?: string;
    /** Device profiles, e.g. test/fixtures/profiles; default devices/. */
    profilesDir?: string;
    /** How often late handovers and overdue patrols are checked (GatewayOptions.dutyCheckMs). */
    dutyCheckMs?: number;
  } = {},
): Promise<TestGateway> {
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'roomwatch-test-'));
  const configFile = join(dataDir, 'site.yaml');
  writeFileSync(configFile, opts.yaml ?? (await testSiteYaml({ dataDir })));
  const site = loadSite(configFile, opts.profilesDir);
  const gateway = createGateway({ site, clock: opts.clock ?? systemClock, logger: silentLogger, httpPort: 0, ...(opts.dutyCheckMs === undefined ? {} : { dutyCheckMs: opts.dutyCheckMs }) });
  await gateway.start();
  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    await gateway.stop();
  };
  return {
    url: gateway.consoleUrl,
    site,
    dataDir,
    configFile,
    gateway,
    simulators: gateway.simulators,
    stop,
    async dispose() {
      await stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * Gateways started one after another on data dirs that outlive them (restart tests): `dataDir()` makes one,
 * `start` runs a gateway on it, `cleanup()` (in afterEach) stops those still running and removes the dirs.
 */
export function restartedGateways(prefix: string): {
  dataDir(): string;
  start(opts: { yaml: string; dataDir: string; clock?: Clock }): Promise<TestGateway>;
  cleanup(): Promise<void>;
} {
  const dirs: string[] = [];
  const gateways: TestGateway[] = [];
  return {
    dataDir() {
      const d = mkdtempSync(join(tmpdir(), prefix));
      dirs.push(d);
      return d;
    },
    async start(opts) {
      const gw = await startTestGateway(opts);
      gateways.push(gw);
      return gw;
    },
    async cleanup() {
      for (const gw of gateways.splice(0)) await gw.stop();
      for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
    },
  };
}
