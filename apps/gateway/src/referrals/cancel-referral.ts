import { Injectable } from '@nestjs/common';
import type { ReferralCancellation, components } from '@passerelle/contracts';
import { transition } from '@passerelle/lifecycle';
import { ApiEventSender, apiSourceRecord } from '../api-events';
import { ReferralReadModel } from '../ledger/referral-read-model';
import { problem } from '../problem/problem';
import { ReferralSubmissionRepository } from './referral-submission.repository';
import { ReferralErrorCode } from './referral.error';

export type ReferralChangeRequested = components['schemas']['ReferralChangeRequested'];

const CANCELLATION_TYPE = 'ca.on.passerelle.referral.cancellation-requested';

/**
 * `POST /v1/referrals/{id}/cancel`: a referrer cancels its referral with a reason, checked against
 * the lifecycle (`409` when refused), then sent to the tracker as `referral.cancellation-requested`.
 * A referral accepted but not yet recorded by the tracker is `409` (retry), an unknown one `404`.
 */
@Injectable()
export class CancelReferral {
  constructor(
    private readonly ledger: ReferralReadModel,
    private readonly submissions: ReferralSubmissionRepository,
    private readonly events: ApiEventSender,
  ) {}

  async execute(
    referrer: string,
    referralId: string,
    reason: string,
    requestKey: string,
  ): Promise<ReferralChangeRequested> {
    const referral = await this.ledger.find(referralId, 'referrer', referrer);
    if (!referral) {
      const pending = await this.submissions.findOfReferrer(referralId, referrer);
      throw pending
        ? problem(409, 'the referral is not recorded by the tracker yet; retry in a moment', {
            code: ReferralErrorCode.NotTrackedYet,
          })
        : problem(404, 'no such referral', { code: ReferralErrorCode.NotFound });
    }
    const eventId = this.events.eventIdOf({ org: referrer, requestKey, type: CANCELLATION_TYPE, subject: referralId });
    const applied = await this.ledger.appliedAt(referralId, eventId);
    // This very request's cancellation is already in the ledger: its first try's reply was lost.
    if (applied) return { referralId, change: 'cancel', requestedAt: applied.toISOString(), eventId };
    const allowed = transition(referral.status, { to: 'cancelled', actor: 'referrer', reason: { text: reason } });
    if (!allowed.ok) throw problem(409, allowed.reason, { code: allowed.code });
    const requestedAt = new Date().toISOString();
    const event = await this.events.send<ReferralCancellation>({
      org: referrer,
      requestKey,
      type: CANCELLATION_TYPE,
      subject: referralId,
      clientId: referral.clientId,
      route: '/v1/referrals',
      time: requestedAt,
      data: {
        referralId,
        clientId: referral.clientId,
        requestedBy: referrer,
        reason,
        requestedAt,
        source: apiSourceRecord(referrer, requestKey),
      },
    });
    return { referralId, change: 'cancel', requestedAt, eventId: event.id };
  }
}
