import { Module } from '@nestjs/common';
import { LedgerModule } from '../ledger/ledger.module';
import { CancelReferral } from './cancel-referral';
import { ListReferrals } from './list-referrals';
import { ReadReferralHistory } from './read-referral-history';
import { ReadReferralOutcomes } from './read-referral-outcomes';
import { ReadReferralStatus } from './read-referral-status';
import { ReferralSubmissionRepository } from './referral-submission.repository';
import { ReferralTimelineController } from './referral-timeline.controller';
import { ReferralsController } from './referrals.controller';
import { SubmitReferral } from './submit-referral';

/** Referrers' referrals: submit, list, read, cancel, and each one's history and outcomes (`/v1/referrals`). */
@Module({
  imports: [LedgerModule],
  controllers: [ReferralsController, ReferralTimelineController],
  providers: [
    SubmitReferral,
    ListReferrals,
    ReadReferralStatus,
    ReadReferralHistory,
    ReadReferralOutcomes,
    CancelReferral,
    ReferralSubmissionRepository,
  ],
})
export class ReferralsModule {}
