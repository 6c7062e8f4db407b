import { Module } from '@nestjs/common';
import { LedgerModule } from '../ledger/ledger.module';
import { ReferralsModule } from '../referrals/referrals.module';
import { ReadProviderInbox } from './read-provider-inbox';
import { ProviderReferralsController } from './provider-referrals.controller';
import { RecordServiceRecords } from './record-service-records';
import { RespondToReferral } from './respond-to-referral';
import { ServiceRecordsController } from './service-records.controller';

/** EO providers: their inbox, their answer to a referral, their service records (`/v1/provider/...`). */
@Module({
  // ReferralsModule: the status changes a provider asks share the referrers' use case.
  imports: [LedgerModule, ReferralsModule],
  controllers: [ProviderReferralsController, ServiceRecordsController],
  providers: [ReadProviderInbox, RespondToReferral, RecordServiceRecords],
})
export class ProviderModule {}
