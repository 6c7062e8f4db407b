import { Logger } from '@nestjs/common';
import { extname, join, resolve } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { FromRelayWorker, RelayWorkerData, ToRelayWorker } from './outbox-relay-protocol';

export interface OutboxRelayWorkerOptions extends RelayWorkerData {
  /** First wait before restarting a worker that died; doubles up to `maxRestartDelayMs`. */
  restartDelayMs?: number;
  maxRestartDelayMs?: number;
  /** How long `stop` waits for the delivery in flight before terminating the thread. */
  stopTimeoutMs?: number;
  /** Rows delivered (acks=all) by each relay step: for metrics and tests. */
  onRelayed?: (count: number) => void;
}

/** A worker up this long had a good run: the next restart waits the first delay again. */
const HEALTHY_UPTIME_MS = 10_000;

/**
 * Runs `OutboxRelay` in a worker thread of its own (`outbox-relay.worker.ts`): producing what
 * an app emits costs kafkajs ~80 µs of CPU per record (record and header encoding), which on the
 * applying thread held up every batch behind it. The thread has its own producer and one pool
 * connection; rows still leave in id order, one relaying replica at a time (the relay's advisory
 * lock), and are deleted only after Kafka acknowledged them. A worker that dies is restarted with
 * a growing delay; rows wait in the outbox meanwhile, so nothing is lost.
 */
export class OutboxRelayWorker {
  private readonly logger = new Logger('OutboxRelay');
  private worker?: Worker;
  private restartTimer?: NodeJS.Timeout;
  private restartDelay: number;
  private startedAt = 0;
  private stopping?: Promise<void>;
  /** Workers started after one died (for operators' logs and tests). */
  restarts = 0;

  constructor(private readonly options: OutboxRelayWorkerOptions) {
    this.restartDelay = options.restartDelayMs ?? 1_000;
  }

  /**
   * Starts the thread; resolves once it relays (producer connected), or once that first thread
   * gave up (it is then restarted in the background): an app starts with its relay ready.
   */
  start(): Promise<void> {
    if (this.worker || this.stopping) return Promise.resolve();
    const { app, env, idleMs, batchSize } = this.options;
    const data: RelayWorkerData = {
      app,
      env: { ...env },
      ...(idleMs !== undefined && { idleMs }),
      ...(batchSize !== undefined && { batchSize }),
    };
    const worker = new Worker(WORKER_FILE, { workerData: data, execArgv: WORKER_EXEC_ARGV });
    // The applying thread's own work keeps the process alive; the relay alone must not.
    worker.unref();
    this.startedAt = Date.now();
    const started = new Promise<void>((done) => {
      worker.on('message', (message: FromRelayWorker) => (message.kind === 'ready' ? done() : this.received(message)));
      worker.once('exit', () => done());
    });
    worker.on('error', (error) => this.logger.error(`outbox relay worker failed: ${error.stack ?? error.message}`));
    worker.on('exit', (code) => this.exited(worker, code));
    this.worker = worker;
    return started;
  }

  /** Something was just committed to the outbox: relay it without waiting for the next poll. */
  nudge(): void {
    this.post({ kind: 'nudge' });
  }

  /** Lets the delivery in flight finish, then ends the thread; what is left is relayed at the next start. */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      clearTimeout(this.restartTimer);
      const worker = this.worker;
      if (!worker) return;
      const exited = new Promise<void>((done) => worker.once('exit', () => done()));
      this.post({ kind: 'stop' });
      const timeout = setTimeout(() => {
        this.logger.warn(
          `outbox relay worker did not stop within ${this.options.stopTimeoutMs ?? 10_000} ms; terminating it`,
        );
        void worker.terminate();
      }, this.options.stopTimeoutMs ?? 10_000);
      await exited;
      clearTimeout(timeout);
    })();
    return this.stopping;
  }

  private post(message: ToRelayWorker): void {
    this.worker?.postMessage(message);
  }

  private received(message: FromRelayWorker): void {
    if (message.kind === 'relayed') this.options.onRelayed?.(message.count);
    else if (message.kind === 'log') new Logger(message.context)[message.level](message.message);
  }

  private exited(worker: Worker, code: number): void {
    if (this.worker !== worker) return;
    this.worker = undefined;
    if (this.stopping) return;
    if (Date.now() - this.startedAt >= HEALTHY_UPTIME_MS) this.restartDelay = this.options.restartDelayMs ?? 1_000;
    const delay = this.restartDelay;
    this.restartDelay = Math.min(delay * 2, this.options.maxRestartDelayMs ?? 30_000);
    this.logger.error(
      `outbox relay worker exited with code ${code}; restarting it in ${delay} ms (rows wait in the outbox)`,
    );
    this.restartTimer = setTimeout(() => {
      this.restarts += 1;
      void this.start();
    }, delay);
    this.restartTimer.unref();
  }
}

/** The worker runs the compiled file in production, and the TypeScript source under jest or register-ts. */
const WORKER_FILE = join(__dirname, `outbox-relay.worker${extname(__filename)}`);
const WORKER_EXEC_ARGV =
  extname(__filename) === '.ts' ? ['-r', resolve(__dirname, '../../../scripts/register-ts.cjs')] : [];
