import fc from 'fast-check';
import { afterFailure, retryDelayMs, type RetryPolicy } from './retry-schedule';

const policy: RetryPolicy = { maxAttempts: 12, maxAgeMs: 24 * 3_600_000, baseMs: 10_000, maxDelayMs: 3_600_000 };

describe('retryDelayMs', () => {
  it('doubles from the base up to the cap, between half and all of it', () => {
    expect([1, 2, 3, 4, 5].map((n) => retryDelayMs(n, policy, () => 1))).toEqual([
      10_000, 20_000, 40_000, 80_000, 160_000,
    ]);
    expect([1, 2, 3].map((n) => retryDelayMs(n, policy, () => 0))).toEqual([5_000, 10_000, 20_000]);
    expect(retryDelayMs(9, policy, () => 1)).toBe(2_560_000);
    expect(retryDelayMs(10, policy, () => 1)).toBe(3_600_000);
    expect(retryDelayMs(500, policy, () => 1)).toBe(3_600_000);
  });

  it('stays within [ceiling / 2, ceiling] for any attempt and any draw', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1_000 }), fc.double({ min: 0, max: 1, noNaN: true }), (attempt, draw) => {
        const ceiling = Math.min(policy.maxDelayMs, policy.baseMs * 2 ** (attempt - 1));
        const delay = retryDelayMs(attempt, policy, () => draw);
        return delay >= Math.floor(ceiling / 2) && delay <= ceiling;
      }),
    );
  });
});

describe('afterFailure', () => {
  const queuedAt = new Date('2025-09-18T10:00:00.000Z');

  it('schedules the next attempt after the jittered delay', () => {
    const now = new Date('2025-09-18T10:00:01.000Z');
    expect(afterFailure(1, queuedAt, now, policy, () => 1)).toEqual({
      outcome: 'retry',
      nextAttemptAt: new Date('2025-09-18T10:00:11.000Z'),
    });
    expect(afterFailure(3, queuedAt, now, policy, () => 0)).toEqual({
      outcome: 'retry',
      nextAttemptAt: new Date('2025-09-18T10:00:21.000Z'),
    });
  });

  it('gives up after the last attempt', () => {
    expect(afterFailure(12, queuedAt, queuedAt, policy)).toEqual({ outcome: 'failed' });
    expect(afterFailure(1, queuedAt, queuedAt, { ...policy, maxAttempts: 1 })).toEqual({ outcome: 'failed' });
    expect(afterFailure(11, queuedAt, queuedAt, policy, () => 0).outcome).toBe('retry');
  });

  it('gives up when the next attempt would come after the maximum age', () => {
    const late = new Date(queuedAt.getTime() + policy.maxAgeMs - 4_000);
    expect(afterFailure(1, queuedAt, late, policy, () => 0)).toEqual({ outcome: 'failed' });
    const early = new Date(queuedAt.getTime() + policy.maxAgeMs - 6_000);
    expect(afterFailure(1, queuedAt, early, policy, () => 0).outcome).toBe('retry');
  });
});
