import { Injectable } from '@nestjs/common';
import { NO_SUCH_SUBSCRIPTION, WebhookErrorCode, webhookRefusal } from './webhook.error';
import { WebhookSubscriptionRepository } from './webhook-subscription-repository';

/** Deletes a live subscription of the organization and cancels its pending deliveries. */
@Injectable()
export class DeleteWebhook {
  constructor(private readonly repository: WebhookSubscriptionRepository) {}

  async execute(org: string, id: string): Promise<void> {
    if (!(await this.repository.delete(org, id))) throw webhookRefusal(WebhookErrorCode.NotFound, NO_SUCH_SUBSCRIPTION);
  }
}
