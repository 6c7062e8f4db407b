import { Module } from '@nestjs/common';
import { SecretSeal } from '@passerelle/crypto';
import type { GatewayConfig } from '../gateway.config';
import { GATEWAY_CONFIG } from '../tokens';
import { DeleteWebhook } from './delete-webhook';
import { ListWebhookDeliveries } from './list-webhook-deliveries';
import { ListWebhooks } from './list-webhooks';
import { ReadWebhook } from './read-webhook';
import { RegisterWebhook } from './register-webhook';
import { RevealWebhookSecret } from './reveal-webhook-secret.interceptor';
import { WebhookSubscriptionRepository } from './webhook-subscription-repository';
import { WebhooksController } from './webhooks.controller';

/** `/v1/webhooks`: referrers' and providers' webhook subscriptions and their delivery log. */
@Module({
  controllers: [WebhooksController],
  providers: [
    {
      // Signing secrets are stored sealed (WEBHOOK_SECRET_KEY), bound to their subscription's id.
      provide: SecretSeal,
      useFactory: (config: GatewayConfig) => new SecretSeal(config.webhookSecretKey, config.webhookSecretPreviousKeys),
      inject: [GATEWAY_CONFIG],
    },
    WebhookSubscriptionRepository,
    RevealWebhookSecret,
    RegisterWebhook,
    ListWebhooks,
    ReadWebhook,
    DeleteWebhook,
    ListWebhookDeliveries,
  ],
})
export class WebhooksModule {}
