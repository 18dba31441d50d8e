// Whether the site polls enough points a second to need a larger young generation than `npm start` gives Node
// (`--max-semi-space-size=2`, chosen for the RSS of small and middle sites). At 100,000 points/s offered the
// gateway with 2 MiB sank to ~30,000 points/s polled (what is in flight survives the frequent scavenges and is
// copied again and again) and held ~87,000 with 16 MiB (docs/benchmarks.md, issue 17). Start-up says so in the
// log instead of leaving a large site to find out from late cycles.
import type { Site } from './load.ts';

/** From this many points a second a site is better run with LARGE_SITE_SEMI_SPACE_MIB. */
export const LARGE_SITE_POINTS_PER_SECOND = 20_000;
export const LARGE_SITE_SEMI_SPACE_MIB = 16;

/** Points a second the site's Modbus devices are polled for (each point once per its device's interval). */
export function modbusPointsPerSecond(site: Pick<Site, 'modbusDevices'>): number {
  let sum = 0;
  for (const d of site.modbusDevices) sum += (d.points.length * 1000) / (d.config.pollIntervalMs ?? 1000);
  return sum;
}

/** The semi-space size (MiB) Node was started with (command line, then NODE_OPTIONS), or null for V8's default. */
export function semiSpaceMiB(execArgv: readonly string[], nodeOptions: string | undefined): number | null {
  const flags = [...execArgv, ...(nodeOptions ?? '').split(/\s+/)];
  let mib: number | null = null;
  for (const f of flags) {
    const m = /^--max-semi-space-size=(\d+)$/.exec(f);
    if (m) mib = Number(m[1]);
  }
  return mib;
}

/** The advice for the log, or null: only for a large site whose Node runs with a smaller young generation. */
export function heapAdvice(pointsPerSecond: number, semiSpace: number | null): { pointsPerSecond: number; semiSpaceMiB: number; advice: string } | null {
  if (pointsPerSecond < LARGE_SITE_POINTS_PER_SECOND || semiSpace === null || semiSpace >= LARGE_SITE_SEMI_SPACE_MIB) return null;
  return {
    pointsPerSecond: Math.round(pointsPerSecond),
    semiSpaceMiB: semiSpace,
    advice: `run Node with --max-semi-space-size=${LARGE_SITE_SEMI_SPACE_MIB} (README "Configuration")`,
  };
}
