import { Module } from '@nestjs/common';
import { LedgerModule } from '../ledger/ledger.module';
import { CancelReferral } from './cancel-referral';
import { ListReferrals } from './list-referrals';
import { ReadReferralStatus } from './read-referral-status';
import { ReferralSubmissionRepository } from './referral-submission.repository';
import { ReferralsController } from './referrals.controller';
import { SubmitReferral } from './submit-referral';

/** Referrers' referrals: submit, list, read, cancel (`/v1/referrals`). */
@Module({
  imports: [LedgerModule],
  controllers: [ReferralsController],
  providers: [SubmitReferral, ListReferrals, ReadReferralStatus, CancelReferral, ReferralSubmissionRepository],
})
export class ReferralsModule {}
