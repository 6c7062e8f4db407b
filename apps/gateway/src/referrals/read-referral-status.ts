import { Injectable } from '@nestjs/common';
import { ReferralReadModel } from '../ledger/referral-read-model';
import type { Language } from '../problem/problem-language';
import { problem } from '../problem/problem';
import { ReferralSubmissionRepository } from './referral-submission.repository';
import { labelled, pendingStatus, statusView, type ReferralStatus } from './referral-status';
import { ReferralErrorCode } from './referral.error';

/**
 * `GET /v1/referrals/{id}`: where a referral stands, for its referrer only: the tracker's ledger
 * once it recorded the referral, else the gateway's own submission (so a read right after the
 * `202` finds it, `requested`). Another organization's referral is `404`, exactly like a missing one.
 */
@Injectable()
export class ReadReferralStatus {
  constructor(
    private readonly ledger: ReferralReadModel,
    private readonly submissions: ReferralSubmissionRepository,
  ) {}

  async execute(referrer: string, referralId: string, language: Language): Promise<ReferralStatus> {
    return labelled(await this.status(referrer, referralId), language);
  }

  private async status(referrer: string, referralId: string): Promise<ReferralStatus> {
    const tracked = await this.ledger.find(referralId, 'referrer', referrer);
    if (tracked) return statusView(tracked);
    const submitted = await this.submissions.findOfReferrer(referralId, referrer);
    if (!submitted) throw problem(404, 'no such referral', { code: ReferralErrorCode.NotFound });
    return pendingStatus(submitted.referralId, submitted.sourceReferralId, referrer);
  }
}
