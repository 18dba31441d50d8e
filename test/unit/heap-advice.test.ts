// Start-up's advice for large sites (issue 17): a site polling 20,000+ points a second under `npm start`'s 2 MiB
// young generation is told to run Node with 16 MiB (docs/benchmarks.md: at 100k points/s offered, 30k polled
// against 87k).
import { describe, expect, it } from 'vitest';
import { heapAdvice, modbusPointsPerSecond, semiSpaceMiB } from '../../src/config/heap-advice.ts';
import type { SiteDevice } from '../../src/config/load.ts';

const device = (points: number, pollIntervalMs?: number): SiteDevice =>
  ({ config: { pollIntervalMs }, points: Array.from({ length: points }) }) as unknown as SiteDevice;

describe('heap advice for large sites', () => {
  it('counts the points a second the Modbus devices are polled for (default interval 1 s)', () => {
    expect(modbusPointsPerSecond({ modbusDevices: [device(10, 100), device(8), device(20, 2000)] })).toBe(100 + 8 + 10);
  });

  it('reads the semi-space flag from the command line, then NODE_OPTIONS (the last one counts)', () => {
    expect(semiSpaceMiB(['--max-semi-space-size=2', '--heap-growing-percent=20'], undefined)).toBe(2);
    expect(semiSpaceMiB(['--max-semi-space-size=2'], '--max-semi-space-size=16')).toBe(16);
    expect(semiSpaceMiB([], '')).toBeNull();
  });

  it('advises only a large site running with a small young generation', () => {
    expect(heapAdvice(40_000, 2)).toEqual({ pointsPerSecond: 40_000, semiSpaceMiB: 2, advice: expect.stringContaining('--max-semi-space-size=16') });
    expect(heapAdvice(19_999, 2)).toBeNull();
    expect(heapAdvice(40_000, 16)).toBeNull();
    expect(heapAdvice(40_000, null)).toBeNull(); // V8's own default sizing
  });
});
