// Build the live console into dashboards/console/dist/ (served by the gateway at /): bundle src/main.ts to
// app.js with esbuild, copy index.html and app.css. `npm run build:console`; runs before start and test.
import { build } from 'esbuild';
import { copyFile, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

const consoleDir = join(import.meta.dirname, '..', 'dashboards', 'console');
const outDir = join(consoleDir, 'dist');

async function main(): Promise<void> {
  const started = Date.now();
  await rm(outDir, { recursive: true, force: true });
  await mkdir(outDir, { recursive: true });
  const result = await build({
    entryPoints: [join(consoleDir, 'src', 'main.ts')],
    outfile: join(outDir, 'app.js'),
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    minify: true,
    sourcemap: true,
    logLevel: 'warning',
    metafile: true,
  });
  await copyFile(join(consoleDir, 'index.html'), join(outDir, 'index.html'));
  // uPlot's stylesheet goes into app.css: one local file, allowed by the console's CSP (style-src 'self').
  const uplotCss = await readFile(join(import.meta.dirname, '..', 'node_modules', 'uplot', 'dist', 'uPlot.min.css'), 'utf8');
  await writeFile(join(outDir, 'app.css'), (await readFile(join(consoleDir, 'src', 'app.css'), 'utf8')) + '\n' + uplotCss);
  const bytes = Object.values(result.metafile.outputs).find((o) => o.entryPoint)?.bytes ?? 0;
  console.log(`console built: ${outDir} (app.js ${Math.round(bytes / 1024)} KiB) in ${Date.now() - started} ms`);
}

main().catch((err: unknown) => {
  // esbuild has already printed its diagnostics; say which step failed and fail the npm script.
  console.error(`build-console failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
