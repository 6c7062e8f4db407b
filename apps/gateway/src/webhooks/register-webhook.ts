import { Inject, Injectable } from '@nestjs/common';
import { randomBytes, randomUUID } from 'node:crypto';
import type { GatewayConfig } from '../gateway.config';
import { IdempotentAnswer } from '../idempotency/idempotent-answer';
import { GATEWAY_CONFIG } from '../tokens';
import { WebhookErrorCode, webhookRefusal } from './webhook.error';
import { WebhookSubscriptionRepository } from './webhook-subscription-repository';
import { checkWebhookUrl } from './webhook-url';
import { subscriptionView, type WebhookSubscription, type WebhookSubscriptionRequest } from './webhook-views';

/** Live subscriptions one organization may hold: each one multiplies every notification. */
export const MAX_SUBSCRIPTIONS_PER_ORG = 20;

/**
 * Checks the URL, then stores the subscription with a new secret. Answers it without the
 * secret: `RevealWebhookSecret` adds that to the answer, so no copy of it is kept with the
 * idempotent answer (deleting the subscription erases the only one).
 */
@Injectable()
export class RegisterWebhook {
  constructor(
    private readonly repository: WebhookSubscriptionRepository,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
  ) {}

  async execute(org: string, request: WebhookSubscriptionRequest): Promise<IdempotentAnswer<WebhookSubscription>> {
    const url = checkWebhookUrl(request.url, this.config.webhookHttpUrls, this.config.webhookAddresses);
    if (!url.ok)
      throw webhookRefusal(WebhookErrorCode.InvalidSubscription, 'the webhook subscription is invalid', [url.error]);
    const stored = await this.repository.insertWithin(MAX_SUBSCRIPTIONS_PER_ORG, {
      id: randomUUID(),
      org,
      url: url.url,
      changes: request.changes ?? null,
      description: request.description ?? null,
      secret: `whsec_${randomBytes(32).toString('base64url')}`,
    });
    if (stored === 'limit-reached') {
      throw webhookRefusal(
        WebhookErrorCode.LimitReached,
        `an organization may hold ${MAX_SUBSCRIPTIONS_PER_ORG} webhook subscriptions; delete one first`,
      );
    }
    return new IdempotentAnswer(subscriptionView(stored), { headers: { location: `/v1/webhooks/${stored.id}` } });
  }
}
