/** What the limiter decides for one request. */
export type RateDecision = { allowed: true } | { allowed: false; retryAfterSeconds: number };

interface Bucket {
  tokens: number;
  at: number;
}

/**
 * A token bucket per organization: `ratePerSecond` on average, `burst` at once. In memory, per
 * gateway replica (the limit protects this process and the broker behind it; N replicas allow N
 * times the rate). Idle buckets are forgotten, so memory follows the active organizations.
 */
export class OrgRateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private sweptAt: number;

  constructor(
    private readonly ratePerSecond: number,
    private readonly burst: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    if (!(ratePerSecond > 0) || !(burst >= 1))
      throw new RangeError('the rate must be positive and the burst at least 1');
    this.sweptAt = now();
  }

  take(org: string): RateDecision {
    const now = this.now();
    this.sweep(now);
    const bucket = this.buckets.get(org) ?? { tokens: this.burst, at: now };
    bucket.tokens = Math.min(this.burst, bucket.tokens + ((now - bucket.at) / 1000) * this.ratePerSecond);
    bucket.at = now;
    this.buckets.set(org, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return { allowed: true };
    }
    return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - bucket.tokens) / this.ratePerSecond)) };
  }

  /** Drops buckets that have refilled completely: they hold nothing a new bucket would not. */
  private sweep(now: number): void {
    const fullAfterMs = (this.burst / this.ratePerSecond) * 1000;
    if (now - this.sweptAt < fullAfterMs) return;
    this.sweptAt = now;
    for (const [org, bucket] of this.buckets) if (now - bucket.at >= fullAfterMs) this.buckets.delete(org);
  }

  /** Organizations with a bucket in memory (for tests and metrics). */
  get size(): number {
    return this.buckets.size;
  }
}
