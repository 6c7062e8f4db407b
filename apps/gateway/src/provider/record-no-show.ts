import { Injectable } from '@nestjs/common';
import { ApiEventSender } from '../api-events';
import { ReferralReadModel } from '../ledger/referral-read-model';
import type { ReferralChangeRequested } from '../referrals/cancel-referral';
import { requestStatusChange } from '../referrals/status-change-request';

/**
 * `POST /v1/provider/referrals/{id}/no-show`: the provider records that the client did not come (business status `event-unattended`) on a referral it took on and that is still open (`409` otherwise), sent to the tracker as `referral.status-change-requested`.
 */
@Injectable()
export class RecordNoShow {
  constructor(
    private readonly ledger: ReferralReadModel,
    private readonly events: ApiEventSender,
  ) {}

  execute(provider: string, referralId: string, requestKey: string): Promise<ReferralChangeRequested> {
    return requestStatusChange(this.ledger, this.events, {
      org: provider,
      actor: 'provider',
      referralId,
      change: 'no-show',
      requestKey,
    });
  }
}
