import { Injectable, type PipeTransform } from '@nestjs/common';
import { NO_SUCH_SUBSCRIPTION, WebhookErrorCode, webhookRefusal } from './webhook.error';
import { WebhookSubscriptionRepository, type AttemptRow } from './webhook-subscription-repository';
import { deliveryView, type WebhookDeliveryPage } from './webhook-views';

/** The query string of a delivery log page, as received. */
export interface DeliveryPageParams {
  limit?: string;
  cursor?: string;
}

/** A page of the delivery log: how many, and before which delivery (its position, as the last page gave it). */
export interface DeliveryPageQuery {
  limit: number;
  cursor?: string;
}

const DEFAULT_PAGE = 20;

/** Checks a delivery log's query string: `@Query(DeliveryPageQueryPipe) query: DeliveryPageQuery`. */
@Injectable()
export class DeliveryPageQueryPipe implements PipeTransform<DeliveryPageParams, DeliveryPageQuery> {
  transform(params: DeliveryPageParams): DeliveryPageQuery {
    const errors = [
      ...(params.limit !== undefined && !/^([1-9]\d?|100)$/.test(params.limit)
        ? [{ pointer: '/limit', code: 'maximum', message: 'must be an integer from 1 to 100' }]
        : []),
      ...(params.cursor !== undefined && !/^[1-9]\d{0,17}$/.test(params.cursor)
        ? [{ pointer: '/cursor', code: 'format', message: 'is not a cursor this API gave' }]
        : []),
    ];
    if (errors.length > 0) throw webhookRefusal(WebhookErrorCode.InvalidQuery, 'invalid query parameters', errors);
    return {
      limit: params.limit === undefined ? DEFAULT_PAGE : Number(params.limit),
      ...(params.cursor !== undefined && { cursor: params.cursor }),
    };
  }
}

/** A subscription's delivery log, newest first; the cursor is the position of the last delivery shown. */
@Injectable()
export class ListWebhookDeliveries {
  constructor(private readonly repository: WebhookSubscriptionRepository) {}

  async execute(org: string, id: string, { limit, cursor }: DeliveryPageQuery): Promise<WebhookDeliveryPage> {
    const subscription = await this.repository.findLive(org, id);
    if (!subscription) throw webhookRefusal(WebhookErrorCode.NotFound, NO_SUCH_SUBSCRIPTION);
    const { deliveries, attempts } = await this.repository.deliveries(subscription.id, limit + 1, cursor);
    const page = deliveries.slice(0, limit);
    const byDelivery = new Map<string, AttemptRow[]>();
    for (const attempt of attempts)
      byDelivery.set(attempt.deliveryId, [...(byDelivery.get(attempt.deliveryId) ?? []), attempt]);
    return {
      items: page.map((delivery) => deliveryView(delivery, byDelivery.get(delivery.id) ?? [])),
      ...(deliveries.length > limit && { next: page[page.length - 1].seq }),
    };
  }
}
