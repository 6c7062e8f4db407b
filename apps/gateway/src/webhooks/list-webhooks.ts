import { Injectable } from '@nestjs/common';
import { WebhookSubscriptionRepository } from './webhook-subscription-repository';
import { subscriptionView, type WebhookSubscriptionList } from './webhook-views';

/** An organization's live subscriptions, oldest first. */
@Injectable()
export class ListWebhooks {
  constructor(private readonly repository: WebhookSubscriptionRepository) {}

  async execute(org: string): Promise<WebhookSubscriptionList> {
    return { items: (await this.repository.listLive(org)).map(subscriptionView) };
  }
}
