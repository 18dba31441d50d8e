// `npm run bench -- pipeline [--devices 200] [--registers 10] [--interval 1000] [--seconds 60] [--memory-points N] [--cpu-prof DIR] [--farm-processes 1] [--flush-ms N]`
// The whole pipeline of issue 17: N simulated Modbus TCP devices × M holding registers (one listener per device,
// bench/lib/modbus-farm.ts, its own process) polled by a Roomwatch gateway with everything on (R1 alarm
// evaluation, duty log, console server, rollups, the historian's outbox) into one real influxd started here.
// The gateway runs in its own process with the start flags of `npm start`; its CPU and RSS are read from /proc
// over the measured window. Prints points/s offered, CPU per point, cores used, late cycles, RSS and the points
// of the window that landed in InfluxDB. `--memory-points 0` runs the outbox as in issue 6 (every point on
// disk first), for comparison; `--cpu-prof DIR` writes a V8 CPU profile of the gateway (node --cpu-prof).
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseSite } from '../src/config/load.ts';
import { systemClock } from '../src/core/clock.ts';
import { silentLogger } from '../src/core/logger.ts';
import { createGateway } from '../src/gateway.ts';
import { startInfluxd } from '../test/helpers/influxd.ts';
import { benchProfile } from './lib/bench-profile.ts';
import { numberArg } from './lib/historian-bench.ts';
import { processCpuMs, startFarm, started, watchProcess } from './modbus-poll.ts';
import { report } from './lib/report.ts';

export const DATABASE = 'bench_pipeline';

/** The gateway's side, in the child process: started, then counts cycles between `start` and `stop` on stdin. */
async function gatewayPhase(): Promise<void> {
  const ports = process.argv[process.argv.indexOf('--ports') + 1]!.split(',').map(Number);
  const influxUrl = process.argv[process.argv.indexOf('--influx') + 1]!;
  const registers = numberArg('registers', 10);
  const intervalMs = numberArg('interval', 1000);
  const memoryPoints = numberArg('memory-points', -1);
  const flushMs = numberArg('flush-ms', -1);
  const profile = benchProfile(registers);
  const dataDir = mkdtempSync(join(tmpdir(), 'rw-bench-pipe-'));
  const devices = ports
    .map((port, i) => `  - { id: d${i}, room: dist, profile: bench-sensor, pollIntervalMs: ${intervalMs}, connection: { type: tcp, host: 127.0.0.1, port: ${port}, timeoutMs: 1000 } }`)
    .join('\n');
  // A distribution room: every point is a temperature with R1's limits, so every reading is evaluated.
  const site = parseSite('bench.yaml', `
site: { id: bench, name: { en: Bench, zh-CN: 基准 }, demo: true }
storage: { dataDir: ${JSON.stringify(dataDir)} }
http: { host: 127.0.0.1, port: 0 }
rooms: [{ id: dist, kind: distribution, name: { en: Dist, zh-CN: 配电房 } }]
devices:
${devices}
users: [{ username: duty, displayName: Duty, role: duty, password: duty }]
historian:
  influx: { url: ${influxUrl}, database: ${DATABASE}${memoryPoints >= 0 ? `, outboxMemoryPoints: ${memoryPoints}` : ''}${flushMs > 0 ? `, flushIntervalMs: ${flushMs}` : ''} }
`, new Map([[profile.id, profile]]));
  let measuring = false;
  let cycles = 0;
  let late = 0;
  let lateStart = 0; // of the late ones: started late (the rest took longer than the interval)
  // Why cycles are late: the event loop busy (long tasks show as delay here) or the schedule.
  const loopDelay = monitorEventLoopDelay({ resolution: 10 });
  // Garbage-collection pauses of the main thread in the window: the other cause of a busy loop.
  const gc = { count: 0, totalMs: 0, maxMs: 0 };
  new PerformanceObserver((list) => {
    if (!measuring) return;
    for (const e of list.getEntries()) {
      gc.count++;
      gc.totalMs += e.duration;
      gc.maxMs = Math.max(gc.maxMs, e.duration);
    }
  }).observe({ entryTypes: ['gc'] });
  const gateway = createGateway({
    site, clock: systemClock, logger: silentLogger, httpPort: 0,
    onCycle: ({ durationMs, lagMs }) => {
      if (!measuring) return;
      cycles++;
      // As the poll benchmark counts it: started more than 10 % of the interval late, or longer than the interval.
      if (lagMs > intervalMs * 0.1 || durationMs > intervalMs) late++;
      if (lagMs > intervalMs * 0.1) lateStart++;
    },
  });
  await gateway.start();
  console.log('ready');
  for await (const line of createInterface({ input: process.stdin })) {
    if (line === 'start') {
      measuring = true;
      cycles = late = lateStart = 0;
      Object.assign(gc, { count: 0, totalMs: 0, maxMs: 0 });
      loopDelay.reset();
      loopDelay.enable();
    } else if (line === 'stop') {
      measuring = false;
      loopDelay.disable();
      const ms = (ns: number): number => Math.round(ns / 1e4) / 100;
      console.log(JSON.stringify({ cycles, late, lateStart, loopDelayP99Ms: ms(loopDelay.percentile(99)), loopDelayMaxMs: ms(loopDelay.max), gc }));
    } else if (line === 'quit') break;
  }
  await gateway.stop();
  rmSync(dataDir, { recursive: true, force: true });
  // stdin and the farm's sockets may still hold the loop open; exiting here also writes a --cpu-prof profile.
  process.exit(0);
}

