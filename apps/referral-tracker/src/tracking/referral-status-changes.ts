import type { Referral, ReferralNotification } from '@passerelle/contracts';
import {
  LifecycleRefusal,
  businessStatusAfter,
  transition,
  type LifecycleActor,
  type StatusChange,
} from '@passerelle/lifecycle';
import type { TopicNames } from '@passerelle/messaging';
import type { LedgerBatch } from '../ledger/ledger-batch';
import { emitReferralChange } from './referral-change-events';
import { TrackerError, TrackerErrorCode } from './tracker.error';
import { checkedEvent, referralEvent, type Cause } from './tracker-events';

/** Who asks for a status change: the role the lifecycle checks, and the organization behind it. */
export interface ChangeRequester {
  actor: LifecycleActor;
  org: string;
}

/**
 * A referral's status and business status changes, part of {@link ReferralTracking}: checked
 * against the lifecycle and who is asking, recorded in the history, and announced (the referral
 * event and the referrer's notification) in the batch's outbox.
 */
export class ReferralStatusChanges {
  constructor(private readonly names: TopicNames) {}

  /** A status change asked for by a referrer, a provider or the tracker itself; refused unless the lifecycle allows it. */
  changeStatus(
    ledger: LedgerBatch,
    referralId: string,
    change: StatusChange,
    requester: ChangeRequester,
    cause: Cause,
  ): Referral {
    const referral = ledger.referral(referralId);
    if (!referral)
      throw new TrackerError(TrackerErrorCode.UnknownReferral, `referral ${referralId} is not known to the tracker`);
    const owner =
      requester.actor === 'referrer'
        ? referral.referrer
        : requester.actor === 'provider'
          ? referral.provider
          : requester.org;
    if (owner !== requester.org) {
      throw new TrackerError(
        TrackerErrorCode.ActorNotAllowed,
        `${requester.org} is not the ${requester.actor} of referral ${referralId}`,
      );
    }
    return this.change(ledger, referral, change, requester.org, cause, {});
  }

  change(
    ledger: LedgerBatch,
    referral: Referral,
    change: StatusChange,
    actorOrg: string,
    cause: Cause,
    options: { businessStatus?: Referral['businessStatus']; dropPersonal?: boolean },
  ): Referral {
    const result = transition(referral.status, change);
    if (!result.ok) throw new TrackerError(REFUSALS[result.code], result.reason);
    const next: Referral = {
      ...referral,
      status: result.status,
      businessStatus:
        options.businessStatus ??
        businessStatusAfter(referral.status, result.status, change.actor) ??
        referral.businessStatus,
      updatedAt: cause.occurredAt,
      ...(change.reason !== undefined && { statusReason: change.reason as Referral['statusReason'] }),
    };
    if (options.dropPersonal) delete next.personal;
    ledger.updateReferral(next);
    if (referral.status === 'requested') ledger.cancelTimer(`overdue:${referral.referralId}`, cause.occurredAt);
    if (next.status === 'accepted') ledger.setReferralFacts(next.referralId, { acceptedAt: cause.occurredAt });
    ledger.record({
      referralId: next.referralId,
      fromStatus: referral.status,
      toStatus: next.status,
      businessStatus: next.businessStatus,
      actor: change.actor,
      actorOrg,
      ...(change.reason !== undefined && { reason: change.reason as Referral['statusReason'] }),
      eventId: cause.eventId,
      occurredAt: cause.occurredAt,
    });
    const kind = result.eventType.slice('ca.on.passerelle.referral.'.length) as ReferralNotification['change'];
    const reason =
      change.reason?.declineReason !== undefined
        ? { code: change.reason.declineReason, ...(change.reason.text !== undefined && { text: change.reason.text }) }
        : change.reason?.text !== undefined
          ? { text: change.reason.text }
          : undefined;
    emitReferralChange(ledger, this.names, kind, next, cause, reason, change.actor);
    return next;
  }

  businessStatusChange(
    ledger: LedgerBatch,
    referral: Referral,
    businessStatus: Referral['businessStatus'],
    cause: Cause,
  ): void {
    if (referral.businessStatus === businessStatus) return;
    const next: Referral = { ...referral, businessStatus, updatedAt: cause.occurredAt };
    ledger.updateReferral(next);
    ledger.record({
      referralId: next.referralId,
      fromStatus: referral.status,
      toStatus: next.status,
      businessStatus,
      actor: 'provider',
      actorOrg: next.provider ?? 'unknown',
      eventId: cause.eventId,
      occurredAt: cause.occurredAt,
    });
    ledger.emit([
      {
        topic: this.names.of('referrals.v1'),
        event: checkedEvent(referralEvent('business-status-changed', next, cause)),
      },
    ]);
  }
}

const REFUSALS: Record<LifecycleRefusal, TrackerErrorCode> = {
  [LifecycleRefusal.IllegalTransition]: TrackerErrorCode.IllegalTransition,
  [LifecycleRefusal.ActorNotAllowed]: TrackerErrorCode.ActorNotAllowed,
  [LifecycleRefusal.ReasonRequired]: TrackerErrorCode.ReasonRequired,
};
