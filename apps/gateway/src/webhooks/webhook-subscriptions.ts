import { randomBytes, randomUUID } from 'node:crypto';
import type { WebhookAddressPolicy, WebhookHttpPolicy } from '@passerelle/config';
import { schemaIdForPath, schemaRegistry, type ReferralNotification, type components } from '@passerelle/contracts';
import { UUID } from '../api-events';
import { WebhookError, WebhookErrorCode } from './webhook.error';
import type {
  AttemptRow,
  DeliveryRow,
  SubscriptionRow,
  WebhookSubscriptionRepository,
} from './webhook-subscription-repository';
import { checkWebhookUrl } from './webhook-url';

export type WebhookSubscription = components['schemas']['WebhookSubscription'];
export type WebhookSubscriptionRequest = components['schemas']['WebhookSubscriptionRequest'];
export type WebhookSubscriptionList = components['schemas']['WebhookSubscriptionList'];
export type WebhookDelivery = components['schemas']['WebhookDelivery'];
export type WebhookDeliveryPage = components['schemas']['WebhookDeliveryPage'];

/** Live subscriptions one organization may hold: each one multiplies every notification. */
export const MAX_SUBSCRIPTIONS_PER_ORG = 20;

export interface DeliveryPageParams {
  limit?: string;
  cursor?: string;
}

const REQUEST_SCHEMA = schemaIdForPath('api/webhook-subscription-request.json');
const DEFAULT_PAGE = 20;

/** The use cases of `/v1/webhooks`: register, list, read, delete, and read the delivery log. */
export class WebhookSubscriptions {
  constructor(
    private readonly repository: WebhookSubscriptionRepository,
    private readonly httpPolicy: WebhookHttpPolicy,
    private readonly addressPolicy: WebhookAddressPolicy,
  ) {}

  /**
   * Checks the body and the URL, then stores the subscription with a new secret. Returns it
   * without the secret: that is added to the answer by {@link withSecret}, so no copy of it is
   * kept with the idempotent answer (deleting the subscription erases the only one).
   */
  async register(org: string, body: unknown): Promise<WebhookSubscription> {
    const valid = schemaRegistry().validate<WebhookSubscriptionRequest>(REQUEST_SCHEMA, body);
    if (!valid.ok)
      throw new WebhookError(WebhookErrorCode.InvalidSubscription, 'the webhook subscription is invalid', valid.errors);
    const url = checkWebhookUrl(valid.value.url, this.httpPolicy, this.addressPolicy);
    if (!url.ok)
      throw new WebhookError(WebhookErrorCode.InvalidSubscription, 'the webhook subscription is invalid', [url.error]);
    const secret = `whsec_${randomBytes(32).toString('base64url')}`;
    const stored = await this.repository.insertWithin(MAX_SUBSCRIPTIONS_PER_ORG, {
      id: randomUUID(),
      org,
      url: url.url,
      changes: valid.value.changes ?? null,
      description: valid.value.description ?? null,
      secret,
    });
    if (stored === 'limit-reached') {
      throw new WebhookError(
        WebhookErrorCode.LimitReached,
        `an organization may hold ${MAX_SUBSCRIPTIONS_PER_ORG} webhook subscriptions; delete one first`,
      );
    }
    return view(stored);
  }

  /** The answer to `POST /v1/webhooks` (first or replayed): the subscription with its secret, while it exists. */
  async withSecret(org: string, subscription: WebhookSubscription): Promise<WebhookSubscription> {
    const secret = await this.repository.secretOf(org, subscription.id);
    return secret === undefined ? subscription : { ...subscription, secret };
  }

  async list(org: string): Promise<WebhookSubscriptionList> {
    return { items: (await this.repository.listLive(org)).map(view) };
  }

  async read(org: string, id: string): Promise<WebhookSubscription> {
    return view(await this.live(org, id));
  }

  async delete(org: string, id: string): Promise<void> {
    if (!UUID.test(id) || !(await this.repository.delete(org, id.toLowerCase()))) throw notFound();
  }

  /** The delivery log, newest first; the cursor is the position of the last delivery shown. */
  async deliveries(org: string, id: string, params: DeliveryPageParams): Promise<WebhookDeliveryPage> {
    const errors = [
      ...(params.limit !== undefined && !/^([1-9]\d?|100)$/.test(params.limit)
        ? [{ pointer: '/limit', code: 'maximum', message: 'must be an integer from 1 to 100' }]
        : []),
      ...(params.cursor !== undefined && !/^[1-9]\d{0,17}$/.test(params.cursor)
        ? [{ pointer: '/cursor', code: 'format', message: 'is not a cursor this API gave' }]
        : []),
    ];
    if (errors.length > 0) throw new WebhookError(WebhookErrorCode.InvalidQuery, 'invalid query parameters', errors);
    const subscription = await this.live(org, id);
    const limit = params.limit === undefined ? DEFAULT_PAGE : Number(params.limit);
    const { deliveries, attempts } = await this.repository.deliveries(subscription.id, limit + 1, params.cursor);
    const page = deliveries.slice(0, limit);
    const byDelivery = new Map<string, AttemptRow[]>();
    for (const attempt of attempts)
      byDelivery.set(attempt.deliveryId, [...(byDelivery.get(attempt.deliveryId) ?? []), attempt]);
    return {
      items: page.map((delivery) => deliveryView(delivery, byDelivery.get(delivery.id) ?? [])),
      ...(deliveries.length > limit && { next: page[page.length - 1].seq }),
    };
  }

  private async live(org: string, id: string): Promise<SubscriptionRow> {
    const found = UUID.test(id) ? await this.repository.findLive(org, id.toLowerCase()) : undefined;
    if (!found) throw notFound();
    return found;
  }
}

function notFound(): WebhookError {
  return new WebhookError(WebhookErrorCode.NotFound, 'no such webhook subscription');
}

function view(row: SubscriptionRow): WebhookSubscription {
  return {
    id: row.id,
    url: row.url,
    ...(row.changes !== null && { changes: row.changes as WebhookSubscription['changes'] }),
    ...(row.description !== null && { description: row.description }),
    createdAt: row.createdAt.toISOString(),
  };
}

function deliveryView(delivery: DeliveryRow, attempts: AttemptRow[]): WebhookDelivery {
  // The body is the notification the dispatcher validated before queueing it.
  const notification = JSON.parse(delivery.body) as ReferralNotification;
  return {
    deliveryId: delivery.id,
    eventId: delivery.eventId,
    notificationId: notification.notificationId,
    referralId: notification.referralId,
    change: notification.change,
    state: delivery.state as WebhookDelivery['state'],
    createdAt: delivery.createdAt.toISOString(),
    ...(delivery.state === 'pending' &&
      delivery.nextAttemptAt !== null && { nextAttemptAt: delivery.nextAttemptAt.toISOString() }),
    ...(delivery.completedAt !== null && { completedAt: delivery.completedAt.toISOString() }),
    attempts: attempts.map((a) => ({
      attempt: a.attempt,
      attemptedAt: a.attemptedAt.toISOString(),
      durationMs: a.durationMs,
      ...(a.statusCode !== null && { statusCode: a.statusCode }),
      ...(a.error !== null && { error: a.error }),
      outcome: a.outcome as WebhookDelivery['attempts'][number]['outcome'],
      ...(a.nextAttemptAt !== null && { nextAttemptAt: a.nextAttemptAt.toISOString() }),
    })),
  };
}
