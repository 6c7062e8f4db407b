import { parentPort, Worker, workerData } from 'node:worker_threads';

/** How one load run is shaped: closed loop (`concurrency` in flight) or open loop (`rate` per second). */
export interface LoadPlan {
  url: string;
  headers: Record<string, string>;
  /** A referral template: its ids get a per-request suffix so each request is a new submission. */
  template: unknown;
  seconds: number;
  concurrency?: number;
  rate?: number;
  /** Different per run, so the same template never repeats ids across runs. */
  tag: string;
  /**
   * Seconds of the same load sent before the measured period and not counted (default 1): a new
   * worker's first requests wait for its own fetch client to load, compile and connect (measured
   * here: the first 20 requests of an open loop 50–160 ms late, whatever the server), which is
   * the load generator's start-up, not the server's latency.
   */
  warmupSeconds?: number;
}

export interface LoadResult {
  completed: number;
  /** Answers other than 2xx (and network errors). */
  failed: number;
  statuses: Partial<Record<string, number>>;
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
}

/**
 * Runs a load plan in a worker thread: its own event loop, so the client's work does not sit in
 * the server's latency (both share the machine's cores, the same for every variant measured).
 */
export function runLoad(plan: LoadPlan): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(__filename, { workerData: plan });
    worker.once('message', (result: LoadResult) => resolve(result));
    worker.once('error', reject);
    worker.once('exit', (code) => code !== 0 && reject(new Error(`load worker exited with ${code}`)));
  });
}

/** `sourceRecordId`, `referralId` and `consentId`s made unique for request `n`. */
function bodyOf(template: unknown, tag: string, n: number): string {
  return JSON.stringify(template).replace(
    /"(sourceRecordId|referralId|consentId)":"([^"]+)"/g,
    (_m, field: string, value: string) => `"${field}":"${value}-${tag}-${n}"`,
  );
}

async function work(plan: LoadPlan): Promise<LoadResult> {
  const warmupSeconds = plan.warmupSeconds ?? 1;
  if (warmupSeconds > 0) await phase({ ...plan, seconds: warmupSeconds, tag: `${plan.tag}-warmup` });
  return phase(plan);
}

async function phase(plan: LoadPlan): Promise<LoadResult> {
  const latencies: number[] = [];
  const statuses: Partial<Record<string, number>> = {};
  let n = 0;
  let failed = 0;
  const one = async (scheduledAt: number): Promise<void> => {
    const i = n++;
    try {
      const res = await fetch(plan.url, {
        method: 'POST',
        headers: { ...plan.headers, 'content-type': 'application/json', 'idempotency-key': `${plan.tag}-${i}` },
        body: bodyOf(plan.template, plan.tag, i),
      });
      await res.arrayBuffer();
      statuses[res.status] = (statuses[res.status] ?? 0) + 1;
      if (res.status < 200 || res.status > 299) failed += 1;
    } catch {
      statuses.error = (statuses.error ?? 0) + 1;
      failed += 1;
    }
    // From when the request was due, not when it left: a stalled server is not hidden (no coordinated omission).
    latencies.push(performance.now() - scheduledAt);
  };
  const start = performance.now();
  const end = start + plan.seconds * 1000;
  if (plan.rate !== undefined) {
    const interval = 1000 / plan.rate;
    const inFlight = new Set<Promise<void>>();
    for (let due = start; due < end; due += interval) {
      const wait = due - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      const p = one(due).finally(() => inFlight.delete(p));
      inFlight.add(p);
    }
    await Promise.all(inFlight);
  } else {
    await Promise.all(
      Array.from({ length: plan.concurrency ?? 16 }, async () => {
        while (performance.now() < end) await one(performance.now());
      }),
    );
  }
  const elapsed = (performance.now() - start) / 1000;
  latencies.sort((a, b) => a - b);
  const at = (q: number): number => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0;
  return {
    completed: latencies.length,
    failed,
    statuses,
    requestsPerSecond: latencies.length / elapsed,
    p50Ms: at(0.5),
    p99Ms: at(0.99),
  };
}

if (parentPort && workerData) {
  void work(workerData as LoadPlan).then((result) => parentPort!.postMessage(result));
}
