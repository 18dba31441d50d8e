// `npm run bench -- alarm-burst [--devices 1000] [--consoles 50]`
// Issue 4's scenario: N MQTT fire contacts (Shelly Plus i4 payloads, one login each) change at once; each change
// travels broker → MQTT source → decode → alarm rules → durable transition + duty-log entry → socket.io to every
// console. Reports the latency from the burst's first publish to each console's receipt of each raised alarm
// (p50/p90/p99), the time until the last console has all of them, and checks none is lost or duplicated.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import mqtt, { type MqttClient } from 'mqtt';
import { loadSite } from '../src/config/load.ts';
import { createGateway } from '../src/gateway.ts';
import { systemClock } from '../src/core/clock.ts';
import { silentLogger } from '../src/core/logger.ts';
import { login } from '../test/helpers/console-client.ts';
import { cpuMeter, report, summarize } from './lib/report.ts';
import { fleetSiteYaml, topicId } from './lib/fleet.ts';

const now = (): number => performance.timeOrigin + performance.now();
const opt = (args: string[], name: string, dflt: number): number => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : dflt;
};

/** Worker: connects the devices, publishes the normal state, then on 'go' every device's fire alarm at once. */
async function publishers(plan: { url: string; devices: number }): Promise<void> {
  const clients: MqttClient[] = [];
  for (let d = 0; d < plan.devices; d++) {
    const c = mqtt.connect(plan.url, { clientId: `burst-${d}`, username: `dev-${d}`, password: `pw-${d}`, protocolVersion: 4, reconnectPeriod: 0 });
    await new Promise<void>((ok, fail) => (c.once('connect', () => ok()), c.once('error', fail)));
    clients.push(c);
  }
  await Promise.all(clients.map((c, d) => c.publishAsync(`${topicId(d)}/status/input:0`, '{"id":0,"state":false}', { qos: 1 })));
  parentPort!.postMessage({ phase: 'normal' });
  await new Promise<void>((ok) => parentPort!.once('message', () => ok()));
  const t0 = now();
  await Promise.all(clients.map((c, d) => c.publishAsync(`${topicId(d)}/status/input:0`, '{"id":0,"state":true}', { qos: 1 })));
  parentPort!.postMessage({ phase: 'sent', t0 });
  await Promise.all(clients.map((c) => c.endAsync()));
}

export async function main(args: string[]): Promise<void> {
  const devices = opt(args, 'devices', 1000);
  const consoles = opt(args, 'consoles', 50);
  const dir = mkdtempSync(join(tmpdir(), 'roomwatch-bench-burst-'));
  writeFileSync(join(dir, 'site.yaml'), fleetSiteYaml(dir, devices));
  const gateway = createGateway({ site: loadSite(join(dir, 'site.yaml')), clock: systemClock, logger: silentLogger, httpPort: 0 });
  await gateway.start();
  let normal = 0;
  gateway.bus.on('readings', 'bench', (rs) => {
    for (const r of rs) if (r.point === 'fireAlarm' && r.value === false) normal++;
  });

  const { cookie } = await login(gateway.consoleUrl, 'duty', 'duty');
  const consoleWorker = new Worker(join(import.meta.dirname, 'lib', 'console-worker.ts'), { workerData: { url: gateway.consoleUrl, cookie, consoles } });
  await new Promise<void>((ok) => consoleWorker.once('message', () => ok()));
  const pub = new Worker(new URL(import.meta.url), { workerData: { url: `mqtt://127.0.0.1:${gateway.brokerPort}`, devices } });
  const next = (): Promise<{ phase: string; t0?: number }> => new Promise((ok, fail) => (pub.once('message', ok), pub.once('error', fail)));
  await next(); // every device connected and reported normal
  for (let i = 0; i < 3000 && normal < devices; i++) await new Promise((r) => setTimeout(r, 20));

  const cpu = cpuMeter();
  pub.postMessage('go');
  const { t0 } = await next();
  // Wait until every console holds every raised alarm (or give up after 60 s).
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 500));
    if (gateway.alarms.open().length >= devices) break;
  }
  await new Promise((r) => setTimeout(r, 1000));
  const used = cpu.stop();
  consoleWorker.postMessage({ type: 'finish' });
  const result = await new Promise<{ received: number[]; stamps: [number, number, number][] }>((ok) => consoleWorker.once('message', ok));
  await consoleWorker.terminate();

  const perConsole = Array.from({ length: consoles }, () => new Set<number>());
  let duplicates = 0;
  const latencies: number[] = [];
  let last = 0;
  for (const [c, id, at] of result.stamps) {
    if (perConsole[c]!.has(id)) duplicates++;
    perConsole[c]!.add(id);
    latencies.push(at - t0!);
    last = Math.max(last, at - t0!);
  }
  report(
    `alarm burst: ${devices} MQTT fire contacts at once → ${consoles} consoles (broker → source → rules → store → socket.io)`,
    {
      'alarms raised (open)': gateway.alarms.open().length,
      'consoles missing any alarm': perConsole.filter((s) => s.size < devices).length,
      'duplicate deliveries': duplicates,
      'ms until the last console had all': last,
      'alarms/s (burst / time to last)': devices / (last / 1000),
      'gateway CPU share of one core': used.coreShare,
    },
    summarize(latencies),
  );
  await gateway.stop();
  rmSync(dir, { recursive: true, force: true });
}

if (!isMainThread && (workerData as { devices?: number }).devices !== undefined && parentPort) await publishers(workerData as { url: string; devices: number });
