// The demo site (config/demo.yaml, what `npm run demo` runs) for tests: the same rooms, devices, users, shifts
// and patrols, with its fixed ports moved to free ones and its data in a temp dir, so it runs beside anything.
// The simulators' control port stays fixed (a free one written into the copy), so `npm run sim -- --config
// <configFile>` drives it as a user would.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { projectRoot } from '../../src/config/load.ts';
import type { Clock } from '../../src/core/clock.ts';
import { startTestGateway, type TestGateway } from './gateway.ts';
import { freePort } from './ports.ts';

export const demoConfigFile = resolve(projectRoot, 'config', 'demo.yaml');

/** config/demo.yaml with free ports, `dataDir`, and `edit` applied to the text (a test's one deliberate change). */
export async function demoSiteYaml(dataDir: string, edit: (yaml: string) => string = (y) => y): Promise<string> {
  let yaml = readFileSync(demoConfigFile, 'utf8')
    .replace(/dataDir: .*/, `dataDir: ${JSON.stringify(dataDir)}`)
    .replace(/(http:\n\s+host: 127\.0\.0\.1\n\s+port:) \d+/, '$1 0')
    .replace(/embedded: \{ host: 127\.0\.0\.1, port: \d+ \}/, 'embedded: { host: 127.0.0.1, port: 0 }')
    .replace(/controlPort: \d+/, `controlPort: ${await freePort()}`);
  // Device ports: one free port per distinct demo port (the two pumps share one serial device server).
  const ports = new Map<string, number>();
  for (const [, port] of yaml.matchAll(/connection: \{ type: (?:tcp|rtu-over-tcp), host: 127\.0\.0\.1, port: (\d+)/g)) {
    if (!ports.has(port!)) ports.set(port!, await freePort());
  }
  yaml = yaml.replace(/(connection: \{ type: (?:tcp|rtu-over-tcp), host: 127\.0\.0\.1, port: )(\d+)/g, (_, head: string, port: string) => `${head}${ports.get(port)}`);
  return edit(yaml);
}

export async function startDemoSite(opts: { clock: Clock; dutyCheckMs?: number; edit?: (yaml: string) => string }): Promise<TestGateway> {
  const dataDir = mkdtempSync(join(tmpdir(), 'roomwatch-demo-'));
  const yaml = await demoSiteYaml(dataDir, opts.edit);
  return startTestGateway({ dataDir, yaml, clock: opts.clock, ...(opts.dutyCheckMs === undefined ? {} : { dutyCheckMs: opts.dutyCheckMs }) });
}
