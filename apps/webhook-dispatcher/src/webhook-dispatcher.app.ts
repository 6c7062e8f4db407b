import type { EventAppDefinition } from '@passerelle/runtime';
import { WebhookDispatcherModule } from './webhook-dispatcher.module';

export const webhookDispatcherApp: EventAppDefinition = {
  name: 'webhook-dispatcher',
  module: WebhookDispatcherModule,
  topics: ['notifications.v1'],
  // notifications.v1 also carries alerts that are not referral status changes: not for webhooks.
  unknownTypes: 'skip',
  transactionPerBatch: true,
};
