import { Injectable } from '@nestjs/common';
import { ApiEventSender } from '../api-events';
import { ReferralReadModel } from '../ledger/referral-read-model';
import type { ReferralChangeRequested } from '../referrals/cancel-referral';
import { requestStatusChange } from '../referrals/status-change-request';

/**
 * `POST /v1/provider/referrals/{id}/resume`: the provider resumes a referral on hold (on-hold -> in-progress), checked against the lifecycle (`409` when refused) and sent to the tracker as `referral.status-change-requested`.
 */
@Injectable()
export class ResumeReferral {
  constructor(
    private readonly ledger: ReferralReadModel,
    private readonly events: ApiEventSender,
  ) {}

  execute(provider: string, referralId: string, requestKey: string): Promise<ReferralChangeRequested> {
    return requestStatusChange(this.ledger, this.events, {
      org: provider,
      actor: 'provider',
      referralId,
      change: 'resume',
      requestKey,
    });
  }
}
