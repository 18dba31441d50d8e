// `npm run bench -- alarms [--points 5000] [--consoles 50] [--rate 1000] [--seconds 10]`
// The alarm path from a reading to every console, through the real gateway: limit evaluation, the durable transition (SQLite,
// synchronous=FULL), the duty-log entry, and socket.io to N connected consoles. Reports alarms/s and
// the latency from evaluate() to each console's receipt, p50/p90/p99, CPU and RSS; checks that no alarm
// is lost or duplicated at any console. Issue 4's target: p99 < 25 ms at 1,000 alarms/s.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadSite } from '../src/config/load.ts';
import { createGateway } from '../src/gateway.ts';
import { systemClock } from '../src/core/clock.ts';
import { silentLogger } from '../src/core/logger.ts';
import type { Reading } from '../src/core/reading.ts';
import { Worker } from 'node:worker_threads';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { login } from '../test/helpers/console-client.ts';
import { cpuMeter, report, summarize } from './lib/report.ts';

export async function main(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: { points: { type: 'string', default: '5000' }, consoles: { type: 'string', default: '50' }, rate: { type: 'string', default: '1000' }, seconds: { type: 'string', default: '10' } },
  });
  const points = Number(values.points);
  const devices = Math.ceil(points / 2);
  const dir = mkdtempSync(join(tmpdir(), 'rw-bench-alarms-'));
  const deviceYaml = Array.from({ length: devices }, (_, i) => `  - { id: d${i}, room: dist, profile: xy-md02, connection: { type: tcp, host: 127.0.0.1, port: ${20000 + i} }, limits: { temperature: { onDelaySeconds: 0, high: 35, highHigh: 40 }, humidity: { high: 80, deadband: 2 } } }`).join('\n');
  const file = join(dir, 'site.yaml');
  writeFileSync(
    file,
    `site: { id: bench, name: { en: B, zh-CN: B }, demo: true }
storage: { dataDir: ${JSON.stringify(dir)} }
http: { host: 127.0.0.1, port: 0 }
alarms: { escalation: { critical: [], high: [], medium: [] } }
rooms: [{ id: dist, kind: distribution, name: { en: D, zh-CN: D } }]
devices:
${deviceYaml}
users: [{ username: duty, displayName: Duty, role: duty, password: duty }]
`,
  );
  const site = loadSite(file);
  // The real composition root, without pollers: the bench feeds readings straight into the pipeline.
  const gateway = createGateway({ site, clock: systemClock, logger: silentLogger, httpPort: 0, pollDevices: false });
  await gateway.start();
  const { bus } = gateway;
  const url = gateway.consoleUrl;
  const { cookie } = await login(url, 'duty', 'duty');

  const consoles = Number(values.consoles);
  const worker = new Worker(join(import.meta.dirname, 'lib', 'console-worker.ts'), { workerData: { url, cookie, consoles } });
  await new Promise<void>((resolve) => worker.once('message', () => resolve()));

  // Sweep: each tick pushes a batch of temperature points to 41.5 °C (2 alarms each: high and highHigh)
  // and later back to 25 °C (2 returns), paced to the target alarm rate.
  const rate = Number(values.rate);
  const seconds = Number(values.seconds);
  const tickMs = 50;
  const perTick = Math.max(1, Math.round((rate * tickMs) / 1000 / 2));
  const keys = [...site.points.keys()].filter((k) => k.endsWith('.temperature'));
  let cursor = 0;
  let hot = true;
  let transitions = 0;
  let batchStart = 0;
  /** Per alarm id, the times evaluate() began for each of its transitions, in order. */
  const sentAt = new Map<number, number[]>();
  bus.on('alarm', 'bench', (t) => {
    transitions++;
    const list = sentAt.get(t.alarm.id) ?? [];
    list.push(batchStart);
    sentAt.set(t.alarm.id, list);
  });
  const cpu = cpuMeter();
  // Stalls of the gateway's thread (a long SQLite commit, GC, a periodic task) show here, apart from the consoles'.
  const loopDelay = monitorEventLoopDelay({ resolution: 5 });
  loopDelay.enable();
  const begin = performance.now();
  const end = begin + seconds * 1000;
  for (let tick = 1; performance.now() < end; tick++) {
    const batch: Reading[] = [];
    for (let i = 0; i < perTick; i++) {
      const key = keys[cursor++ % keys.length]!;
      if (cursor % keys.length === 0) hot = !hot;
      const [deviceId, point] = key.split('.') as [string, string];
      batch.push({ pointKey: key, deviceId, point, roomId: 'dist', value: hot ? 41.5 : 25, unit: '°C', quality: 'good', ts: Date.now() });
    }
    // Latency is measured from here: before the rules run, the store commits and the sockets send.
    batchStart = performance.timeOrigin + performance.now();
    gateway.ingest(batch);
    // Ticks on a fixed schedule (not "tickMs after the last one ended"), so timer drift does not lower the rate.
    await new Promise((r) => setTimeout(r, Math.max(0, begin + tick * tickMs - performance.now())));
  }
  const sweepMs = performance.now() - begin;
  await new Promise((r) => setTimeout(r, 1000)); // the last deliveries
  const used = cpu.stop();
  worker.postMessage({ type: 'finish' });
  const result = await new Promise<{ received: number[]; stamps: [number, number, number][] }>((resolve) => worker.once('message', resolve));
  await worker.terminate();
  // Match each console's k-th receipt of an alarm id to that id's k-th transition.
  const nth = new Map<string, number>();
  const latencies: number[] = [];
  for (const [c, id, at] of result.stamps) {
    const k = `${c}:${id}`;
    const i = nth.get(k) ?? 0;
    nth.set(k, i + 1);
    const sent = sentAt.get(id)?.[i % (sentAt.get(id)?.length ?? 1)];
    if (sent !== undefined) latencies.push(at - sent);
  }
  const wrong = result.received.filter((n) => n !== transitions).length;
  report(
    `alarms: limit sweep over ${keys.length} temperature points (${points} points in the site), ${consoles} consoles in a worker`,
    {
      'transitions (raised + returned)': transitions,
      // Over the sweep: the second waited for the last deliveries is not part of the offered rate.
      'transitions/s': transitions / (sweepMs / 1000),
      'console deliveries': result.stamps.length,
      'consoles that missed or doubled an event': wrong,
      'gateway CPU share of one core (incl. store fsyncs)': used.coreShare,
      'gateway event-loop delay ms, p99 / max': `${(loopDelay.percentile(99) / 1e6).toFixed(1)} / ${(loopDelay.max / 1e6).toFixed(1)}`,
    },
    summarize(latencies),
  );
  await gateway.stop();
  rmSync(dir, { recursive: true, force: true });
}
