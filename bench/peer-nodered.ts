// `npm run bench -- peer-nodered [--devices 200] [--registers 10] [--interval 1000] [--seconds 60] [--warmup 15]`
// Issue 17's same-load comparison: Node-RED 4.1 + node-red-contrib-modbus 5.23.3 + node-red-contrib-influxdb 0.7
// and Roomwatch, AT THE SAME TIME, each polling its own identical simulated farm (N devices × M holding registers,
// one modbus-serial ServerTCP per device, bench/lib/modbus-farm.ts) into one real influxd started here.
// Node-RED is installed on demand into a cache folder (never a project dependency: $ROOMWATCH_BENCH_CACHE, else
// ~/.cache/roomwatch-bench) and runs headless: no editor, no admin API, no HTTP server (httpAdminRoot and
// httpNodeRoot false), with a generated flow: N modbus-read nodes → one function node making M points → one
// "influxdb batch" node. Roomwatch runs as the pipeline bench runs it (everything on: R1 evaluation of every
// reading, duty log, console server, rollups, outbox). Both on the Node the project ships (node_modules/.bin/node).
// Per side: CPU per point (utime + stime from /proc/<pid>/stat over the window), RSS peak and mean (sampled every
// second), points landed in InfluxDB per measurement in the window.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { startInfluxd } from '../test/helpers/influxd.ts';
import { numberArg } from './lib/historian-bench.ts';
import { report } from './lib/report.ts';
import { processCpuMs, processRssMiB, startFarm } from './modbus-poll.ts';
import { countLanded, DATABASE, settledCount, spawnGateway } from './pipeline.ts';

/** What is compared; contrib-modbus later than 5.23.3 depends on a tarball outside the npm registry (issue 17). */
const PEER = { 'node-red': '4.1', 'node-red-contrib-modbus': '5.23.3', 'node-red-contrib-influxdb': '0.7' } as const;
const PEER_DATABASE = 'bench_nodered';
const PEER_MEASUREMENT = 'nodered_reading';
const root = join(import.meta.dirname, '..');
/** The Node the project ships (devDependency `node`), for both sides. */
const shippedNode = join(root, 'node_modules', '.bin', 'node');

