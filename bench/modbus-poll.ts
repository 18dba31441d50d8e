// `npm run bench -- modbus-poll [--devices 500] [--registers 20] [--seconds 15] [--interval 1000] [--rounds 3] [--no-alarms] [--no-gateway] [--gateway-seconds 120]`
// N simulated Modbus TCP devices × M registers polled at a 1 s cycle (issue 3): a bare modbus-serial request
// loop (the floor) and Roomwatch's poller with decoding, quality and alarm evaluation on a real store, side by
// side in rounds; then the whole gateway as `npm start` runs it. Prints reads/s, share of late cycles,
// cycle-time percentiles, CPU per point (and the median ratio to the bare loop), RSS; and the latency of
// sequential requests on loopback (a Nagle / delayed-ACK check). The devices run in a child process
// (bench/lib/modbus-farm.ts) so only the gateway's CPU is measured.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import * as modbusSerial from 'modbus-serial';
import { createAlarmService } from '../src/alarms/alarm-service.ts';
import { createPlaybooks } from '../src/playbooks/playbooks.ts';
import { parseSite, projectRoot } from '../src/config/load.ts';
import { createBus } from '../src/core/bus.ts';
import { systemClock } from '../src/core/clock.ts';
import { silentLogger } from '../src/core/logger.ts';
import { createDutyLog } from '../src/sinks/duty-log/duty-log.ts';
import { createModbusSource } from '../src/sources/modbus/source.ts';
import { openStore } from '../src/store/store.ts';
import { benchProfile } from './lib/bench-profile.ts';
import { buildServer, startCommand } from '../scripts/build-server.ts';
import { cpuMeter, report, rssMiB, summarize } from './lib/report.ts';

// modbus-serial is CommonJS; see src/sources/modbus/link.ts for why the class is the namespace's default.
const ModbusRTU = modbusSerial.default as unknown as typeof modbusSerial.default.default;

function option(args: string[], name: string, fallback: number): number {
  const i = args.indexOf(`--${name}`);
  const v = i >= 0 ? Number(args[i + 1]) : fallback;
  if (!Number.isFinite(v) || v <= 0) throw new Error(`--${name} needs a positive number`);
  return v;
}

export async function startFarm(mode: 'tcp' | 'rtu', count: number, registers: number) {
  // The farm is not what is measured: it runs with Node's default heap settings whatever NODE_OPTIONS says.
  const env = { ...process.env };
  delete env['NODE_OPTIONS'];
  const child = spawn(process.execPath, [join(import.meta.dirname, 'lib/modbus-farm.ts'), mode, String(count), String(registers)], { stdio: ['pipe', 'pipe', 'inherit'], env });
  const [line] = (await once(createInterface({ input: child.stdout! }), 'line')) as [string];
  const { ports } = JSON.parse(line) as { ports: number[] };
  return { ports, pid: child.pid!, send: (cmd: string) => child.stdin!.write(cmd + '\n'), stop: () => child.kill('SIGTERM') };
}

async function bareLoop(ports: number[], registers: number, intervalMs: number, seconds: number) {
  const clients = await Promise.all(
    ports.map(async (port) => {
      const c = new ModbusRTU();
      await c.connectTCP('127.0.0.1', { port });
      c.setID(1);
      c.setTimeout(1000);
      return c;
    }),
  );
  // Sequential request latency on one connection: ~0.1 ms here when TCP_NODELAY is set on both ends.
  const latencies: number[] = [];
  for (let i = 0; i < 2000; i++) {
    const t = performance.now();
    await clients[0]!.readHoldingRegisters(0, registers);
    latencies.push(performance.now() - t);
  }
  let reads = 0;
  let stop = false;
  const loops = clients.map(async (c, i) => {
    await sleep((i * intervalMs) / clients.length); // spread the devices over the cycle
    while (!stop) {
      const t = performance.now();
      await c.readHoldingRegisters(0, registers).then(() => reads++, () => {});
      await sleep(Math.max(0, t + intervalMs - performance.now()));
    }
  });
  await sleep(2000);
  reads = 0;
  const meter = cpuMeter();
  await sleep(seconds * 1000);
  const cpu = meter.stop();
  const measured = reads;
  stop = true;
  await Promise.all(loops);
  for (const c of clients) c.destroy(() => {});
  return { cpu, reads: measured, latency: summarize(latencies), rss: rssMiB() };
}

