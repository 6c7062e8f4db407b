import { Injectable } from '@nestjs/common';
import { ApiEventSender } from '../api-events';
import { ReferralReadModel } from '../ledger/referral-read-model';
import type { ReferralChangeRequested } from '../referrals/cancel-referral';
import { requestStatusChange } from '../referrals/status-change-request';

/**
 * `POST /v1/provider/referrals/{id}/on-hold`: the provider pauses a referral it took on, with a reason (accepted or in-progress -> on-hold), checked against the lifecycle (`409` when refused) and sent to the tracker as `referral.status-change-requested`.
 */
@Injectable()
export class PutReferralOnHold {
  constructor(
    private readonly ledger: ReferralReadModel,
    private readonly events: ApiEventSender,
  ) {}

  execute(provider: string, referralId: string, reason: string, requestKey: string): Promise<ReferralChangeRequested> {
    return requestStatusChange(this.ledger, this.events, {
      org: provider,
      actor: 'provider',
      referralId,
      change: 'on-hold',
      reason,
      requestKey,
    });
  }
}
