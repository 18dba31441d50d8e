// Debian's Mosquitto as a real external broker for tests: a temp config on a free port with a password file
// (mosquitto_passwd) and an ACL file, no anonymous clients, a packet size limit, and its log for assertions
// (a file, and optionally its $SYS/broker/log topics).
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { connect } from 'node:net';
import { join } from 'node:path';
import { freePort } from './ports.ts';
import { waitFor } from './wait.ts';

export const mosquittoBin = '/usr/sbin/mosquitto';
export const mosquittoAvailable = (): boolean => existsSync(mosquittoBin) && existsSync('/usr/bin/mosquitto_passwd') && existsSync('/usr/bin/mosquitto_pub');

export interface Mosquitto {
  port: number;
  url: string;
  log(): string;
  stop(): Promise<void>;
}

export async function startMosquitto(opts: {
  users: { username: string; password: string }[];
  acl: string;
  maxPacketSize: number;
  /** Also publish the log on $SYS/broker/log/<level> (`log_dest topic`), as a site counting refusals does. */
  logTopic?: boolean;
  /** Instead of one plain listener: the auth and listener lines (e.g. from mosquittoConf), given the files' paths; give `port` one of them. */
  listeners?: (files: { passwordFile: string; aclFile: string }) => string;
  /** Listen here (a client already waiting for this port); default a free one. */
  port?: number;
}): Promise<Mosquitto> {
  const dir = mkdtempSync(join(tmpdir(), 'roomwatch-mosquitto-'));
  const port = opts.port ?? (await freePort());
  const passwd = join(dir, 'passwd');
  writeFileSync(passwd, '');
  for (const u of opts.users) execFileSync('/usr/bin/mosquitto_passwd', ['-b', passwd, u.username, u.password], { stdio: 'pipe' });
  writeFileSync(join(dir, 'acl'), opts.acl);
  const logFile = join(dir, 'mosquitto.log');
  writeFileSync(
    join(dir, 'mosquitto.conf'),
    [
      ...(opts.listeners
        ? [opts.listeners({ passwordFile: passwd, aclFile: join(dir, 'acl') })]
        : [`listener ${port} 127.0.0.1`, 'allow_anonymous false', `password_file ${passwd}`, `acl_file ${join(dir, 'acl')}`, `max_packet_size ${opts.maxPacketSize}`]),
      'persistence false',
      `log_dest file ${logFile}`,
      ...(opts.logTopic ? ['log_dest topic'] : []),
      'log_type all',
      // Run as whoever starts the test: as root Mosquitto would switch to a user that cannot read the temp files.
      'user root',
      '',
    ].join('\n'),
  );
  const proc: ChildProcess = spawn(mosquittoBin, ['-c', join(dir, 'mosquitto.conf')], { stdio: 'ignore' });
  const log = (): string => (existsSync(logFile) ? readFileSync(logFile, 'utf8') : '');
  await waitFor(() => /Opening ipv4 listen socket on port/.test(log()) || proc.exitCode !== null, 'mosquitto to open its listener');
  if (proc.exitCode !== null) throw new Error(`mosquitto exited with ${proc.exitCode}:\n${log()}`);
  // The log line comes before the socket accepts: ready means a TCP connection is taken.
  await waitFor(() => accepts(port), 'mosquitto to accept connections');
  return {
    port,
    url: `mqtt://127.0.0.1:${port}`,
    log,
    async stop() {
      if (proc.exitCode === null) {
        const exited = new Promise((ok) => proc.once('exit', ok));
        proc.kill('SIGTERM');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Runs Debian's mosquitto_pub; resolves with its exit status and stderr (a refused connection is status ≠ 0). */
export function mosquittoPub(port: number, args: string[]): Promise<{ status: number; stderr: string }> {
  return new Promise((ok) => {
    const p = spawn('/usr/bin/mosquitto_pub', ['-h', '127.0.0.1', '-p', String(port), '-q', '1', ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    p.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    p.on('exit', (code) => ok({ status: code ?? -1, stderr }));
  });
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port }, () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
