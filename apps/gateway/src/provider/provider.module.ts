import { Module } from '@nestjs/common';
import { LedgerModule } from '../ledger/ledger.module';
import { CancelProviderReferral } from './cancel-provider-referral';
import { PutReferralOnHold } from './put-referral-on-hold';
import { ReadProviderInbox } from './read-provider-inbox';
import { RecordNoShow } from './record-no-show';
import { ResumeReferral } from './resume-referral';
import { ProviderReferralsController } from './provider-referrals.controller';
import { RecordServiceRecords } from './record-service-records';
import { RespondToReferral } from './respond-to-referral';
import { ServiceRecordsController } from './service-records.controller';

/** EO providers: their inbox, their answer to a referral, their service records (`/v1/provider/...`). */
@Module({
  imports: [LedgerModule],
  controllers: [ProviderReferralsController, ServiceRecordsController],
  providers: [
    ReadProviderInbox,
    RespondToReferral,
    RecordServiceRecords,
    PutReferralOnHold,
    ResumeReferral,
    CancelProviderReferral,
    RecordNoShow,
  ],
})
export class ProviderModule {}
