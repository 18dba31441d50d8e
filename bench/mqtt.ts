// `npm run bench -- mqtt [--devices 1000] [--flood 20] [--rate 1000] [--seconds 10]`
// N simulated contact devices (Shelly Plus i4 payloads, one login each) publish at QoS 1 through the embedded aedes
// into the real gateway (broker → MQTT source → decode → alarm evaluation → bus). Two phases:
//   flood: every device publishes --flood changes as fast as it can → decode-and-evaluate throughput;
//   paced: --rate messages/s spread over the devices for --seconds → latency from publish to reading (p50/p99).
// Counts every message: sent vs readings (nothing may be lost at QoS 1). The publishers run in a worker thread
// sharing a SharedArrayBuffer of publish times; CPU is the gateway's main thread only (process.threadCpuUsage).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import mqtt, { type MqttClient } from 'mqtt';
import { loadSite } from '../src/config/load.ts';
import { createGateway } from '../src/gateway.ts';
import { systemClock } from '../src/core/clock.ts';
import { silentLogger } from '../src/core/logger.ts';
import { report, rssMiB, summarize } from './lib/report.ts';
import { fleetSiteYaml, topicId } from './lib/fleet.ts';

interface Plan {
  url: string;
  devices: number;
  flood: number;
  rate: number;
  seconds: number;
  /** publish time (ms, timeOrigin-based) of message k of device d at [d * perDevice + k] */
  times: SharedArrayBuffer;
  perDevice: number;
}

const now = (): number => performance.timeOrigin + performance.now();
const opt = (args: string[], name: string, dflt: number): number => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : dflt;
};
// Message k of a device: the input alternates, starting closed (true), so every message is a change.
const payload = (k: number): string => `{"id":0,"state":${k % 2 === 0}}`;

async function publisher(plan: Plan): Promise<void> {
  const times = new Float64Array(plan.times);
  const clients: MqttClient[] = [];
  for (let d = 0; d < plan.devices; d++) {
    const c = mqtt.connect(plan.url, { clientId: `bench-${d}`, username: `dev-${d}`, password: `pw-${d}`, protocolVersion: 4, reconnectPeriod: 0 });
    clients.push(c);
    await new Promise<void>((ok, fail) => (c.once('connect', () => ok()), c.once('error', fail)));
  }
  parentPort!.postMessage({ phase: 'connected' });
  const send = (d: number, k: number): Promise<unknown> => {
    times[d * plan.perDevice + k] = now();
    return clients[d]!.publishAsync(`${topicId(d)}/status/input:0`, payload(k), { qos: 1 });
  };
  // Flood: all devices at once, each its messages back to back (QoS 1: the broker acknowledges each).
  await Promise.all(clients.map(async (_, d) => {
    for (let k = 0; k < plan.flood; k++) await send(d, k);
  }));
  parentPort!.postMessage({ phase: 'flooded' });
  await new Promise<void>((ok) => parentPort!.once('message', () => ok()));
  // Paced: round-robin over the devices at the given rate.
  const total = plan.rate * plan.seconds;
  const start = now();
  const pending: Promise<unknown>[] = [];
  for (let i = 0; i < total; i++) {
    const due = start + (i * 1000) / plan.rate;
    const wait = due - now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    const d = i % plan.devices;
    pending.push(send(d, plan.flood + Math.floor(i / plan.devices)));
  }
  await Promise.all(pending);
  await Promise.all(clients.map((c) => c.endAsync()));
  parentPort!.postMessage({ phase: 'done' });
}

export async function main(args: string[]): Promise<void> {
  const devices = opt(args, 'devices', 1000);
  const flood = opt(args, 'flood', 20);
  const rate = opt(args, 'rate', 1000);
  const seconds = opt(args, 'seconds', 10);
  const paced = rate * seconds;
  const perDevice = flood + Math.ceil(paced / devices);
  const dir = mkdtempSync(join(tmpdir(), 'roomwatch-bench-mqtt-'));
  writeFileSync(join(dir, 'site.yaml'), fleetSiteYaml(dir, devices));
  const gateway = createGateway({ site: loadSite(join(dir, 'site.yaml')), clock: systemClock, logger: silentLogger, httpPort: 0 });
  await gateway.start();

  const times = new SharedArrayBuffer(8 * devices * perDevice);
  const published = new Float64Array(times);
  const seen = new Int32Array(devices);
  const latencies: number[] = [];
  let readings = 0;
  let wrong = 0;
  let phase: 'flood' | 'paced' = 'flood';
  gateway.bus.on('readings', 'bench', (rs) => {
    const t = now();
    for (const r of rs) {
      if (r.point !== 'fireAlarm') continue;
      const d = Number(r.deviceId.slice(4));
      const k = seen[d]!++;
      readings++;
      if (r.value !== (k % 2 === 0) || r.quality !== 'good') wrong++;
      if (phase === 'paced') latencies.push(t - published[d * perDevice + k]!);
    }
  });

  const rssGateway = rssMiB();
  const worker = new Worker(new URL(import.meta.url), { workerData: { url: `mqtt://127.0.0.1:${gateway.brokerPort}`, devices, flood, rate, seconds, times, perDevice } satisfies Plan });
  const next = (): Promise<string> => new Promise((ok, fail) => (worker.once('message', (m: { phase: string }) => ok(m.phase)), worker.once('error', fail)));
  await next(); // connected
  const settle = async (expected: number): Promise<void> => {
    const deadline = Date.now() + 60_000;
    while (readings < expected && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  };

  let cpu0 = process.threadCpuUsage();
  let t0 = now();
  await next(); // flooded (all PUBACKs back)
  await settle(devices * flood);
  let cpu = process.threadCpuUsage(cpu0);
  const floodMs = now() - t0;
  const floodReadings = readings;
  report(`MQTT flood: ${devices} devices × ${flood} changes, QoS 1, embedded aedes → source → decode → evaluate`, {
    'messages sent': String(devices * flood),
    'readings': String(floodReadings),
    'lost': String(devices * flood - floodReadings),
    'wrong value or quality': String(wrong),
    'throughput msg/s': (floodReadings / floodMs) * 1000,
    'gateway main-thread CPU ms per message': (cpu.user + cpu.system) / 1000 / Math.max(1, floodReadings),
    'gateway main-thread CPU share of a core': (cpu.user + cpu.system) / 1000 / floodMs,
    'rss MiB of the started gateway, before the publishers': rssGateway,
  });

  phase = 'paced';
  cpu0 = process.threadCpuUsage();
  t0 = now();
  worker.postMessage('go');
  await next(); // done
  await settle(devices * flood + paced);
  cpu = process.threadCpuUsage(cpu0);
  const pacedMs = now() - t0;
  report(`MQTT paced: ${rate} msg/s over ${devices} devices for ${seconds} s, latency publish → reading`, {
    'messages sent': String(paced),
    'readings': String(readings - floodReadings),
    'lost': String(paced - (readings - floodReadings)),
    'wrong value or quality (both phases)': String(wrong),
    'gateway main-thread CPU share of a core': (cpu.user + cpu.system) / 1000 / pacedMs,
  }, summarize(latencies));
  console.log('(rss above includes the publisher worker with its 1 client per device)');
  await worker.terminate();
  await gateway.stop();
  rmSync(dir, { recursive: true, force: true });
}

if (!isMainThread) await publisher(workerData as Plan);
