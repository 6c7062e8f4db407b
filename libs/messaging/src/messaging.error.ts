/** Every failure the messaging port raises carries one of these codes (logged and put in DLQ headers). */
export enum MessagingErrorCode {
  MissingHeader = 'MISSING_HEADER',
  UnsupportedSpecVersion = 'UNSUPPORTED_SPECVERSION',
  UnsupportedContentType = 'UNSUPPORTED_CONTENT_TYPE',
  InvalidHeader = 'INVALID_HEADER',
  InvalidJson = 'INVALID_JSON',
  EmptyValue = 'EMPTY_VALUE',
  HandlerFailed = 'HANDLER_FAILED',
  NoHandler = 'NO_HANDLER',
  TopicProvisioning = 'TOPIC_PROVISIONING',
  /** Kafka did not acknowledge a write (acks=all) within the time a caller may wait. */
  WriteTimedOut = 'WRITE_TIMED_OUT',
}

export class MessagingError extends Error {
  constructor(
    readonly code: MessagingErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'MessagingError';
  }

  /** Decode errors are about the bytes on the wire: retrying them cannot help. */
  get retriable(): boolean {
    return this.code === MessagingErrorCode.HandlerFailed || this.code === MessagingErrorCode.WriteTimedOut;
  }
}