async function roomwatch(ports: number[], registers: number, intervalMs: number, seconds: number, evaluateAlarms: boolean) {
  const profile = benchProfile(registers);
  const devices = ports
    .map((port, i) => `  - { id: d${i}, room: dist, profile: bench-sensor, pollIntervalMs: ${intervalMs}, connection: { type: tcp, host: 127.0.0.1, port: ${port}, timeoutMs: 1000 } }`)
    .join('\n');
  // A distribution room: every temperature point gets R1's limits, so every reading is evaluated.
  const site = parseSite('bench.yaml', `
site: { id: bench, name: { en: Bench, zh-CN: 基准 }, demo: true }
rooms: [{ id: dist, kind: distribution, name: { en: Dist, zh-CN: 配电房 } }]
devices:
${devices}
users: [{ username: duty, displayName: Duty, role: duty, password: duty }]
`, new Map([[profile.id, profile]]));
  const dir = mkdtempSync(join(tmpdir(), 'rw-bench-'));
  const store = openStore(dir, silentLogger);
  const bus = createBus(silentLogger);
  const dutyLog = createDutyLog(store);
  const playbooks = createPlaybooks({ store, dutyLog, clock: systemClock, roomIds: new Set(site.config.rooms.map((r) => r.id)) });
  const alarms = createAlarmService({ store, site, dutyLog, bus, clock: systemClock, logger: silentLogger, latest: () => undefined, onDuty: () => [], playbooks });
  alarms.start();
  let measuring = false;
  let points = 0;
  let good = 0;
  const cycles: number[] = [];
  let late = 0;
  const source = createModbusSource({
    devices: site.modbusDevices,
    clock: systemClock,
    logger: silentLogger,
    emit: (readings) => {
      if (evaluateAlarms) alarms.evaluate(readings);
      if (!measuring) return;
      points += readings.length;
      for (const r of readings) if (r.quality === 'good') good++;
    },
    onCycle: ({ durationMs, lagMs }) => {
      if (!measuring) return;
      cycles.push(durationMs);
      if (lagMs > intervalMs * 0.1 || durationMs > intervalMs) late++;
    },
  });
  const rss0 = rssMiB();
  await source.start();
  await sleep(3000);
  measuring = true;
  const meter = cpuMeter();
  await sleep(seconds * 1000);
  const cpu = meter.stop();
  measuring = false;
  const rss = rssMiB();
  await source.stop();
  store.close();
  rmSync(dir, { recursive: true, force: true });
  return { cpu, points, good, late, cycles: summarize(cycles), rss, rss0 };
}

/**
 * How the phases are started: as `npm start` starts the gateway (package.json `config`), or with
 * `ROOMWATCH_BENCH_NODE_FLAGS` / `ROOMWATCH_BENCH_ENV` to try other settings without editing package.json.
 */
export function started(): { env: NodeJS.ProcessEnv; nodeFlags: string[]; entry: string; described: string } {
  const start = startCommand();
  const words = (s: string): string[] => s.split(/\s+/).filter(Boolean);
  const flagsOverride = process.env['ROOMWATCH_BENCH_NODE_FLAGS'];
  const envOverride = process.env['ROOMWATCH_BENCH_ENV'];
  const env = envOverride === undefined ? start.env : Object.fromEntries(words(envOverride).map((w) => w.split('=', 2) as [string, string]));
  const nodeFlags = flagsOverride === undefined ? start.args.slice(0, -1) : words(flagsOverride);
  const described = [...Object.entries(env).map(([k, v]) => `${k}=${v}`), 'node', ...nodeFlags].join(' ');
  return { env: { ...process.env, ...env }, nodeFlags, entry: start.args.at(-1)!, described };
}

