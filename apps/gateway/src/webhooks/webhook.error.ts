import type { HttpException } from '@nestjs/common';
import type { FieldError } from '@passerelle/contracts';
import { problem } from '../problem/problem';

/** Why a webhook request was refused. */
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

const STATUS: Record<WebhookErrorCode, number> = {
  [WebhookErrorCode.InvalidSubscription]: 400,
  [WebhookErrorCode.InvalidQuery]: 400,
  [WebhookErrorCode.NotFound]: 404,
  [WebhookErrorCode.LimitReached]: 409,
};

/** A refusal as its problem response (`errors`: one per invalid field). */
export function webhookRefusal(code: WebhookErrorCode, detail: string, errors?: FieldError[]): HttpException {
  return problem(STATUS[code], detail, { code, errors });
}

export const NO_SUCH_SUBSCRIPTION = 'no such webhook subscription';
