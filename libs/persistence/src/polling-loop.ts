/** Longest wait between attempts while a step keeps failing (unless `idleMs` is longer). */
const MAX_FAILURE_BACKOFF_MS = 10_000;

/** The wait after `consecutive` failed steps in a row: `idleMs`, doubling, up to 10 s. */
export function failureBackoffMs(idleMs: number, consecutive: number): number {
  const doubled = idleMs * 2 ** Math.min(Math.max(consecutive - 1, 0), 30);
  return Math.max(idleMs, Math.min(doubled, MAX_FAILURE_BACKOFF_MS));
}

/** Failures reported while a step keeps failing: the 1st, 2nd, 4th, 8th... in a row. */
export function isReportedFailure(consecutive: number): boolean {
  return consecutive > 0 && (consecutive & (consecutive - 1)) === 0;
}

/** What the owner of a polling loop hears while its step fails, and when it works again. */
export interface LoopFailureHandlers {
  /** The 1st, 2nd, 4th, 8th... failure in a row, and any that fails otherwise than the last one reported (`consecutive`: how many so far). */
  onError?: (error: unknown, consecutive: number) => void;
  /** The first step that worked after `failures` failed ones. */
  onRecovered?: (failures: number) => void;
}

/**
 * Runs `step` again and again: at once while it finds work (returns > 0), otherwise after
 * `idleMs` or as soon as someone nudges. A failing step does not stop the loop, so a database
 * or broker outage only delays the work; while it lasts, attempts back off (doubling up to 10 s)
 * and `onError` hears of the 1st, 2nd, 4th, 8th... failure in a row and of any new error, not of
 * every poll, and `onRecovered` of the step that worked again.
 */
export class PollingLoop {
  private running = false;
  private loop?: Promise<void>;
  private wake?: () => void;
  private failures = 0;
  private lastReported?: string;

  constructor(
    private readonly step: () => Promise<number>,
    private readonly idleMs: number,
    private readonly handlers: LoopFailureHandlers = {},
  ) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = (async () => {
      while (this.running) {
        let done = 0;
        try {
          done = await this.step();
          if (this.failures > 0) this.handlers.onRecovered?.(this.failures);
          this.failures = 0;
          this.lastReported = undefined;
        } catch (error) {
          this.failures += 1;
          // A new kind of failure is news at once (the schema exists now, but not its tables).
          const said = String(error);
          if (isReportedFailure(this.failures) || said !== this.lastReported) {
            this.lastReported = said;
            this.handlers.onError?.(error, this.failures);
          }
        }
        if (done === 0)
          await this.pause(this.failures > 0 ? failureBackoffMs(this.idleMs, this.failures) : this.idleMs);
      }
    })();
  }

  /** Work just arrived: run the next step now instead of after the wait. */
  nudge(): void {
    this.wake?.();
  }

  /** Stops after the step in flight. */
  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loop;
  }

  /** Waits `ms` or until a nudge; not at all once stopped (`stop` may come while the step runs). */
  private pause(ms: number): Promise<void> {
    if (!this.running) return Promise.resolve();
    return new Promise((resolve) => {
      const finish = (): void => {
        clearTimeout(timer);
        this.wake = undefined;
        resolve();
      };
      const timer = setTimeout(finish, ms);
      this.wake = finish;
    });
  }
}
