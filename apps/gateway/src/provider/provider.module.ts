import { Module } from '@nestjs/common';
import { LedgerModule } from '../ledger/ledger.module';
import { ReferralsModule } from '../referrals/referrals.module';
import { FollowUpReadModel } from './follow-up-read-model';
import { ListProviderFollowUps } from './list-provider-follow-ups';
import { ProviderFollowUpsController } from './provider-follow-ups.controller';
import { ReadProviderInbox } from './read-provider-inbox';
import { ProviderReferralsController } from './provider-referrals.controller';
import { RecordServiceRecords } from './record-service-records';
import { RespondToReferral } from './respond-to-referral';
import { ServiceRecordsController } from './service-records.controller';

/** EO providers: their inbox, their answer to a referral, their service records, their follow-ups due (`/v1/provider/...`). */
@Module({
  // ReferralsModule: the status changes a provider asks share the referrers' use case.
  imports: [LedgerModule, ReferralsModule],
  controllers: [ProviderReferralsController, ServiceRecordsController, ProviderFollowUpsController],
  providers: [ReadProviderInbox, RespondToReferral, RecordServiceRecords, FollowUpReadModel, ListProviderFollowUps],
})
export class ProviderModule {}
