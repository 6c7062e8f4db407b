import { Injectable } from '@nestjs/common';
import { ApiEventSender } from '../api-events';
import { ReferralReadModel } from '../ledger/referral-read-model';
import type { ReferralChangeRequested } from '../referrals/cancel-referral';
import { requestStatusChange } from '../referrals/status-change-request';

/**
 * `POST /v1/provider/referrals/{id}/cancel`: the provider cancels an open referral routed to it, with a reason, checked against the lifecycle (`409` when refused) and sent to the tracker as `referral.status-change-requested`.
 */
@Injectable()
export class CancelProviderReferral {
  constructor(
    private readonly ledger: ReferralReadModel,
    private readonly events: ApiEventSender,
  ) {}

  execute(provider: string, referralId: string, reason: string, requestKey: string): Promise<ReferralChangeRequested> {
    return requestStatusChange(this.ledger, this.events, {
      org: provider,
      actor: 'provider',
      referralId,
      change: 'cancel',
      reason,
      requestKey,
    });
  }
}
