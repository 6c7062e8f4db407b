import { Injectable } from '@nestjs/common';
import { ApiEventSender } from '../api-events';
import { ReferralReadModel } from '../ledger/referral-read-model';
import { problem } from '../problem/problem';
import type { ReferralChangeRequested } from './cancel-referral';
import { ReferralSubmissionRepository } from './referral-submission.repository';
import { ReferralErrorCode } from './referral.error';
import { requestStatusChange } from './status-change-request';

/**
 * `POST /v1/referrals/{id}/entered-in-error`: the referrer voids one of its open referrals recorded in error (terminal `entered-in-error`); one accepted but not yet recorded by the tracker is `409` (retry), checked against the lifecycle (`409` when refused) and sent to the tracker as `referral.status-change-requested`.
 */
@Injectable()
export class MarkEnteredInError {
  constructor(
    private readonly ledger: ReferralReadModel,
    private readonly submissions: ReferralSubmissionRepository,
    private readonly events: ApiEventSender,
  ) {}

  execute(referrer: string, referralId: string, requestKey: string): Promise<ReferralChangeRequested> {
    return requestStatusChange(
      this.ledger,
      this.events,
      {
        org: referrer,
        actor: 'referrer',
        referralId,
        change: 'entered-in-error',
        requestKey,
      },
      // Accepted (202) but not yet recorded by the tracker: 409, retry; unknown: 404.
      async () =>
        (await this.submissions.findOfReferrer(referralId, referrer))
          ? problem(409, 'the referral is not recorded by the tracker yet; retry in a moment', {
              code: ReferralErrorCode.NotTrackedYet,
            })
          : problem(404, 'no such referral', { code: ReferralErrorCode.NotFound }),
    );
  }
}