const installedVersion = (dir: string, pkg: string): string | null => {
  try {
    return (JSON.parse(readFileSync(join(dir, 'node_modules', pkg, 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return null;
  }
};

/** The peer's folder, installed with npm on first use (or when a version does not match). */
function ensurePeer(): string {
  const dir = join(process.env.ROOMWATCH_BENCH_CACHE ?? join(homedir(), '.cache', 'roomwatch-bench'), 'nodered');
  const fits = (): boolean => Object.entries(PEER).every(([pkg, v]) => installedVersion(dir, pkg)?.startsWith(v) ?? false);
  if (fits()) return dir;
  mkdirSync(dir, { recursive: true });
  if (!existsSync(join(dir, 'package.json'))) writeFileSync(join(dir, 'package.json'), '{"name":"roomwatch-bench-nodered","private":true}\n');
  const specs = Object.entries(PEER).map(([pkg, v]) => `${pkg}@${v.split('.').length < 3 ? `~${v}.0` : v}`);
  console.log(`installing ${specs.join(' ')} into ${dir} (once)`);
  // npm from `npm run` (npm_execpath), else the npm on PATH; install scripts stay off (none is needed to run).
  const npm = process.env.npm_execpath;
  const [cmd, pre] = npm ? [process.execPath, [npm]] : ['npm', []];
  const r = spawnSync(cmd, [...pre, 'install', '--no-audit', '--no-fund', '--omit=dev', '--ignore-scripts', ...specs], { cwd: dir, stdio: 'inherit' });
  if (r.status !== 0 || !fits()) throw new Error(`could not install ${specs.join(' ')} into ${dir}`);
  return dir;
}

/** The generated flow: per device a modbus-client (own TCP connection) and a modbus-read of all registers at
 *  the interval, all wired to one function node that makes one point per register, into one influxdb batch node. */
function peerFlow(ports: number[], registers: number, intervalMs: number, influxPort: number): object[] {
  const fn = 'fn-points';
  const nodes: object[] = [
    { id: 'tab', type: 'tab', label: 'bench' },
    { id: 'influx-cfg', type: 'influxdb', hostname: '127.0.0.1', port: String(influxPort), protocol: 'http', database: PEER_DATABASE, name: '', usetls: false, influxdbVersion: '1.x' },
    {
      id: fn, type: 'function', z: 'tab', name: 'points', outputs: 1, wires: [['influx-batch']],
      // As a Node-RED user writes it: int16 ×0.1 °C, tagged like Roomwatch's `reading` (docs/influx-schema.md).
      func: `const t = new Date();
const points = new Array(msg.payload.length);
for (let i = 0; i < msg.payload.length; i++) {
  const raw = msg.payload[i];
  points[i] = { measurement: '${PEER_MEASUREMENT}', tags: { site: 'bench', room: 'dist', device: msg.topic, point: 't' + i }, fields: { value: (raw >= 32768 ? raw - 65536 : raw) / 10, quality: 'good' }, timestamp: t };
}
msg.payload = points;
return msg;`,
    },
    { id: 'influx-batch', type: 'influxdb batch', z: 'tab', influxdb: 'influx-cfg', precision: 'ms', retentionPolicy: '', name: '', wires: [] },
  ];
  ports.forEach((port, i) => {
    nodes.push({
      id: `client-${i}`, type: 'modbus-client', name: `d${i}`, clienttype: 'tcp', bufferCommands: true, stateLogEnabled: false, queueLogEnabled: false,
      failureLogEnabled: false, tcpHost: '127.0.0.1', tcpPort: String(port), tcpType: 'DEFAULT', unit_id: '1', commandDelay: '1', clientTimeout: '1000',
      reconnectOnTimeout: true, reconnectTimeout: '2000', parallelUnitIdsAllowed: true,
    });
    nodes.push({
      id: `read-${i}`, type: 'modbus-read', z: 'tab', name: '', topic: `d${i}`, showStatusActivities: false, logIOActivities: false, showErrors: false,
      unitid: '1', dataType: 'HoldingRegister', adr: '0', quantity: String(registers), rate: String(intervalMs), rateUnit: 'ms',
      delayOnStart: false, startDelayTime: '', server: `client-${i}`, useIOFile: false, ioFile: '', useIOForPayload: false, emptyMsgOnFail: false,
      wires: [[fn], []],
    });
  });
  return nodes;
}

/** Node-RED headless on the shipped Node: its own user dir for the flow, nodes from the peer folder. */
async function startPeer(peerDir: string, flow: object[]) {
  const dir = mkdtempSync(join(tmpdir(), 'rw-bench-nodered-'));
  const flowFile = join(dir, 'flows.json');
  writeFileSync(flowFile, JSON.stringify(flow));
  const settings = join(dir, 'settings.cjs');
  writeFileSync(settings, `module.exports = ${JSON.stringify({
    flowFile, userDir: peerDir, httpAdminRoot: false, httpNodeRoot: false, disableEditor: true, credentialSecret: false,
    logging: { console: { level: 'info', metrics: false, audit: false } }, externalModules: { autoInstall: false, palette: { allowInstall: false } },
    functionExternalModules: false, flowFilePretty: false,
  })};\n`);
  const child = spawn(shippedNode, [join(peerDir, 'node_modules', 'node-red', 'red.js'), '--settings', settings, '--userDir', peerDir], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => {
    out += d.toString();
    if (out.length > 100_000) out = out.slice(-50_000);
  });
  const deadline = Date.now() + 60_000;
  while (!out.includes('Started flows')) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
      throw new Error(`Node-RED did not start:\n${out.slice(-2000)}`);
    }
    await sleep(200);
  }
  return {
    pid: child.pid!,
    output: () => out,
    async stop(): Promise<void> {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await new Promise((r) => child.once('exit', r));
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function influxQuery(url: string, q: string): Promise<void> {
  const res = await fetch(`${url}/query?q=${encodeURIComponent(q)}`, { method: 'POST' });
  if (!res.ok) throw new Error(`${q}: ${res.status} ${await res.text()}`);
}

/** CPU and RSS of several processes over the same `seconds`, sampled every second. */
async function watchAll(pids: number[], seconds: number): Promise<{ cpuMs: number; rssMax: number; rssMean: number }[]> {
  const cpu0 = pids.map(processCpuMs);
  const rss = pids.map(() => [] as number[]);
  for (let t = 0; t < seconds; t++) {
    await sleep(1000);
    pids.forEach((pid, i) => rss[i]!.push(processRssMiB(pid)));
  }
  return pids.map((pid, i) => ({
    cpuMs: processCpuMs(pid) - cpu0[i]!,
    rssMax: Math.max(...rss[i]!),
    rssMean: rss[i]!.reduce((a, b) => a + b, 0) / rss[i]!.length,
  }));
}

export async function main(args: string[]): Promise<void> {
  const devices = numberArg('devices', 200);
  const registers = numberArg('registers', 10);
  const intervalMs = numberArg('interval', 1000);
  const seconds = numberArg('seconds', 60);
  const warmup = numberArg('warmup', 15);
  const peerDir = ensurePeer();
  const nodeVersion = spawnSync(shippedNode, ['--version'], { encoding: 'utf8' }).stdout.trim();
  const influxd = await startInfluxd();
  const peerFarm = await startFarm('tcp', devices, registers);
  const ownFarm = await startFarm('tcp', devices, registers);
  let peer: Awaited<ReturnType<typeof startPeer>> | null = null;
  let gateway: Awaited<ReturnType<typeof spawnGateway>> | null = null;
  try {
    await influxQuery(influxd.url, `CREATE DATABASE ${PEER_DATABASE}`);
    peer = await startPeer(peerDir, peerFlow(peerFarm.ports, registers, intervalMs, influxd.port));
    gateway = await spawnGateway({ ports: ownFarm.ports, influxUrl: influxd.url, args });
    await sleep(warmup * 1000); // connections, JIT, the first rollups
    gateway.start();
    const t0 = Date.now();
    const [peerUse, ownUse] = await watchAll([peer.pid, gateway.pid], seconds);
    const t1 = Date.now();
    const { cycles, late } = await gateway.stop();
    const offered = (devices * registers * (t1 - t0)) / intervalMs;
    const [peerLanded, ownLanded] = await Promise.all([
      settledCount(() => countLanded(influxd.url, PEER_DATABASE, t0, t1, PEER_MEASUREMENT)),
      settledCount(() => countLanded(influxd.url, DATABASE, t0, t1)),
    ]);
    const perPoint = (cpuMs: number, points: number): number => (cpuMs * 1000) / Math.max(1, points);
    const peerUs = perPoint(peerUse!.cpuMs, peerLanded);
    const ownUs = perPoint(ownUse!.cpuMs, ownLanded);
    const side = (name: string, use: { cpuMs: number; rssMax: number; rssMean: number }, landed: string, us: number): Record<string, string> => ({
      [`${name}: CPU µs per point landed`]: us.toFixed(1),
      [`${name}: cores used`]: (use.cpuMs / (t1 - t0)).toFixed(3),
      [`${name}: RSS MiB peak / mean`]: `${use.rssMax.toFixed(1)} / ${use.rssMean.toFixed(1)}`,
      [`${name}: landed in InfluxDB in the window`]: landed,
    });
    report(`peer-nodered: ${devices} devices × ${registers} registers every ${intervalMs} ms, both at once into one influxd, ${seconds} s (Node ${nodeVersion})`, {
      'points offered per side in the window': Math.round(offered),
      ...side(`Node-RED ${installedVersion(peerDir, 'node-red')} + contrib-modbus ${installedVersion(peerDir, 'node-red-contrib-modbus')} + contrib-influxdb ${installedVersion(peerDir, 'node-red-contrib-influxdb')}`,
        peerUse!, `${PEER_DATABASE}.${PEER_MEASUREMENT}: ${peerLanded} (${((100 * peerLanded) / offered).toFixed(2)} % of offered)`, peerUs),
      ...side('Roomwatch (alarms, duty log, console, rollups, outbox)', ownUse!,
        `${DATABASE}.raw.reading: ${ownLanded} (${((100 * ownLanded) / offered).toFixed(2)} % of offered); polled ${cycles * registers}, late cycles ${((100 * late) / Math.max(1, cycles)).toFixed(2)} %`, ownUs),
      'Roomwatch / Node-RED, CPU per point': (ownUs / peerUs).toFixed(2),
      'Roomwatch / Node-RED, RSS peak': (ownUse!.rssMax / peerUse!.rssMax).toFixed(2),
      'load average (1 min) at the end': readFileSync('/proc/loadavg', 'utf8').split(' ')[0]!,
    });
  } finally {
    await gateway?.quit();
    await peer?.stop();
    peerFarm.stop();
    ownFarm.stop();
    await influxd.stop();
  }
}
