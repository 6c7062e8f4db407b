import { Injectable } from '@nestjs/common';
import type { ReferralResponse, components } from '@passerelle/contracts';
import { transition } from '@passerelle/lifecycle';
import { ApiEventSender, apiSourceRecord } from '../api-events';
import { ReferralReadModel } from '../ledger/referral-read-model';
import { problem } from '../problem/problem';
import { ReferralErrorCode } from '../referrals/referral.error';

export type ProviderDecision = components['schemas']['ProviderDecision'];
export type ProviderDecline = components['schemas']['ProviderDecline'];

/** A provider's answer to a referral routed to it. */
export type ProviderAnswer = { decision: 'accept' } | ({ decision: 'decline' } & ProviderDecline);

const RESPONSE_TYPE = 'ca.on.passerelle.referral.response-recorded';

/**
 * `POST /v1/provider/referrals/{id}/accept|decline`: a provider's answer to a referral routed to
 * it, checked against the lifecycle (`409` when its status does not allow it) and sent to the
 * tracker as `referral.response-recorded` on `referrals.v1` (acks=all before the `202`).
 */
@Injectable()
export class RespondToReferral {
  constructor(
    private readonly ledger: ReferralReadModel,
    private readonly events: ApiEventSender,
  ) {}

  async execute(
    provider: string,
    referralId: string,
    answer: ProviderAnswer,
    requestKey: string,
  ): Promise<ProviderDecision> {
    const referral = await this.ledger.find(referralId, 'provider', provider);
    if (!referral) throw problem(404, 'no such referral', { code: ReferralErrorCode.NotFound });
    const decline = answer.decision === 'decline' ? answer : undefined;
    const eventId = this.events.eventIdOf({ org: provider, requestKey, type: RESPONSE_TYPE, subject: referralId });
    const applied = await this.ledger.appliedAt(referralId, eventId);
    // This very request's answer is already in the ledger: its first try's reply was lost.
    if (applied) return { referralId, decision: answer.decision, decidedAt: applied.toISOString(), eventId };
    const allowed = transition(referral.status, {
      to: decline ? 'rejected' : 'accepted',
      actor: 'provider',
      ...(decline && {
        reason: { declineReason: decline.declineReason, ...(decline.note !== undefined && { text: decline.note }) },
      }),
    });
    // Whatever the lifecycle refuses conflicts with the referral's current status: 409.
    if (!allowed.ok) throw problem(409, allowed.reason, { code: allowed.code });

    const decidedAt = new Date().toISOString();
    const event = await this.events.send<ReferralResponse>({
      org: provider,
      requestKey,
      type: RESPONSE_TYPE,
      subject: referralId,
      clientId: referral.clientId,
      route: '/v1/provider/referrals',
      time: decidedAt,
      data: {
        referralId,
        clientId: referral.clientId,
        provider,
        decision: answer.decision,
        ...(decline && {
          declineReason: decline.declineReason,
          ...(decline.note !== undefined && { note: decline.note }),
        }),
        decidedAt,
        source: apiSourceRecord(provider, requestKey),
      },
    });
    return { referralId, decision: answer.decision, decidedAt, eventId: event.id };
  }
}
