// Starts the real InfluxDB 1.x server (Debian `influxdb`, /usr/bin/influxd) for integration tests:
// loopback ports, a temporary directory, quiet logs. It can be halted and restarted on the same port and
// data directory, so tests can stage an InfluxDB outage and check what the gateway does about it.
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { get } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';

export interface RunningInfluxd {
  /** Base URL of the HTTP API, e.g. http://127.0.0.1:41234 */
  readonly url: string;
  readonly port: number;
  /** The temporary directory holding config, meta, data and wal. */
  readonly dir: string;
  /** The running influxd's process id (benchmarks read its CPU from /proc), or null while it is halted. */
  pid(): number | null;
  /** Stop the process (SIGTERM, then SIGKILL) but keep port and data: an outage. */
  halt(): Promise<void>;
  /** Start again on the same port and data dir (halting first if running); resolves when /ping answers 204. */
  restart(): Promise<void>;
  /** Stop for good and remove the temporary directory. Safe to call twice. */
  stop(): Promise<void>;
}

const START_DEADLINE_MS = 30_000;
const STOP_DEADLINE_MS = 10_000;

/** The influxd binary: $INFLUXD_BIN, else the first `influxd` on PATH, else null. */
export function influxdBinary(): string | null {
  const candidates = process.env.INFLUXD_BIN
    ? [process.env.INFLUXD_BIN]
    : [...(process.env.PATH ?? '').split(delimiter).filter(Boolean), '/usr/bin', '/usr/sbin'].map((d) => join(d, 'influxd'));
  for (const file of candidates) {
    try {
      accessSync(file, constants.X_OK);
      return file;
    } catch {
      // not here: try the next candidate
    }
  }
  return null;
}

export function influxdAvailable(): boolean {
  return influxdBinary() !== null;
}

/** Asks the kernel for a free loopback port. Another process could take it before influxd binds: see the retry below. */
async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => (port ? resolve(port) : reject(new Error('no port'))));
    });
  });
}

function configText(dir: string, httpPort: number, rpcPort: number): string {
  // Keys as in `influxd config` of 1.6; everything that writes files or logs loudly is pointed at dir or silenced.
  return `reporting-disabled = true
bind-address = "127.0.0.1:${rpcPort}"

[meta]
  dir = "${join(dir, 'meta')}"
  logging-enabled = false

[data]
  dir = "${join(dir, 'data')}"
  wal-dir = "${join(dir, 'wal')}"
  query-log-enabled = false

[monitor]
  store-enabled = false

[subscriber]
  enabled = false

[continuous_queries]
  log-enabled = false

[http]
  enabled = true
  bind-address = "127.0.0.1:${httpPort}"
  log-enabled = false
  pprof-enabled = false

[logging]
  level = "error"
  suppress-logo = true
`;
}

function ping(url: string): Promise<number> {
  return new Promise((resolve) => {
    const req = get(`${url}/ping`, { timeout: 1000 }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(0));
  });
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export async function startInfluxd(): Promise<RunningInfluxd> {
  const bin = influxdBinary();
  if (!bin) throw new Error('influxd is not installed (apt-get install influxdb, or set INFLUXD_BIN)');
  const dir = await mkdtemp(join(tmpdir(), 'roomwatch-influxd-'));
  const configFile = join(dir, 'influxd.conf');
  let port = 0;
  let child: ChildProcess | null = null;
  let output = '';
  // If the test process dies without stop(), do not leave influxd running behind it.
  const killOnExit = (): void => {
    child?.kill('SIGKILL');
  };
  process.on('exit', killOnExit);

  const launch = async (): Promise<void> => {
    output = '';
    const proc = spawn(bin, ['-config', configFile], { stdio: ['ignore', 'pipe', 'pipe'] });
    child = proc;
    // Keep the tail of the output: it is the only clue when influxd refuses to start.
    const keep = (chunk: Buffer): void => {
      output = (output + chunk.toString()).slice(-4000);
    };
    proc.stdout?.on('data', keep);
    proc.stderr?.on('data', keep);
    let exited = false;
    proc.once('exit', () => {
      exited = true;
    });
    const url = `http://127.0.0.1:${port}`;
    const deadline = Date.now() + START_DEADLINE_MS;
    while (Date.now() < deadline) {
      if (exited) throw new Error(`influxd exited during start-up (exit ${proc.exitCode}): ${output}`);
      if ((await ping(url)) === 204) return;
      await sleep(100);
    }
    await halt();
    throw new Error(`influxd did not answer /ping within ${START_DEADLINE_MS} ms: ${output}`);
  };

  const halt = async (): Promise<void> => {
    const proc = child;
    child = null;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
    proc.kill('SIGTERM');
    const timer = setTimeout(() => proc.kill('SIGKILL'), STOP_DEADLINE_MS);
    await exited;
    clearTimeout(timer);
  };

  // A port found free can be taken before influxd binds it: try again with fresh ports a few times.
  for (let attempt = 1; ; attempt++) {
    port = await freePort();
    await writeFile(configFile, configText(dir, port, await freePort()));
    try {
      await launch();
      break;
    } catch (err) {
      await halt();
      if (attempt >= 3 || !/address already in use/i.test(String(err))) {
        process.off('exit', killOnExit);
        await rm(dir, { recursive: true, force: true });
        throw err;
      }
    }
  }

  let stopped = false;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    dir,
    pid: () => child?.pid ?? null,
    halt,
    restart: async () => {
      if (stopped) throw new Error('influxd was stopped for good; start a new one');
      await halt();
      await launch();
    },
    stop: async () => {
      if (stopped) return;
      stopped = true;
      await halt();
      process.off('exit', killOnExit);
      await rm(dir, { recursive: true, force: true });
    },
  };
}
