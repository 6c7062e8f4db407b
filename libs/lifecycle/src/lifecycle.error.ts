/**
 * Why the lifecycle table (`data/referral-lifecycle.json`) cannot be used. These are deployment
 * faults, not bad input: a refused status change is a `LifecycleRefusal` result, never thrown.
 */
export enum LifecycleErrorCode {
  /** The file is missing or is not JSON. */
  Unreadable = 'LIFECYCLE_DATA_UNREADABLE',
  /** The file does not match `schemas/lifecycle/referral-lifecycle.json`. */
  SchemaViolation = 'LIFECYCLE_SCHEMA_VIOLATION',
  /**
   * Schema-valid but contradicts the contract: two rows for one (from, to) pair, a row leaving a
   * terminal status, or an open status with no way out.
   */
  Inconsistent = 'LIFECYCLE_DATA_INCONSISTENT',
}

/** Thrown on first use of the lifecycle when its data file is unusable; retrying cannot help. */
export class LifecycleError extends Error {
  readonly retriable = false;
  constructor(
    readonly code: LifecycleErrorCode,
    readonly reasons: string[],
  ) {
    super(`${code}: ${reasons.join('; ')}`);
    this.name = 'LifecycleError';
  }
}
