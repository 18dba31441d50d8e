// The gateway's start (src/gateway.ts): open the store, build the services, start the parts in order. A part
// that cannot start stops the ones started before it and the store, and the error names it; the one simulators
// part starts every simulated device of the site's one device list, Modbus and MQTT alike (issue 14).
import { afterEach, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadSite } from '../../src/config/load.ts';
import { systemClock } from '../../src/core/clock.ts';
import { silentLogger } from '../../src/core/logger.ts';
import { createGateway } from '../../src/gateway.ts';
import type { DevicesResponse } from '../../src/simulators/control-server.ts';
import type { MqttDevicesResponse } from '../../src/simulators/mqtt-control.ts';
import { oneSensorSiteYaml, startTestGateway, type TestGateway } from '../helpers/gateway.ts';
import { startDemoGateway } from '../helpers/demo-site.ts';
import { freePort } from '../helpers/ports.ts';
import { waitFor } from '../helpers/wait.ts';

const listening = (server: Server, port = 0): Promise<number> =>
  new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve((server.address() as { port: number }).port));
  });

describe('gateway start', () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  it('a part that cannot start stops the parts started before it, the error names it, and no run is recorded', async () => {
    const taken = createServer();
    const httpPort = await listening(taken);
    cleanups.push(() => new Promise<void>((r) => taken.close(() => r())));
    const dataDir = mkdtempSync(join(tmpdir(), 'roomwatch-parts-'));
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
    const modbusPort = await freePort();
    const yaml = oneSensorSiteYaml({ port: modbusPort, simulate: true, pollIntervalMs: 200, dataDir }).replace('http: { host: 127.0.0.1, port: 0 }', `http: { host: 127.0.0.1, port: ${httpPort} }`);
    const configFile = join(dataDir, 'site.yaml');
    writeFileSync(configFile, yaml);

    const gateway = createGateway({ site: loadSite(configFile), clock: systemClock, logger: silentLogger });
    const err = await gateway.start().then(() => null, (e: unknown) => e as Error);
    expect(err?.message).toMatch(/^console did not start: .*EADDRINUSE/);
    // The simulators started before the console were stopped: their Modbus port is free again, the maps empty.
    expect(gateway.simulators.size).toBe(0);
    expect(gateway.mqtt).toBeNull();
    const again = createServer();
    expect(await listening(again, modbusPort)).toBe(modbusPort);
    await new Promise<void>((r) => again.close(() => r()));

    // The store was closed: the next start on the same data dir opens it, and the failed start, which never
    // ran, is not reported as an unclean stop (L1/L6 report only a run that was cut short).
    const gw: TestGateway = await startTestGateway({ yaml, dataDir });
    cleanups.push(() => gw.stop());
    const kinds = gw.gateway.dutyLog.list({ limit: 50 }).map((e) => e.kind);
    expect(kinds.filter((k) => k === 'gateway.started')).toHaveLength(1);
    expect(kinds).not.toContain('gateway.uncleanStop');
  });

  it('the demo site: one simulators part starts every simulated device, Modbus and MQTT, and the control port lists both', async () => {
    const gw = await startDemoGateway();
    cleanups.push(() => gw.dispose());
    const simulated = gw.site.devices.filter((d) => d.config.simulate === true);
    const ids = (protocol: string): string[] => simulated.filter((d) => d.protocol === protocol).map((d) => d.config.id).sort();
    expect(ids('modbus').length).toBeGreaterThan(0);
    expect(ids('mqtt').length).toBeGreaterThan(0);
    expect([...gw.gateway.simulators.keys()].sort()).toEqual(ids('modbus'));
    expect([...gw.gateway.mqttSimulators.keys()].sort()).toEqual(ids('mqtt'));

    const control = `http://127.0.0.1:${gw.gateway.simulatorControlPort}`;
    const modbus = (await (await fetch(`${control}/devices`)).json()) as DevicesResponse;
    expect(modbus.devices.map((d) => d.id).sort()).toEqual(ids('modbus'));
    const mqtt = (await (await fetch(`${control}/mqtt-devices`)).json()) as MqttDevicesResponse;
    expect(mqtt.devices.map((d) => d.id).sort()).toEqual(ids('mqtt'));

    await gw.stop();
    expect([gw.gateway.simulators.size, gw.gateway.mqttSimulators.size, gw.gateway.simulatorControlPort]).toEqual([0, 0, null]);
  });

  it('without pollers (pollDevices: false, the benchmarks) the gateway starts and ingest() raises R1', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'roomwatch-parts-'));
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
    const configFile = join(dataDir, 'site.yaml');
    writeFileSync(configFile, oneSensorSiteYaml({ port: await freePort(), dataDir }));
    const gateway = createGateway({ site: loadSite(configFile), clock: systemClock, logger: silentLogger, httpPort: 0, pollDevices: false });
    await gateway.start();
    cleanups.push(() => gateway.stop());
    gateway.ingest([{ pointKey: 'dist-b1-th1.temperature', deviceId: 'dist-b1-th1', point: 'temperature', roomId: 'dist-room-b1', value: 41.5, unit: '°C', quality: 'good', ts: Date.now() }]);
    const raised = await waitFor(() => gateway.alarms.open().find((a) => a.pointKey === 'dist-b1-th1.temperature' && a.condition === 'highHigh'), 'R1 raised');
    expect(raised.priority).toBe('critical');
  });
});
