/** Why the tracker refused an event; each code ends up in `dlq_error_code` (or a problem response). */
export enum TrackerErrorCode {
  /** The lifecycle does not allow this change from the referral's current status. */
  IllegalTransition = 'ILLEGAL_TRANSITION',
  /** The actor may not make this change (a provider cancelling another's referral, a referrer accepting). */
  ActorNotAllowed = 'ACTOR_NOT_ALLOWED',
  /** The change needs a reason (coded or in words) and has none. */
  ReasonRequired = 'REASON_REQUIRED',
  /** The event's data does not satisfy its canonical schema. */
  InvalidEvent = 'INVALID_EVENT',
  /** The event names a referral the tracker has never seen. */
  UnknownReferral = 'UNKNOWN_REFERRAL',
  /**
   * Another transaction (another replica) wrote a later word on a row the batch had read, after
   * it read it: the batch is rolled back and retried, and then sees it.
   */
  ConcurrentChange = 'CONCURRENT_CHANGE',
}

/** The only refusal a retry can clear. */
const RETRIABLE = new Set<TrackerErrorCode>([TrackerErrorCode.ConcurrentChange]);

/**
 * Why an event was not applied. Retrying cannot help any but a concurrent change: the event goes
 * to the DLQ with the reason, and is recorded.
 */
export class TrackerError extends Error {
  readonly retriable: boolean;
  constructor(
    readonly code: TrackerErrorCode,
    message: string,
  ) {
    super(`${code}: ${message}`);
    this.name = 'TrackerError';
    this.retriable = RETRIABLE.has(code);
  }
}
