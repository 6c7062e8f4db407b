import type { EventAppDefinition } from '@passerelle/runtime';
import { WebhookDispatcherModule } from './webhook-dispatcher.module';

export const webhookDispatcherApp: EventAppDefinition = {
  name: 'webhook-dispatcher',
  module: WebhookDispatcherModule,
  topics: ['notifications.v1'],
  // Every contract type of notifications.v1 has a handler; a type outside the contract is not for webhooks.
  unknownTypes: 'skip',
  transactionPerBatch: true,
};
