// Shared measuring and printing for every benchmark: latency percentiles, throughput, CPU and memory,
// and the machine, so figures in docs/benchmarks.md always say where they were measured.
import { cpus, totalmem } from 'node:os';

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}

export interface LatencySummary {
  count: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  mean: number;
}

export function summarize(samples: readonly number[]): LatencySummary {
  const sorted = [...samples].sort((a, b) => a - b);
  const sum = sorted.reduce((a, b) => a + b, 0);
  return {
    count: sorted.length,
    p50: percentile(sorted, 50),
    p90: percentile(sorted, 90),
    p99: percentile(sorted, 99),
    max: sorted.at(-1) ?? Number.NaN,
    mean: sorted.length ? sum / sorted.length : Number.NaN,
  };
}

/** CPU time of this process between start() and stop(), as a share of one core. */
export function cpuMeter(): { stop(): { cpuMs: number; userMs: number; systemMs: number; wallMs: number; coreShare: number } } {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  return {
    stop() {
      const used = process.cpuUsage(cpu0);
      const cpuMs = (used.user + used.system) / 1000;
      const wallMs = performance.now() - t0;
      return { cpuMs, userMs: used.user / 1000, systemMs: used.system / 1000, wallMs, coreShare: cpuMs / wallMs };
    },
  };
}

export function machine(): string {
  const c = cpus();
  return `${c.length} × ${c[0]?.model ?? 'unknown CPU'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, ${process.platform}`;
}

export function rssMiB(): number {
  return process.memoryUsage().rss / 2 ** 20;
}

const fmt = (n: number, digits = 2): string => (Number.isFinite(n) ? n.toFixed(digits) : '—');

/** Prints one result block; `figures` are name → value lines, `latencyMs` an optional latency summary. */
export function report(title: string, figures: Record<string, string | number>, latencyMs?: LatencySummary): void {
  console.log(`\n== ${title}`);
  console.log(`machine: ${machine()}`);
  for (const [k, v] of Object.entries(figures)) console.log(`${k}: ${typeof v === 'number' ? fmt(v) : v}`);
  if (latencyMs) {
    console.log(
      `latency ms: p50 ${fmt(latencyMs.p50, 3)}  p90 ${fmt(latencyMs.p90, 3)}  p99 ${fmt(latencyMs.p99, 3)}  max ${fmt(latencyMs.max, 3)}  (n=${latencyMs.count})`,
    );
  }
  console.log(`rss MiB: ${fmt(rssMiB(), 1)}`);
}
