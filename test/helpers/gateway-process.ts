// Runs the real entry point (`node src/main.ts --config …`) as a user would, for crash and restart tests.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { projectRoot } from '../../src/config/load.ts';
import { waitFor } from './wait.ts';

export interface GatewayProcess {
  child: ChildProcess;
  url: string;
  /** stdout and stderr so far. */
  output(): string;
}

/** Spawns the gateway and waits for the start-up banner: the console URL and, in demo mode, the demo accounts. */
export async function spawnGateway(configFile: string, httpPort: number): Promise<GatewayProcess> {
  let output = '';
  const child = spawn(process.execPath, [join(projectRoot, 'src', 'main.ts'), '--config', configFile], {
    cwd: projectRoot,
    env: { ...process.env, ROOMWATCH_LANG: 'en', ROOMWATCH_LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  await waitFor(() => output.includes(`127.0.0.1:${httpPort}`) && /duty \/ duty/.test(output), 'the console URL and demo accounts in the start-up output', 30_000);
  return { child, url: `http://127.0.0.1:${httpPort}`, output: () => output };
}
