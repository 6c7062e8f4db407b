import { Module } from '@nestjs/common';
import { ConsentReadModel } from './consent-read-model';
import { ReferralReadModel } from './referral-read-model';
import { ReferralTimelineReadModel } from './referral-timeline-read-model';

/**
 * The tracker's ledger as the gateway may read it: read-only ports (the tables are typed
 * read-only in `GatewayDatabase`, so a write does not compile). Feature modules import this
 * module instead of querying the tracker's tables themselves.
 */
@Module({
  providers: [ReferralReadModel, ReferralTimelineReadModel, ConsentReadModel],
  exports: [ReferralReadModel, ReferralTimelineReadModel, ConsentReadModel],
})
export class LedgerModule {}
