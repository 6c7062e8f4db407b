import { Injectable } from '@nestjs/common';
import { ReferralTimelineReadModel, type RecordedOutcome } from '../ledger/referral-timeline-read-model';
import { problem } from '../problem/problem';
import type { Language } from '../problem/problem-language';
import { referralOutcomes, type ReferralOutcomes } from './referral-outcomes';
import { ReferralSubmissionRepository } from './referral-submission.repository';
import { ReferralErrorCode } from './referral.error';

/**
 * `GET /v1/referrals/{id}/outcomes`: the outcome milestones the tracker tied to one of the
 * referrer's referrals. None yet for a submission the tracker has not recorded; another
 * organization's referral is `404`, exactly like a missing one.
 */
@Injectable()
export class ReadReferralOutcomes {
  constructor(
    private readonly timeline: ReferralTimelineReadModel,
    private readonly submissions: ReferralSubmissionRepository,
  ) {}

  async execute(referrer: string, referralId: string, language: Language): Promise<ReferralOutcomes> {
    const outcomes = (await this.timeline.outcomes(referralId, referrer)) ?? (await this.pending(referralId, referrer));
    return referralOutcomes(referralId, outcomes, language);
  }

  private async pending(referralId: string, referrer: string): Promise<RecordedOutcome[]> {
    if (!(await this.submissions.findOfReferrer(referralId, referrer)))
      throw problem(404, 'no such referral', { code: ReferralErrorCode.NotFound });
    return [];
  }
}
