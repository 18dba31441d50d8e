// `npm run bench -- <name> [options]`: runs bench/<name>.ts. Without a name, lists the benchmarks.
// Each benchmark prints throughput, latency percentiles, CPU and memory (bench/lib/report.ts) and
// its figures go to docs/benchmarks.md with the machine they were measured on.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

const here = import.meta.dirname;
const available = readdirSync(here)
  .filter((f) => f.endsWith('.ts') && f !== 'run.ts')
  .map((f) => f.replace(/\.ts$/, ''))
  .sort();
const [name, ...args] = process.argv.slice(2);
if (!name || !available.includes(name)) {
  console.error(`usage: npm run bench -- <${available.join('|')}> [options]`);
  process.exit(name ? 2 : 0);
}
const bench = (await import(join(here, `${name}.ts`))) as { main(args: string[]): Promise<void> };
await bench.main(args);