/** Points of `measurement` (default retention policy unless `rp`) with a time in [from, to), in `database`. */
export async function countLanded(url: string, database: string, from: number, to: number, measurement = '"raw"."reading"'): Promise<number> {
  const q = `SELECT count("value") FROM ${measurement} WHERE time >= ${from}ms AND time < ${to}ms`;
  const res = await fetch(`${url}/query?db=${database}&q=${encodeURIComponent(q)}`);
  const body = (await res.json()) as { results: { series?: { values: [string, number][] }[] }[] };
  return body.results[0]?.series?.[0]?.values[0]?.[1] ?? 0;
}

/** Waits until the count of a window stops growing (a backlog drains meanwhile), at most 30 s. */
export async function settledCount(count: () => Promise<number>): Promise<number> {
  let landed = 0;
  for (let i = 0; i < 30; i++) {
    await sleep(1000);
    const n = await count();
    if (n === landed && n > 0) break;
    landed = n;
  }
  return landed;
}

/** What the gateway phase counts over the measured window. */
interface WindowStats {
  cycles: number;
  late: number;
  lateStart: number;
  loopDelayP99Ms: number;
  loopDelayMaxMs: number;
  gc: { count: number; totalMs: number; maxMs: number };
}

/** The gateway in its own process (the phase above), with `npm start`'s flags; `start`/`stop` bracket the
 *  measured window and `stop` answers the cycles polled in it and how many were late. */
export async function spawnGateway(o: { ports: number[]; influxUrl: string; args: string[]; profDir?: string | null }) {
  const start = started(); // npm start's flags, or ROOMWATCH_BENCH_NODE_FLAGS / ROOMWATCH_BENCH_ENV
  const nodeFlags = [...start.nodeFlags, ...(o.profDir ? ['--cpu-prof', `--cpu-prof-dir=${o.profDir}`] : [])];
  const child = spawn(process.execPath, [...nodeFlags, join(import.meta.dirname, 'run.ts'), 'pipeline', ...o.args, '--phase', 'gateway', '--ports', o.ports.join(','), '--influx', o.influxUrl], {
    stdio: ['pipe', 'pipe', 'inherit'],
    env: start.env,
  });
  const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
  if ((await lines.next()).value !== 'ready') throw new Error('gateway phase did not start');
  return {
    pid: child.pid!,
    start: () => void child.stdin!.write('start\n'),
    async stop(): Promise<WindowStats> {
      child.stdin!.write('stop\n');
      return JSON.parse((await lines.next()).value as string) as WindowStats;
    },
    async quit(): Promise<void> {
      if (child.exitCode !== null) return;
      child.stdin!.write('quit\n');
      await once(child, 'exit');
    },
  };
}

/** The simulated devices split over `processes` farm processes (one thread each), so the farm is not the limit
 *  at high rates; the ports in device order. */
