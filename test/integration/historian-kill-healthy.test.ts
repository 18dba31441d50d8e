// What a kill -9 loses while InfluxDB keeps up (issue 17, docs/influx-schema.md "Outbox modes"): the gateway
// process (the `npm start` bundle) polls a Modbus TCP device served here, whose humidity register counts the
// reads (1, 2, 3 …), into a real influxd that is up. Points wait in the outbox's memory tier, at most
// `outboxMemoryPoints`; past that they go to disk. Killed with SIGKILL: InfluxDB then holds every reading up to
// the last one it confirmed, with no hole, and the readings missing at the tail are at most the memory tier;
// whatever had gone to disk is replayed by the next start. No timing: counts of readings only.
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as modbusSerial from 'modbus-serial';
import { afterAll, describe, expect, it } from 'vitest';
import { routes, type HistorianStatusView } from '../../src/contract/api.ts';
import { api, login } from '../helpers/console-client.ts';
import { freePort } from '../helpers/ports.ts';
import { oneSensorSiteYaml } from '../helpers/gateway.ts';
import { waitFor } from '../helpers/wait.ts';
import { spawnGateway } from '../helpers/gateway-process.ts';
import { influxdAvailable, startInfluxd, type RunningInfluxd } from '../helpers/influxd.ts';
import { influxSelect } from '../helpers/influx-query.ts';
import { realPart } from '../helpers/real-parts.ts';

// modbus-serial is CommonJS with `export default` typings (as in src/sources/modbus/link.ts).
const ServerTCP = (modbusSerial.default as unknown as { ServerTCP: typeof modbusSerial.ServerTCP }).ServerTCP;

const influxPart = realPart('influxd', influxdAvailable(), 'apt-get install influxdb');
const dataDir = mkdtempSync(join(tmpdir(), 'rw-hist-kill-ok-'));
const configFile = join(dataDir, 'site.yaml');
/** Smaller than what one flush interval brings (10 points/s × 5 s), so the bound, not the interval, is tested. */
const MEMORY_POINTS = 20;
let child: ChildProcess | undefined;
let influxd: RunningInfluxd | undefined;
let device: InstanceType<typeof ServerTCP> | undefined;

afterAll(async () => {
  child?.kill('SIGKILL');
  await new Promise<void>((resolve) => (device ? device.close(() => resolve()) : resolve()));
  await influxd?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe.skipIf(influxPart.skip)('historian memory tier across kill -9 while InfluxDB is up (real gateway process, real influxd)', () => {
  it(`loses at most outboxMemoryPoints (${MEMORY_POINTS}) readings, all at the tail; the disk tier is replayed`, { timeout: 180_000 }, async () => {
    influxd = await startInfluxd();
    // The device: temperature 25.0 °C (no alarm), humidity = the number of reads served, ×0.1.
    let reads = 0;
    const modbusPort = await freePort();
    device = new ServerTCP(
      {
        getMultipleInputRegisters: (addr: number, length: number) => {
          reads++;
          return Array.from({ length }, (_, i) => (addr + i === 2 ? reads : 250));
        },
      },
      { host: '127.0.0.1', port: modbusPort, unitID: 1 },
    );
    const httpPort = await freePort();
    const extra = `historian:\n  influx: { url: ${influxd.url}, database: rw_kill_ok, flushIntervalMs: 5000, outboxMemoryPoints: ${MEMORY_POINTS} }\n`;
    writeFileSync(configFile, oneSensorSiteYaml({ port: modbusPort, pollIntervalMs: 200, simulate: false, dataDir, extra }).replace('port: 0 }', `port: ${httpPort} }`));

    const p = await spawnGateway(configFile, httpPort);
    child = p.child;
    const { cookie } = await login(p.url, 'duty', 'duty');
    // Healthy, with points written and points waiting in memory: the mode a kill -9 is to be measured in.
    await waitFor(async () => {
      const s = (await api<HistorianStatusView>(p.url, cookie, routes.historianStatus)).body;
      return s.state === 'ok' && s.written >= 60 && s.outboxInMemory > 0 ? s : null;
    }, 'a healthy historian with points in memory', 60_000);

    child.kill('SIGKILL');
    await new Promise((resolve) => child!.once('exit', resolve));
    const served = reads; // the device answered this many reads; the gateway got at most these

    // The next start replays the disk tier (points that went past the memory bound before the kill).
    const again = await spawnGateway(configFile, httpPort);
    child = again.child;
    const second = await login(again.url, 'duty', 'duty');
    await waitFor(async () => {
      const s = (await api<HistorianStatusView>(again.url, second.cookie, routes.historianStatus)).body;
      return s.state === 'ok' && s.outboxPoints - s.outboxInMemory === 0 && s.written > 0 ? s : null;
    }, 'the replay of the disk tier', 60_000);

    const rows = await influxSelect(influxd.url, 'rw_kill_ok', `SELECT "value" FROM raw.reading WHERE "point" = 'humidity' AND "value" > 0`);
    const counts = [...new Set(rows.map((r) => Math.round(Number(r.value) * 10)))].filter((n) => n <= served).sort((a, b) => a - b);
    const last = counts.at(-1)!;
    // Every reading up to the last one InfluxDB holds from the first run is there: nothing lost in the middle.
    expect(counts).toEqual(Array.from({ length: last }, (_, i) => i + 1));
    // What is missing is the tail: two points a read (temperature, humidity); the last reply may not have
    // reached the gateway before the kill, hence one read more than the memory tier holds.
    expect(served).toBeGreaterThanOrEqual(last);
    expect(2 * (served - last)).toBeLessThanOrEqual(MEMORY_POINTS + 2);

    child.kill('SIGTERM');
    expect(await new Promise((resolve) => child!.once('exit', resolve))).toBe(0);
  });
});
