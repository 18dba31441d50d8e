// Integration tests run against real parts (influxd, chromium, mbpoll...), never mocks of them (style.md §11).
// Convention when a part is missing on this machine:
//   - in CI (`process.env.CI` set) the test file FAILS: a green CI must mean the real part was exercised;
//   - elsewhere the tests are skipped, and a warning line says so, so a developer never mistakes a skip for a pass.
//
// Usage, at the top of a test file:
//   const influx = realPart('influxd', influxdAvailable(), 'apt-get install influxdb');
//   describe.skipIf(influx.skip)('influx historian', () => { ... });

export function realPart(name: string, available: boolean, installHint?: string): { skip: boolean } {
  if (available) return { skip: false };
  const hint = installHint ? ` (install: ${installHint})` : '';
  if (process.env.CI) {
    throw new Error(`real part "${name}" is not installed, and CI must run the tests that need it${hint}`);
  }
  console.warn(`[real-parts] WARNING: "${name}" is not installed: its integration tests are SKIPPED here${hint}`);
  return { skip: true };
}
