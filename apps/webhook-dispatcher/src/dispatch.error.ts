/** Why the dispatcher refused a notification event; the code ends up in the DLQ record's headers. */
export enum DispatchErrorCode {
  /** The event's data does not satisfy its type's schema (`canonical/referral-notification.json`, ...). */
  InvalidEvent = 'INVALID_EVENT',
}

/** Retrying cannot help: the event goes to `notifications.v1.dlq` with the reason. */
export class DispatchError extends Error {
  readonly retriable = false;
  constructor(
    readonly code: DispatchErrorCode,
    message: string,
  ) {
    super(`${code}: ${message}`);
    this.name = 'DispatchError';
  }
}
