import type { LoopFailureHandlers } from '../polling-loop';
import { PollingLoop } from '../polling-loop';
import type { RetentionReport, RetentionRun } from './retention-run';

export interface RetentionScheduleOptions extends LoopFailureHandlers {
  intervalMs: number;
  /** A run this replica did (not called for slots another replica had). */
  onRun?: (report: RetentionReport) => void;
  clock?: () => Date;
}

/**
 * Starts a retention run at start-up and every `intervalMs` after it. Every replica may run a
 * schedule: each run claims its slot, so one replica purges per interval. A failing run (the
 * database away) is retried with the polling loop's backoff, and its slot is still free then.
 */
export class RetentionSchedule {
  private readonly loop: PollingLoop;

  constructor(run: RetentionRun, options: RetentionScheduleOptions) {
    const clock = options.clock ?? (() => new Date());
    this.loop = new PollingLoop(
      async () => {
        const report = await run.run(clock());
        if (report !== undefined) options.onRun?.(report);
        return 0; // never "more work": the next run waits for the next interval
      },
      options.intervalMs,
      options,
    );
  }

  start(): void {
    this.loop.start();
  }

  /** Stops after the run in flight. */
  stop(): Promise<void> {
    return this.loop.stop();
  }
}
