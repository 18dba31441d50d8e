// What the historian benchmarks share (bench/historian.ts, bench/shift-report.ts): numeric options, temporary
// data dirs removed at the end, and a one-room site with or without InfluxDB.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SiteConfig } from '../../src/config/schema.ts';

/** `--name N` from the command line, else the default. */
export function numberArg(name: string, dflt: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
}

/** Temporary dirs with a prefix; `removeAll` at the end. */
export function tempDirs(prefix: string): { make(): string; removeAll(): void } {
  const dirs: string[] = [];
  return {
    make() {
      const d = mkdtempSync(join(tmpdir(), prefix));
      dirs.push(d);
      return d;
    },
    removeAll: () => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })),
  };
}

/** The bench site: one room, no devices (the benchmarks write rollups themselves); InfluxDB when a URL is given. */
export function historianSite(influx?: { url: string; database: string }): SiteConfig {
  return {
    site: { id: 'bench', name: { en: 'B', 'zh-CN': 'B' } }, rooms: [{ id: 'room-b1', kind: 'other', name: { en: 'B1', 'zh-CN': 'B1' } }], devices: [],
    users: [{ username: 'u', displayName: 'U', role: 'duty', password: 'u' }],
    ...(influx ? { historian: { influx } } : {}),
  };
}
