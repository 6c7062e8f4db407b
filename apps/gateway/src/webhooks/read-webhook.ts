import { Injectable } from '@nestjs/common';
import { NO_SUCH_SUBSCRIPTION, WebhookErrorCode, webhookRefusal } from './webhook.error';
import { WebhookSubscriptionRepository } from './webhook-subscription-repository';
import { subscriptionView, type WebhookSubscription } from './webhook-views';

/** One live subscription of the organization; another organization's is `404`, like a missing one. */
@Injectable()
export class ReadWebhook {
  constructor(private readonly repository: WebhookSubscriptionRepository) {}

  async execute(org: string, id: string): Promise<WebhookSubscription> {
    const found = await this.repository.findLive(org, id);
    if (!found) throw webhookRefusal(WebhookErrorCode.NotFound, NO_SUCH_SUBSCRIPTION);
    return subscriptionView(found);
  }
}
