import type { FieldError } from '@passerelle/contracts';

/** Why a webhook request was refused; the controller turns each into a problem response. */
export enum WebhookErrorCode {
  /** The body does not satisfy its schema, or the URL is refused (scheme, credentials, host). */
  InvalidSubscription = 'INVALID_SUBSCRIPTION',
  /** The query string (limit, cursor) is invalid. */
  InvalidQuery = 'INVALID_QUERY',
  /** No such subscription for this organization (another organization's is the same to the caller). */
  NotFound = 'WEBHOOK_NOT_FOUND',
  /** The organization already has as many live subscriptions as allowed. */
  LimitReached = 'WEBHOOK_LIMIT_REACHED',
}

export class WebhookError extends Error {
  constructor(
    readonly code: WebhookErrorCode,
    message: string,
    readonly errors?: FieldError[],
  ) {
    super(message);
    this.name = 'WebhookError';
  }
}
