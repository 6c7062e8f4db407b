import type { EventAppDefinition } from '@passerelle/runtime';
import { ReferralTrackerModule } from './referral-tracker.module';

export const referralTrackerApp: EventAppDefinition = {
  name: 'referral-tracker',
  module: ReferralTrackerModule,
  topics: ['referrals.v1', 'service-events.v1', 'outcomes.v1', 'clients.v1'],
  personalData: true,
  unknownTypes: 'skip',
  // A Kafka batch is applied set-based in one transaction (tracking/event-batches.ts).
  transactionPerBatch: true,
  // Three batches in flight: while one waits on PostgreSQL, another is decoded and applied. Safe
  // as replicas are: referral locks taken in id order, "latest" conflicts detected at write.
  batchConcurrency: 3,
};
