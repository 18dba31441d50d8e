// Build the gateway into dist/roomwatch.mjs: src/main.ts and our modules in one ES module, packages left as
// imports. `npm start` runs this bundle (prestart builds it): no TypeScript stripping at run time, which
// costs ~25 MiB of RSS at start and more as the process runs (docs/benchmarks.md; issue 3: 150 MiB).
// Tests and the CLIs run the TypeScript sources directly; test/helpers/gateway-process.ts and the
// modbus-poll bench build and run this bundle, started the way `npm start` starts it (startCommand).
import { build } from 'esbuild';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
export const serverBundle = join(root, 'dist', 'roomwatch.mjs');

export async function buildServer(): Promise<void> {
  await build({
    entryPoints: [join(root, 'src', 'main.ts')],
    outfile: serverBundle,
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node24',
    packages: 'external',
    sourcemap: true,
    logLevel: 'warning',
  });
}

/**
 * How `npm start` runs the bundle, from package.json `config`, which the start script expands too:
 *   config.env:       environment assignments, e.g. MALLOC_ARENA_MAX=2 (glibc: two malloc arenas, not 8 per core)
 *   config.nodeFlags: Node flags, e.g. --heap-growing-percent=20 (V8 collects the old generation sooner: RSS, issue 3)
 */
export function startCommand(): { env: Record<string, string>; args: string[] } {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { config?: { env?: string; nodeFlags?: string } };
  const words = (s: string | undefined): string[] => (s ?? '').split(/\s+/).filter(Boolean);
  const env = Object.fromEntries(words(pkg.config?.env).map((w) => w.split('=', 2) as [string, string]));
  return { env, args: [...words(pkg.config?.nodeFlags), serverBundle] };
}

if (import.meta.main) {
  const started = Date.now();
  buildServer().then(
    () => console.log(`gateway built: ${serverBundle} in ${Date.now() - started} ms`),
    (err: unknown) => {
      // esbuild has already printed its diagnostics; say which step failed and fail the npm script.
      console.error(`build-server failed: ${err instanceof Error ? err.message : String(err)}`);
      process.exit(1);
    },
  );
}
