import type { ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { DEFAULT_RESTART_POLICY, SupervisedApp, restartDelay } from './supervised-app';

/** A child process that exits when told to: by the test (`crash`) or by a signal. */
class FakeChild extends EventEmitter {
  exitCode: number | null = null;
  signalCode: NodeJS.Signals | null = null;
  readonly signals: NodeJS.Signals[] = [];
  /** Set: a SIGTERM is ignored (an app that does not drain in time). */
  stubborn = false;

  kill(signal: NodeJS.Signals): boolean {
    this.signals.push(signal);
    if (signal === 'SIGKILL' || !this.stubborn) this.exit(null, signal);
    return true;
  }

  crash(code: number): void {
    this.exit(code, null);
  }

  private exit(code: number | null, signal: NodeJS.Signals | null): void {
    this.exitCode = code;
    this.signalCode = signal;
    this.emit('exit', code, signal);
  }
}

describe('SupervisedApp', () => {
  let clock = 0;
  const lines: string[] = [];
  const children: FakeChild[] = [];
  const supervise = (): SupervisedApp =>
    new SupervisedApp(
      'referral-tracker',
      () => {
        const child = new FakeChild();
        children.push(child);
        return child as unknown as ChildProcess;
      },
      (line) => lines.push(line),
      DEFAULT_RESTART_POLICY,
      () => clock,
    );

  beforeEach(() => {
    jest.useFakeTimers();
    clock = 0;
    lines.length = 0;
    children.length = 0;
  });
  afterEach(() => jest.useRealTimers());

  it('doubles the wait with each crash in a row, up to the cap', () => {
    expect([1, 2, 3, 4, 5, 6, 7].map((n) => restartDelay(DEFAULT_RESTART_POLICY, n))).toEqual([
      1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000,
    ]);
  });

  it('restarts an app that died, after a growing delay, and says so', () => {
    const app = supervise();
    clock = 5_000;
    children[0].crash(1);
    expect(lines).toEqual([
      'referral-tracker exited with code 1 after 5.0 s; restarting it in 1.0 s (crash 1 in a row)',
    ]);
    jest.advanceTimersByTime(999);
    expect(children).toHaveLength(1);
    jest.advanceTimersByTime(1);
    expect(children).toHaveLength(2);
    expect(app.process).toBe(children[1]);

    // Dying again at once: a crash loop, the wait doubles.
    children[1].kill('SIGKILL');
    expect(lines.at(-1)).toBe(
      'referral-tracker exited on SIGKILL after 0.0 s; restarting it in 2.0 s (crash 2 in a row)',
    );
    jest.advanceTimersByTime(2_000);
    expect(children).toHaveLength(3);

    // After a long healthy run, a crash starts the count again.
    clock += 120_000;
    children[2].crash(1);
    expect(lines.at(-1)).toMatch(/restarting it in 1\.0 s \(crash 1 in a row\)$/);
  });

  it('does not restart what it was asked to stop, and kills an app that does not drain in time', async () => {
    const app = supervise();
    children[0].stubborn = true;
    const stopped = app.stop(45_000);
    await jest.advanceTimersByTimeAsync(45_000);
    await stopped;
    expect(children[0].signals).toEqual(['SIGTERM', 'SIGKILL']);
    jest.advanceTimersByTime(60_000);
    expect(children).toHaveLength(1);
    expect(lines).toEqual([]);
  });

  it('cancels a pending restart when stopped during the wait', async () => {
    const app = supervise();
    children[0].crash(1);
    await app.stop(1_000);
    jest.advanceTimersByTime(60_000);
    expect(children).toHaveLength(1);
  });
});
