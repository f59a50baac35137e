// The closed-loop load generator: `concurrency` workers each repeat one operation until the time is up, and the
// server's CPU time and peak memory over that window are read from /proc.
import { cpuMs, peakRssMb, resetPeak } from './proc-stats.js';

export interface Percentiles {
  p50: number;
  p95: number;
  p99: number;
}

export interface LoadResult {
  concurrency: number;
  seconds: number;
  ops: number;
  errors: number;
  firstError?: string;
  opsPerSecond: number;
  latency: Percentiles;
  /** Latencies of named parts of the operation (e.g. the token call inside a sign-in). */
  parts: Record<string, Percentiles>;
  serverCpuMs: number;
  cpuMsPerOp: number;
  /** CPU ms per operation of the database server's processes (PostgreSQL mode), when measured. */
  databaseCpuMsPerOp?: number;
  peakRssMb: number;
}

/** Nearest-rank percentiles of `samples` (ms). */
export function percentiles(samples: number[]): Percentiles {
  const sorted = Float64Array.from(samples).sort();
  const at = (q: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]! : NaN);
  return { p50: at(0.5), p95: at(0.95), p99: at(0.99) };
}

/** One operation of worker `worker`; may return the durations of its parts (ms). */
export type Operation = (worker: number) => Promise<Record<string, number> | void>;

export async function runLoad(options: {
  pid: number;
  concurrency: number;
  durationMs: number;
  operation: Operation;
  /** Reads the database server's CPU ms (it runs in other processes than Sésame's). */
  databaseCpuMs?: () => number;
}): Promise<LoadResult> {
  const { pid, concurrency, durationMs, operation, databaseCpuMs } = options;
  const latencies: number[] = [];
  const parts: Record<string, number[]> = {};
  let errors = 0;
  let firstError: string | undefined;
  resetPeak(pid);
  const cpuBefore = cpuMs(pid);
  const databaseBefore = databaseCpuMs?.();
  const started = performance.now();
  const deadline = started + durationMs;

  async function worker(index: number): Promise<void> {
    while (performance.now() < deadline) {
      const t0 = performance.now();
      try {
        const timed = await operation(index);
        latencies.push(performance.now() - t0);
        for (const [name, ms] of Object.entries(timed ?? {})) (parts[name] ??= []).push(ms);
      } catch (err) {
        errors += 1;
        firstError ??= err instanceof Error ? err.message : String(err);
        // A failing operation must not spin: let the others run.
        await new Promise((r) => setTimeout(r, 20));
      }
    }
  }

  await Promise.all(Array.from({ length: concurrency }, (_, i) => worker(i)));
  const seconds = (performance.now() - started) / 1000;
  const serverCpuMs = cpuMs(pid) - cpuBefore;
  const databaseMs = databaseBefore === undefined ? undefined : databaseCpuMs!() - databaseBefore;
  const ops = latencies.length;
  return {
    concurrency,
    seconds,
    ops,
    errors,
    ...(firstError ? { firstError } : {}),
    opsPerSecond: ops / seconds,
    latency: percentiles(latencies),
    parts: Object.fromEntries(Object.entries(parts).map(([name, samples]) => [name, percentiles(samples)])),
    serverCpuMs,
    cpuMsPerOp: ops ? serverCpuMs / ops : NaN,
    ...(databaseMs === undefined ? {} : { databaseCpuMsPerOp: ops ? databaseMs / ops : NaN }),
    peakRssMb: peakRssMb(pid),
  };
}
