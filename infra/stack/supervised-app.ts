import type { ChildProcess } from 'node:child_process';

/** How `npm start` restarts an app that died, as an orchestrator would (Kubernetes' CrashLoopBackOff). */
export interface RestartPolicy {
  /** Wait before the first restart. */
  initialDelayMs: number;
  /** The wait doubles with each crash in a row, up to this. */
  maxDelayMs: number;
  /** An app that ran this long before dying starts the count again (a crash, not a crash loop). */
  stableAfterMs: number;
}

export const DEFAULT_RESTART_POLICY: RestartPolicy = {
  initialDelayMs: 1_000,
  maxDelayMs: 30_000,
  stableAfterMs: 60_000,
};

/** The wait before restart number `crashesInARow` (1 for the first): doubling, capped. */
export function restartDelay(policy: RestartPolicy, crashesInARow: number): number {
  return Math.min(policy.maxDelayMs, policy.initialDelayMs * 2 ** Math.max(0, crashesInARow - 1));
}

/**
 * One app of the stack as its own process, kept running: when it exits without being asked to,
 * it is started again after a growing delay, and the log says so. `stop()` asks it to drain
 * (SIGTERM), then kills it if it has not exited in time.
 */
export class SupervisedApp {
  private child!: ChildProcess;
  private exited!: Promise<void>;
  private stopping = false;
  private crashesInARow = 0;
  private restartTimer: NodeJS.Timeout | undefined;

  constructor(
    readonly name: string,
    private readonly spawnApp: () => ChildProcess,
    private readonly log: (line: string) => void,
    private readonly policy: RestartPolicy = DEFAULT_RESTART_POLICY,
    private readonly now: () => number = Date.now,
  ) {
    this.start();
  }

  /** The running process (a new one after each restart). */
  get process(): ChildProcess {
    return this.child;
  }

  async stop(timeoutMs: number): Promise<void> {
    this.stopping = true;
    clearTimeout(this.restartTimer);
    if (!isRunning(this.child)) return;
    this.child.kill('SIGTERM');
    let killTimer: NodeJS.Timeout | undefined;
    const killed = new Promise<void>((done) => {
      killTimer = setTimeout(() => {
        if (isRunning(this.child)) this.child.kill('SIGKILL');
        done();
      }, timeoutMs);
    });
    await Promise.race([this.exited, killed]);
    clearTimeout(killTimer);
    await this.exited;
  }

  private start(): void {
    const startedAt = this.now();
    const child = this.spawnApp();
    this.child = child;
    this.exited = new Promise((done) => {
      child.once('exit', (code, signal) => {
        done();
        if (!this.stopping) this.restartAfterCrash(code, signal, this.now() - startedAt);
      });
    });
  }

  private restartAfterCrash(code: number | null, signal: NodeJS.Signals | null, ranMs: number): void {
    this.crashesInARow = ranMs >= this.policy.stableAfterMs ? 1 : this.crashesInARow + 1;
    const delay = restartDelay(this.policy, this.crashesInARow);
    const how = signal === null ? `with code ${code ?? 'none'}` : `on ${signal}`;
    this.log(
      `${this.name} exited ${how} after ${(ranMs / 1000).toFixed(1)} s; restarting it in ${(delay / 1000).toFixed(1)} s (crash ${this.crashesInARow} in a row)`,
    );
    this.restartTimer = setTimeout(() => {
      if (this.stopping) return;
      this.log(`${this.name}: restarting`);
      this.start();
    }, delay);
  }
}

function isRunning(child: ChildProcess): boolean {
  return child.exitCode === null && child.signalCode === null;
}
