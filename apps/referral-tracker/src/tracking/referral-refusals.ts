import type { Referral, ReferralNotification, ReferralRefusal } from '@passerelle/contracts';
import { businessStatusAfter, transition, type RefusalReason } from '@passerelle/lifecycle';
import type { TopicNames } from '@passerelle/messaging';
import type { LedgerBatch } from '../ledger/ledger-batch';
import { TrackerError, TrackerErrorCode } from './tracker.error';
import { checkedEvent, notificationOf, referralEvent, type Cause } from './tracker-events';

/** Who refused, as the history names it: the adapter (the record) or the tracker (routing's consent check). */
export const GATEWAY_REFUSER = 'system:gateway';
export const ROUTING_REFUSER = 'system:routing';

/**
 * A referral the gateway answered `202` and then refused downstream (DESIGN.md: "a referral
 * refused downstream after its 202 is reported back to its referrer"), part of
 * {@link ReferralTracking}: it becomes `rejected` with business status `refused-by-gateway` and the
 * coded reason, recorded in its history, announced as `referral.rejected` and as the referrer's
 * `refused` notification (its webhooks). A referral that already moved on keeps its status: the
 * refusal is only written into its history.
 */
export class ReferralRefusals {
  constructor(private readonly names: TopicNames) {}

  /**
   * `referral.refused` from the adapter: the record carrying the referral could not be mapped. The
   * tracker usually never saw the referral (the refused record gave no `referral.submitted`): it
   * is recorded from what the refusal says of it, then rejected.
   */
  refusedUpstream(ledger: LedgerBatch, refusal: ReferralRefusal, cause: Cause): void {
    const known = ledger.referral(refusal.referralId);
    if (known) {
      this.refuse(ledger, known, refusal.reason, GATEWAY_REFUSER, cause);
      return;
    }
    const { pathway, serviceWanted, consentId, requestedAt } = refusal;
    // Without these the canonical referral cannot exist; the gateway refuses such a record before its 202.
    if (pathway === undefined || serviceWanted === undefined || consentId === undefined || requestedAt === undefined)
      throw new TrackerError(
        TrackerErrorCode.UnknownReferral,
        `refused referral ${refusal.referralId} is not known to the tracker and the refusal does not describe it`,
      );
    const requested: Referral = {
      referralId: refusal.referralId,
      clientId: refusal.clientId,
      program: refusal.program,
      source: refusal.source,
      referrer: refusal.referrer,
      sourceReferralId: refusal.sourceReferralId,
      pathway,
      serviceWanted,
      consentId,
      status: 'requested',
      businessStatus: 'created',
      requestedAt,
      updatedAt: cause.occurredAt,
    };
    ledger.insertReferral(requested);
    ledger.record({
      referralId: requested.referralId,
      fromStatus: null,
      toStatus: 'requested',
      businessStatus: 'created',
      actor: 'referrer',
      actorOrg: requested.referrer,
      eventId: cause.eventId,
      occurredAt: cause.occurredAt,
    });
    this.refuse(ledger, requested, refusal.reason, GATEWAY_REFUSER, cause);
  }

  /**
   * Rejects `referral` as refused by the gateway if it is still `requested`; otherwise (accepted,
   * cancelled, already refused...) keeps it as it is and records the refusal in its history only,
   * so a late refusal never takes a referral back.
   */
  refuse(ledger: LedgerBatch, referral: Referral, reason: RefusalReason, refuser: string, cause: Cause): Referral {
    const change = refusalChange(referral, reason);
    if (change.kind === 'history-only') {
      ledger.record({
        referralId: referral.referralId,
        fromStatus: referral.status,
        toStatus: referral.status,
        businessStatus: referral.businessStatus,
        actor: 'system',
        actorOrg: refuser,
        reason: historyReason(reason),
        eventId: cause.eventId,
        occurredAt: cause.occurredAt,
      });
      return referral;
    }
    const next: Referral = { ...change.referral, updatedAt: cause.occurredAt };
    ledger.updateReferral(next);
    ledger.cancelTimer(`overdue:${referral.referralId}`, cause.occurredAt);
    ledger.record({
      referralId: next.referralId,
      fromStatus: referral.status,
      toStatus: next.status,
      businessStatus: next.businessStatus,
      actor: 'system',
      actorOrg: refuser,
      reason: historyReason(reason),
      eventId: cause.eventId,
      occurredAt: cause.occurredAt,
    });
    const event = referralEvent('rejected', next, cause);
    const notification = notificationOf('refused', event, notificationReason(reason));
    ledger.emit([
      { topic: this.names.of('referrals.v1'), event: checkedEvent(event) },
      { topic: this.names.of('notifications.v1'), event: checkedEvent(notification) },
    ]);
    return next;
  }
}

export type RefusalChange = { kind: 'rejected'; referral: Referral } | { kind: 'history-only' };

/**
 * What a refusal does to `referral`, by the lifecycle (`requested` -> `rejected` by the system,
 * coded): the rejected referral, or nothing but a history entry when the lifecycle does not allow
 * it (the referral moved on). Pure.
 */
export function refusalChange(referral: Referral, reason: RefusalReason): RefusalChange {
  const result = transition(referral.status, { to: 'rejected', actor: 'system', reason: { refusal: reason } });
  if (!result.ok) return { kind: 'history-only' };
  const businessStatus = businessStatusAfter(referral.status, result.status, 'system') ?? referral.businessStatus;
  const rejected: Referral = {
    ...referral,
    status: result.status,
    businessStatus,
    // `other`: a rejected referral carries a decline code (referral.json); the refusal says what it was.
    statusReason: { declineReason: 'other', text: reason.message, refusal: reason },
  };
  return { kind: 'rejected', referral: rejected };
}

function historyReason(reason: RefusalReason): { code: string; text: string; field?: string } {
  return { code: reason.code, text: reason.message, ...(reason.field !== undefined && { field: reason.field }) };
}

function notificationReason(reason: RefusalReason): NonNullable<ReferralNotification['reason']> {
  return historyReason(reason);
}
