/**
 * Runs `step` again and again: at once while it finds work (returns > 0), otherwise after
 * `idleMs` or as soon as someone nudges. Errors go to `onError` and the loop goes on, so a
 * database or broker outage only delays the work.
 */
export class PollingLoop {
  private running = false;
  private loop?: Promise<void>;
  private wake?: () => void;

  constructor(
    private readonly step: () => Promise<number>,
    private readonly idleMs: number,
    private readonly onError?: (error: unknown) => void,
  ) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = (async () => {
      while (this.running) {
        let done = 0;
        try {
          done = await this.step();
        } catch (error) {
          this.onError?.(error);
        }
        if (done === 0 && this.running) await this.pause();
      }
    })();
  }

  /** Work just arrived: run the next step now instead of after the idle wait. */
  nudge(): void {
    this.wake?.();
  }

  /** Stops after the step in flight. */
  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loop;
  }

  private pause(): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(finish, this.idleMs);
      const self = this;
      function finish(): void {
        clearTimeout(timer);
        self.wake = undefined;
        resolve();
      }
      this.wake = finish;
    });
  }
}