export async function startFarms(devices: number, registers: number, processes: number) {
  const sizes = Array.from({ length: processes }, (_, i) => Math.floor(devices / processes) + (i < devices % processes ? 1 : 0)).filter((n) => n > 0);
  const farms = await Promise.all(sizes.map((n) => startFarm('tcp', n, registers)));
  return {
    ports: farms.flatMap((f) => f.ports),
    cpuMs: () => farms.reduce((sum, f) => sum + processCpuMs(f.pid), 0),
    stop: () => farms.forEach((f) => f.stop()),
  };
}

export async function main(args: string[]): Promise<void> {
  if (args.includes('--phase')) return gatewayPhase();
  const devices = numberArg('devices', 200);
  const registers = numberArg('registers', 10);
  const intervalMs = numberArg('interval', 1000);
  const seconds = numberArg('seconds', 60);
  const profDir = args.includes('--cpu-prof') ? args[args.indexOf('--cpu-prof') + 1]! : null;
  const influxd = await startInfluxd();
  const farm = await startFarms(devices, registers, numberArg('farm-processes', 1));
  let gateway: Awaited<ReturnType<typeof spawnGateway>> | null = null;
  try {
    gateway = await spawnGateway({ ports: farm.ports, influxUrl: influxd.url, args, profDir });
    await sleep(10_000); // warm-up: connections, JIT, the first rollups
    gateway.start();
    const t0 = Date.now();
    const farmCpu0 = farm.cpuMs();
    const influxPid = influxd.pid();
    const influxCpu0 = influxPid === null ? 0 : processCpuMs(influxPid);
    const { cpuMs, rssMax } = await watchProcess(gateway.pid, seconds);
    const farmCores = (farm.cpuMs() - farmCpu0) / (Date.now() - t0);
    const influxCores = influxPid === null ? 0 : (processCpuMs(influxPid) - influxCpu0) / (Date.now() - t0);
    const t1 = Date.now();
    const { cycles, late, lateStart, loopDelayP99Ms, loopDelayMaxMs, gc } = await gateway.stop();
    // Readings of the window still on their way are given up to 30 s to land (a backlog drains meanwhile).
    const offered = (devices * registers * (t1 - t0)) / intervalMs;
    const landed = await settledCount(() => countLanded(influxd.url, DATABASE, t0, t1));
    const points = cycles * registers;
    report(`pipeline: ${devices} devices × ${registers} registers every ${intervalMs} ms, alarms, duty log, console, rollups, outbox${numberArg('memory-points', -1) === 0 ? ' (every point on disk, issue-6 mode)' : ''} → influxd, ${seconds} s`, {
      'points/s offered (devices × registers / interval)': (devices * registers * 1000) / intervalMs,
      'points/s polled': (points * 1000) / (t1 - t0),
      'late cycles %': (100 * late) / Math.max(1, cycles),
      'of them started late (the rest lasted longer than the interval) %': (100 * lateStart) / Math.max(1, late),
      // Delay of the gateway's event loop (10 ms resolution): long tasks, not the schedule, make cycles late.
      'event-loop delay p99 / max ms': `${loopDelayP99Ms} / ${loopDelayMaxMs}`,
      'GC pauses of the main thread: count, share of the window %, longest ms': `${gc.count}, ${((100 * gc.totalMs) / (t1 - t0)).toFixed(1)}, ${gc.maxMs.toFixed(1)}`,
      'CPU µs per point polled': ((cpuMs * 1000) / Math.max(1, points)).toFixed(1),
      'cores used (gateway process)': (cpuMs / (t1 - t0)).toFixed(3),
      'RSS MiB, highest': rssMax,
      // The simulated devices share the machine: a farm near 1.0 core (one thread) is the limit, not the gateway.
      'cores used (farm process, not the gateway)': farmCores.toFixed(3),
      'cores used (influxd, not the gateway)': influxCores.toFixed(3),
      'load average (1 min) at the end': readFileSync('/proc/loadavg', 'utf8').split(' ')[0]!,
      'landed in InfluxDB, % of polled in the window': ((100 * landed) / Math.max(1, points)).toFixed(2),
      'landed in InfluxDB, % of offered': ((100 * landed) / offered).toFixed(2),
    });
  } finally {
    await gateway?.quit();
    farm.stop();
    await influxd.stop();
  }
}
