import type { EventAppDefinition } from '@passerelle/runtime';
import { ReferralTrackerModule } from './referral-tracker.module';

export const referralTrackerApp: EventAppDefinition = {
  name: 'referral-tracker',
  module: ReferralTrackerModule,
  topics: ['referrals.v1', 'service-events.v1', 'outcomes.v1', 'clients.v1'],
  unknownTypes: 'skip',
  // One commit per Kafka batch: the tracker's cost is its commits, not its statements.
  transactionPerBatch: true,
};