/** CPU seconds (user + system) a process has used so far, from /proc (Linux). */
export function processCpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // utime, stime in clock ticks (USER_HZ = 100)
}
/** A process's CPU time over the next `seconds`, and its highest RSS sampled every second meanwhile. */
export async function watchProcess(pid: number, seconds: number): Promise<{ cpuMs: number; rssMax: number }> {
  const cpu0 = processCpuMs(pid);
  let rssMax = 0;
  for (let t = 0; t < seconds; t++) {
    await sleep(1000);
    rssMax = Math.max(rssMax, processRssMiB(pid));
  }
  return { cpuMs: processCpuMs(pid) - cpu0, rssMax };
}
export function processRssMiB(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : Number.NaN;
}

/**
 * The whole gateway as `npm start` runs it (console server, alarm service, duty log, local history store), with
 * `ports.length` R4DCB08 8-channel collectors (devices/r4dcb08.yaml) in a distribution room, one per farm device:
 * its RSS and CPU seen from outside over `seconds` after a 5 s warm-up (default 2 minutes: its RSS settles after
 * a minute or two, as the hour's rollup buckets fill and the old generation finds its size).
 */
async function wholeGateway(ports: number[], intervalMs: number, seconds: number) {
  const dir = mkdtempSync(join(tmpdir(), 'rw-bench-gw-'));
  const devices = ports
    .map((port, i) => `  - { id: d${i}, room: dist, profile: r4dcb08, pollIntervalMs: ${intervalMs}, connection: { type: tcp, host: 127.0.0.1, port: ${port}, timeoutMs: 1000 } }`)
    .join('\n');
  const configFile = join(dir, 'site.yaml');
  writeFileSync(configFile, `
site: { id: bench, name: { en: Bench, zh-CN: 基准 }, demo: true }
storage: { dataDir: ${join(dir, 'data')} }
http: { host: 127.0.0.1, port: 0 }
rooms: [{ id: dist, kind: distribution, name: { en: Dist, zh-CN: 配电房 } }]
devices:
${devices}
users: [{ username: duty, displayName: Duty, role: duty, password: duty }]
`);
  await buildServer();
  const how = started();
  const child = spawn(process.execPath, [...how.nodeFlags, how.entry, '--config', configFile], { cwd: projectRoot, env: { ...how.env, ROOMWATCH_LOG_LEVEL: 'warn', ROOMWATCH_LANG: 'en' }, stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    await once(createInterface({ input: child.stdout! }), 'line'); // the console URL: started
    await sleep(5000);
    const { cpuMs, rssMax } = await watchProcess(child.pid!, seconds);
    return { cpuMs, points: (ports.length * 8 * seconds * 1000) / intervalMs, rssMax, rss: processRssMiB(child.pid!) };
  } finally {
    child.kill('SIGTERM');
    await once(child, 'exit');
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Runs one phase in a fresh process, so each one's CPU and RSS are its own (no JIT or heap shared). */
async function phase<T>(name: 'bare' | 'roomwatch', args: string[], ports: number[]): Promise<T> {
  // Both phases run with the gateway's start flags: the same heap settings for the floor and for us.
  const how = started();
  const child = spawn(process.execPath, [...how.nodeFlags, join(import.meta.dirname, 'run.ts'), 'modbus-poll', ...args, '--phase', name, '--ports', ports.join(',')], { stdio: ['ignore', 'pipe', 'inherit'], env: how.env });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  const [code] = (await once(child, 'exit')) as [number];
  const line = out.split('\n').find((l) => l.startsWith('{"result"'));
  if (code !== 0 || !line) throw new Error(`bench phase ${name} failed (exit ${code}): ${out}`);
  return (JSON.parse(line) as { result: T }).result;
}

export async function main(args: string[]): Promise<void> {
  const n = option(args, 'devices', 500);
  const m = option(args, 'registers', 20);
  const seconds = option(args, 'seconds', 15);
  const intervalMs = option(args, 'interval', 1000);
  const which = args[args.indexOf('--phase') + 1];
  if (args.includes('--phase')) {
    const ports = args[args.indexOf('--ports') + 1]!.split(',').map(Number);
    const result = which === 'bare' ? await bareLoop(ports, m, intervalMs, seconds) : await roomwatch(ports, m, intervalMs, seconds, !args.includes('--no-alarms'));
    console.log(JSON.stringify({ result }));
    return;
  }
  const rounds = option(args, 'rounds', 3);
  const farm = await startFarm('tcp', n, m);
  try {
    // Each round runs the bare loop and Roomwatch, each in a fresh process; the median ratio of the rounds is the figure.
    const ratios: number[] = [];
    for (let round = 1; round <= rounds; round++) {
      // Side by side, in two processes: both see the same machine at the same moments (the VM's speed drifts by
      // a third between minutes), and each is a few % of a core, so they hardly disturb each other.
      const [bare, rw] = await Promise.all([
        phase<Awaited<ReturnType<typeof bareLoop>>>('bare', args, farm.ports),
        phase<Awaited<ReturnType<typeof roomwatch>>>('roomwatch', args, farm.ports),
      ]);
      const bareMsPerPoint = bare.cpu.cpuMs / (bare.reads * m);
      report(`round ${round}/${rounds}: bare modbus-serial loop, ${n} devices × ${m} registers every ${intervalMs} ms`, {
        'reads/s': bare.reads / seconds,
        'CPU ms per point': bareMsPerPoint.toFixed(5),
        'CPU share of one core': bare.cpu.coreShare,
        'RSS MiB at the end of the run': bare.rss,
      }, bare.latency);
      console.log('(latency above: 2000 sequential requests on one loopback connection)');

      const rwMsPerPoint = rw.cpu.cpuMs / rw.points;
      report(`round ${round}/${rounds}: Roomwatch poller (decode, quality${args.includes('--no-alarms') ? '' : ', R1 alarm evaluation'}), ${n} devices × ${m} registers every ${intervalMs} ms`, {
        'reads/s (requests)': rw.cycles.count / seconds,
        'points/s': rw.points / seconds,
        'good share %': (100 * rw.good) / Math.max(1, rw.points),
        'late cycles %': (100 * rw.late) / Math.max(1, rw.cycles.count),
        'CPU ms per point': rwMsPerPoint.toFixed(5),
        'CPU share of one core': rw.cpu.coreShare,
        'RSS MiB before the pollers started': rw.rss0,
        'RSS MiB at the end of the run': rw.rss,
      }, rw.cycles);
      console.log('(latency above: cycle time per device, ms; the "rss MiB" line is the parent process)');
      ratios.push(rwMsPerPoint / bareMsPerPoint);
      console.log(`round ${round}: CPU per point, Roomwatch vs bare loop ${ratios.at(-1)!.toFixed(2)}×`);
    }
    const sorted = [...ratios].sort((a, b) => a - b);
    console.log(`\nCPU per point, Roomwatch vs bare loop: median ${sorted[Math.floor(sorted.length / 2)]!.toFixed(2)}× over ${rounds} rounds (${ratios.map((r) => r.toFixed(2)).join(', ')})`);

    if (!args.includes('--no-gateway')) {
      const gatewaySeconds = option(args, 'gateway-seconds', 120);
      const gw = await wholeGateway(farm.ports, intervalMs, gatewaySeconds);
      report(`the whole gateway as npm start runs it (${started().described} dist/roomwatch.mjs): ${n} R4DCB08 collectors × 8 points every ${intervalMs} ms, local history store, for ${gatewaySeconds} s`, {
        'points/s': gw.points / gatewaySeconds,
        'CPU ms per point (everything: poll, alarms, history store, console server)': (gw.cpuMs / gw.points).toFixed(5),
        'RSS MiB, highest during the run': gw.rssMax,
        'RSS MiB at the end of the run': gw.rss,
      });
    }
  } finally {
    farm.stop();
  }
}
