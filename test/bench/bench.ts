import { randomBytes } from 'node:crypto';

/** What every benchmark gets from the runner. */
export interface BenchContext {
  /** Broker list of the cluster under test (KAFKA_BROKERS, or the local broker the runner started). */
  brokers: string[];
}

/**
 * One line of `npm run bench` output. For throughput units, `ratio` = ours / baseline, so higher
 * is better; every benchmark keeps that orientation.
 */
export interface BenchResult {
  name: string;
  ours: number;
  baseline: number;
  unit: string;
  ratio: number;
  /** Further figures a benchmark reports (latencies...), printed on the same line. */
  [figure: string]: string | number;
}

export interface Benchmark {
  name: string;
  run: (context: BenchContext) => Promise<BenchResult>;
}

/** Progress goes to stderr: stdout carries only the JSON result lines. */
export function progress(message: string): void {
  process.stderr.write(`[bench] ${message}\n`);
}

/** Settings for an app a benchmark starts: its logs at `level`, on stderr (stdout carries only result lines). */
export function benchAppLogs(level: 'error' | 'warn'): { LOG_LEVEL: string; LOG_DESTINATION: 'stderr' } {
  return { LOG_LEVEL: level, LOG_DESTINATION: 'stderr' };
}

/** A topic / group name no earlier run (or other user of the cluster) has. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((done) => setTimeout(done, ms));
}

/** A non-negative integer setting from the environment (a benchmark's knob), or `fallback` when unset. */
export function envInt(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) throw new Error(`${name}=${raw} is not a non-negative integer`);
  return value;
}

export function round(value: number, digits = 3): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}
