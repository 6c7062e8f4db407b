import { Injectable } from '@nestjs/common';
import { ReferralTimelineReadModel, type RecordedChange } from '../ledger/referral-timeline-read-model';
import { problem } from '../problem/problem';
import type { Language } from '../problem/problem-language';
import { referralHistory, type ReferralHistory } from './referral-history';
import { ReferralSubmissionRepository } from './referral-submission.repository';
import { ReferralErrorCode } from './referral.error';

/**
 * `GET /v1/referrals/{id}/history`: every change the tracker recorded of one of the referrer's
 * referrals. A submission the tracker has not recorded yet has no change to show (empty), as
 * `GET /v1/referrals/{id}` finds it `requested`; another organization's referral is `404`,
 * exactly like a missing one.
 */
@Injectable()
export class ReadReferralHistory {
  constructor(
    private readonly timeline: ReferralTimelineReadModel,
    private readonly submissions: ReferralSubmissionRepository,
  ) {}

  async execute(referrer: string, referralId: string, language: Language): Promise<ReferralHistory> {
    const changes = (await this.timeline.history(referralId, referrer)) ?? (await this.pending(referralId, referrer));
    return referralHistory(referralId, changes, language);
  }

  private async pending(referralId: string, referrer: string): Promise<RecordedChange[]> {
    if (!(await this.submissions.findOfReferrer(referralId, referrer)))
      throw problem(404, 'no such referral', { code: ReferralErrorCode.NotFound });
    return [];
  }
}
