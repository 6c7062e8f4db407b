import type { ReferralStatusChange } from '@passerelle/contracts';
import { checkStatusChange, type StatusChangeActor, type StatusChangeKind } from '@passerelle/lifecycle';
import { apiSourceRecord, type ApiEventSender } from '../api-events';
import type { ReferralReadModel } from '../ledger/referral-read-model';
import { problem } from '../problem/problem';
import type { ReferralChangeRequested } from './cancel-referral';
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
 * What the five lifecycle endpoints share: the referral found on the caller's side (`404`
 * otherwise, or what `notFound` says), a retry already applied answered as the first try, the change checked against the
 * lifecycle (`409` with the refusal's code), then `referral.status-change-requested` sent to the
 * tracker on `referrals.v1` (acks=all before the `202`).
 */
export async function requestStatusChange(
  ledger: ReferralReadModel,
  events: ApiEventSender,
  ask: StatusChangeAsk,
  notFound: () => Promise<Error> = () =>
    Promise.resolve(problem(404, 'no such referral', { code: ReferralErrorCode.NotFound })),
): Promise<ReferralChangeRequested> {
  const { org, actor, referralId, change, reason, requestKey } = ask;
  const referral = await ledger.find(referralId, actor, org);
  if (!referral) throw await notFound();
  const eventId = events.eventIdOf({ org, requestKey, type: STATUS_CHANGE_TYPE, subject: referralId });
  const applied = await ledger.appliedAt(referralId, eventId);
  // This very request's change is already in the ledger: its first try's reply was lost.
  if (applied) return { referralId, change, requestedAt: applied.toISOString(), eventId };
  const allowed = checkStatusChange(referral.status, change, actor, reason);
  if (!allowed.ok) throw problem(409, allowed.reason, { code: allowed.code });
  const requestedAt = new Date().toISOString();
  const event = await events.send<ReferralStatusChange>({
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
