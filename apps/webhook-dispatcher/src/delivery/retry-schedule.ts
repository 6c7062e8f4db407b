/** How a failed delivery is retried (WEBHOOK_* settings). */
export interface RetryPolicy {
  maxAttempts: number;
  /** Age since the delivery was queued after which it is not retried. */
  maxAgeMs: number;
  /** Delay after the first failed attempt (before jitter); doubles each attempt. */
  baseMs: number;
  maxDelayMs: number;
}

export type AfterFailure = { outcome: 'retry'; nextAttemptAt: Date } | { outcome: 'failed' };

/**
 * Delay after failed attempt number `attempt` (from 1): exponential, capped, with "equal
 * jitter": half of it fixed so delays still grow, half random so receivers recovering from an
 * outage are not hit by every delivery at the same instant.
 */
export function retryDelayMs(
  attempt: number,
  policy: Pick<RetryPolicy, 'baseMs' | 'maxDelayMs'>,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

/** After failed attempt `attempt` of a delivery queued at `queuedAt`: when to retry, or give up. */
export function afterFailure(
  attempt: number,
  queuedAt: Date,
  now: Date,
  policy: RetryPolicy,
  random: () => number = Math.random,
): AfterFailure {
  if (attempt >= policy.maxAttempts) return { outcome: 'failed' };
  const nextAttemptAt = new Date(now.getTime() + retryDelayMs(attempt, policy, random));
  if (nextAttemptAt.getTime() - queuedAt.getTime() > policy.maxAgeMs) return { outcome: 'failed' };
  return { outcome: 'retry', nextAttemptAt };
}
