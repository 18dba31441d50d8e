// Runs `npx node src/cli/sim.ts …` from the project root, as `npm run sim -- …` does: a separate process, like a user.
import { execFile } from 'node:child_process';
import { projectRoot } from '../../src/config/load.ts';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function runCli(args: string[]): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile('npx', ['node', 'src/cli/sim.ts', ...args], { cwd: projectRoot, encoding: 'utf8', timeout: 60_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}
