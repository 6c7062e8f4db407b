import { Injectable } from '@nestjs/common';
import type { Referral, ReferralStatusChange } from '@passerelle/contracts';
import { checkStatusChange, type StatusChangeActor, type StatusChangeKind } from '@passerelle/lifecycle';
import { ApiEventSender, apiSourceRecord } from '../api-events';
import { ReferralReadModel } from '../ledger/referral-read-model';
import { problem } from '../problem/problem';
import type { ReferralChangeRequested } from './cancel-referral';
import { ReferralSubmissionRepository } from './referral-submission.repository';
import { ReferralErrorCode } from './referral.error';

export const STATUS_CHANGE_TYPE = 'ca.on.passerelle.referral.status-change-requested';

/** One lifecycle request over HTTP: who asks, in which role, about which referral, and why. */
export interface StatusChangeAsk {
  org: string;
  actor: StatusChangeActor;
  referralId: string;
  change: StatusChangeKind;
  reason?: string;
  requestKey: string;
}

/**
 * The lifecycle endpoints that only move a referral's status: provider on-hold / resume / cancel
 * / no-show, referrer entered-in-error. They differ only in the change asked (the controller's
 * route says which), so one use case serves them all: the referral found on the caller's side
 * (`404`; a referrer's referral accepted but not yet tracked: `409`, retry), a retry already
 * applied answered as its first try, the change checked against the lifecycle (`409` with the
 * refusal's code), then `referral.status-change-requested` sent to the tracker on `referrals.v1`
 * (acks=all before the `202`).
 */
@Injectable()
export class RequestStatusChange {
  constructor(
    private readonly ledger: ReferralReadModel,
    private readonly submissions: ReferralSubmissionRepository,
    private readonly events: ApiEventSender,
  ) {}

  async execute(ask: StatusChangeAsk): Promise<ReferralChangeRequested> {
    const { org, actor, referralId, change, reason, requestKey } = ask;
    const referral = await this.referralOf(ask);
    const eventId = this.events.eventIdOf({ org, requestKey, type: STATUS_CHANGE_TYPE, subject: referralId });
    const applied = await this.ledger.appliedAt(referralId, eventId);
    // This very request's change is already in the ledger: its first try's reply was lost.
    if (applied) return { referralId, change, requestedAt: applied.toISOString(), eventId };
    const allowed = checkStatusChange(referral.status, change, actor, reason);
    if (!allowed.ok) throw problem(409, allowed.reason, { code: allowed.code });
    const requestedAt = new Date().toISOString();
    const event = await this.events.send<ReferralStatusChange>({
      org,
      requestKey,
      type: STATUS_CHANGE_TYPE,
      subject: referralId,
      clientId: referral.clientId,
      route: actor === 'provider' ? '/v1/provider/referrals' : '/v1/referrals',
      time: requestedAt,
      data: {
        referralId,
        clientId: referral.clientId,
        requestedBy: org,
        actor,
        change,
        ...(reason !== undefined && { reason }),
        requestedAt,
        source: apiSourceRecord(org, requestKey),
      },
    });
    return { referralId, change, requestedAt, eventId: event.id };
  }

  private async referralOf({ org, actor, referralId }: StatusChangeAsk): Promise<Referral> {
    const referral = await this.ledger.find(referralId, actor, org);
    if (referral) return referral;
    if (actor === 'referrer' && (await this.submissions.findOfReferrer(referralId, org))) {
      throw problem(409, 'the referral is not recorded by the tracker yet; retry in a moment', {
        code: ReferralErrorCode.NotTrackedYet,
      });
    }
    throw problem(404, 'no such referral', { code: ReferralErrorCode.NotFound });
  }
}
