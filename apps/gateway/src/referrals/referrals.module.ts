import { Module } from '@nestjs/common';
import { LedgerModule } from '../ledger/ledger.module';
import { CancelReferral } from './cancel-referral';
import { ListReferrals } from './list-referrals';
import { OdspReferralsController } from './odsp-referrals.controller';
import { ReadReferralHistory } from './read-referral-history';
import { ReadReferralOutcomes } from './read-referral-outcomes';
import { ReadReferralStatus } from './read-referral-status';
import { ReferralSubmissionRepository } from './referral-submission.repository';
import { ReferralTimelineController } from './referral-timeline.controller';
import { RequestStatusChange } from './request-status-change';
import { ReferralsController } from './referrals.controller';
import { SubmitOdspReferral, SubmitReferral } from './submit-referral';

/**
 * Referrers' referrals: submit (`/v1/referrals`; ODSP offices `/v1/odsp/referrals`), list, read,
 * cancel, and each one's history and outcomes.
 */
@Module({
  imports: [LedgerModule],
  controllers: [ReferralsController, OdspReferralsController, ReferralTimelineController],
  providers: [
    SubmitReferral,
    SubmitOdspReferral,
    ListReferrals,
    ReadReferralStatus,
    ReadReferralHistory,
    ReadReferralOutcomes,
    CancelReferral,
    RequestStatusChange,
    ReferralSubmissionRepository,
  ],
  exports: [RequestStatusChange],
})
export class ReferralsModule {}
