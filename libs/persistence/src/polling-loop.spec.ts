import { PollingLoop, failureBackoffMs, isReportedFailure } from './polling-loop';

/**
 * Runs a loop over `step` (given the call's number, from 1; idle wait 1 ms) until it was called
 * `calls` times, then stops it; returns what its handlers heard.
 */
async function heardOver(
  calls: number,
  step: (call: number) => number,
): Promise<{ reported: Array<[string, number]>; recovered: number[] }> {
  const reported: Array<[string, number]> = [];
  const recovered: number[] = [];
  let call = 0;
  let enough!: () => void;
  const reachedCalls = new Promise<void>((done) => (enough = done));
  const loop = new PollingLoop(
    () => {
      call += 1;
      if (call === calls) enough();
      return Promise.resolve(step(call));
    },
    1,
    {
      onError: (error, consecutive) => reported.push([(error as Error).message, consecutive]),
      onRecovered: (failures) => recovered.push(failures),
    },
  );
  loop.start();
  await reachedCalls;
  await loop.stop();
  return { reported, recovered };
}

describe('PollingLoop', () => {
  it('reports the 1st, 2nd, 4th... failure in a row, then the recovery once, and goes on polling', async () => {
    const { reported, recovered } = await heardOver(8, (call) => {
      if (call <= 5) throw new Error('connection refused');
      return 0;
    });
    expect(reported).toEqual([
      ['connection refused', 1],
      ['connection refused', 2],
      ['connection refused', 4],
    ]);
    expect(recovered).toEqual([5]);
  });

  it('reports a failure that differs from the last one reported at once', async () => {
    const { reported } = await heardOver(7, (call) => {
      throw new Error(call <= 2 ? 'no schema' : 'no table');
    });
    expect(reported.slice(0, 3)).toEqual([
      ['no schema', 1],
      ['no schema', 2],
      ['no table', 3],
    ]);
    expect(reported[3]).toEqual(['no table', 4]);
  });

  it('waits longer after each failure in a row, and the idle wait again once a step works', async () => {
    jest.useFakeTimers({ now: 0 });
    try {
      const at: number[] = [];
      const loop = new PollingLoop(() => {
        at.push(Date.now());
        return at.length <= 3 ? Promise.reject(new Error('connection refused')) : Promise.resolve(0);
      }, 100);
      loop.start();
      await jest.advanceTimersByTimeAsync(850);
      const stopped = loop.stop();
      await jest.runOnlyPendingTimersAsync();
      await stopped;
      // Failed at 0, 100 and 300: waits of 100, 200, 400; worked at 700: the idle 100 again.
      expect(at).toEqual([0, 100, 300, 700, 800]);
    } finally {
      jest.useRealTimers();
    }
  });

  it('backs off while failing: idleMs doubling up to 10 s, never below idleMs', () => {
    expect([1, 2, 3, 4].map((n) => failureBackoffMs(200, n))).toEqual([200, 400, 800, 1_600]);
    expect(failureBackoffMs(200, 7)).toBe(10_000);
    expect(failureBackoffMs(200, 1_000)).toBe(10_000);
    expect(failureBackoffMs(60_000, 3)).toBe(60_000);
  });

  it('reports powers of two only', () => {
    expect([0, 1, 2, 3, 4, 5, 8, 12, 16, 1024].filter(isReportedFailure)).toEqual([1, 2, 4, 8, 16, 1024]);
  });

  it('a nudge ends the wait at once, and stop ends the loop after the step in flight', async () => {
    let calls = 0;
    const loop = new PollingLoop(() => {
      calls += 1;
      return Promise.resolve(0);
    }, 60_000);
    loop.start();
    await new Promise((done) => setImmediate(done));
    expect(calls).toBe(1);
    loop.nudge();
    await new Promise((done) => setImmediate(done));
    expect(calls).toBe(2);
    await loop.stop();
    expect(calls).toBe(2);
  });
});
