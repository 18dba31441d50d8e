// Runs the real gateway as `npm start` does (the built bundle), as a user would, for crash and restart tests.
import { spawn, type ChildProcess } from 'node:child_process';
import { projectRoot } from '../../src/config/load.ts';
import { buildServer, startCommand } from '../../scripts/build-server.ts';
import { waitFor } from './wait.ts';

export interface GatewayProcess {
  child: ChildProcess;
  url: string;
  /** stdout and stderr so far. */
  output(): string;
}

let built: Promise<void> | null = null;

/**
 * Spawns the gateway as `npm start` runs it (the dist/ bundle, built once per test run from the current
 * sources, with the start script's environment and Node flags) and waits for the start-up banner: the console
 * URL and, in demo mode, the demo accounts.
 */
export async function spawnGateway(configFile: string, httpPort: number): Promise<GatewayProcess> {
  await (built ??= buildServer());
  const start = startCommand();
  let output = '';
  const child = spawn(process.execPath, [...start.args, '--config', configFile], {
    cwd: projectRoot,
    env: { ...process.env, ...start.env, ROOMWATCH_LANG: 'en', ROOMWATCH_LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  await waitFor(() => output.includes(`127.0.0.1:${httpPort}`) && /duty \/ duty/.test(output), 'the console URL and demo accounts in the start-up output', 30_000);
  return { child, url: `http://127.0.0.1:${httpPort}`, output: () => output };
}
