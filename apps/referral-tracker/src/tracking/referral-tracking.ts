import type {
  Consent,
  Referral,
  ReferralCancellation,
  ReferralRefusal,
  ReferralResponse,
  ReferralStatusChange,
  ServiceEvent,
} from '@passerelle/contracts';
import type { TopicNames } from '@passerelle/messaging';
import type { DueTimer } from '@passerelle/persistence';
import type { LedgerBatch } from '../ledger/ledger-batch';
import {
  LifecycleRefusal,
  OPEN_STATUSES,
  TAKEN_ON_STATUSES,
  checkStatusChange,
  isTerminal,
  statusChangeOf,
} from '@passerelle/lifecycle';
import type { CatchmentRouter } from '../routing/catchment-router';
import { closureOfExit } from './exit-outcome';
import { emitReferralChange } from './referral-change-events';
import { ReferralAlerts } from './referral-alerts';
import { ReferralRefusals } from './referral-refusals';
import { ReferralRouting, type ResponseDeadlines } from './referral-routing';
import { ReferralStatusChanges } from './referral-status-changes';
import { TrackerError, TrackerErrorCode } from './tracker.error';
import type { Cause } from './tracker-events';

/**
 * The closed loop of one referral: recorded on submission, routed once its consent allows it,
 * moved through the lifecycle by whoever may, cancelled when consent is withdrawn. Every method
 * reads and changes the batch's ledger rows (held in memory, written with the batch's
 * inbox rows in one transaction), and emits into its outbox: state and events commit together
 * or not at all. Nothing here waits on the database.
 */
export class ReferralTracking {
  private readonly routing: ReferralRouting;
  private readonly statuses: ReferralStatusChanges;
  private readonly alerts: ReferralAlerts;
  private readonly refusals: ReferralRefusals;

  constructor(
    router: CatchmentRouter,
    private readonly names: TopicNames,
    deadlines: ResponseDeadlines,
  ) {
    this.routing = new ReferralRouting(router, names, deadlines);
    this.statuses = new ReferralStatusChanges(names);
    this.alerts = new ReferralAlerts(names);
    this.refusals = new ReferralRefusals(names);
  }

  /** `referral.refused`: the gateway refused a referral after its 202; its referrer learns why (ReferralRefusals). */
  refused(ledger: LedgerBatch, refusal: ReferralRefusal, cause: Cause): void {
    this.refusals.refusedUpstream(ledger, refusal, cause);
  }

  /** `referral.submitted`: a new referral is recorded as requested, then routed if its consent is on record. */
  submitted(ledger: LedgerBatch, submitted: Referral, cause: Cause): void {
    if (ledger.referral(submitted.referralId)) return; // a later version of the same request: routing is not redone
    const referral: Referral = {
      ...submitted,
      status: 'requested',
      businessStatus: 'created',
      updatedAt: cause.occurredAt,
    };
    delete referral.provider;
    delete referral.statusReason;
    ledger.insertReferral(referral);
    ledger.record({
      referralId: referral.referralId,
      fromStatus: null,
      toStatus: 'requested',
      businessStatus: 'created',
      actor: 'referrer',
      actorOrg: referral.referrer,
      eventId: cause.eventId,
      occurredAt: cause.occurredAt,
    });
    this.routing.route(ledger, referral, cause);
  }

  /**
   * A referral's response deadline passed: `referral.overdue` to the referrer if it is still
   * unanswered. `referral` is what the timer found (the timer waits when the referral is busy).
   */
  responseDeadlinePassed(ledger: LedgerBatch, referral: Referral | undefined, timer: DueTimer): void {
    if (!referral || referral.status !== 'requested') return;
    const cause: Cause = { eventId: `timer:${timer.key}`, occurredAt: timer.dueAt.toISOString() };
    ledger.record({
      referralId: referral.referralId,
      fromStatus: referral.status,
      toStatus: referral.status,
      businessStatus: referral.businessStatus,
      actor: 'system',
      actorOrg: 'system:timer',
      reason: {
        code: 'OVERDUE',
        text: `not accepted or rejected within ${String(timer.payload.businessDays)} Ontario business days`,
      },
      eventId: cause.eventId,
      occurredAt: cause.occurredAt,
    });
    emitReferralChange(ledger, this.names, 'overdue', referral, cause, {
      code: 'OVERDUE',
      text: `not accepted or rejected within ${String(timer.payload.businessDays)} Ontario business days`,
    });
  }

  /** `consent.granted`: kept, and referrals that were waiting for it are routed. */
  consentGranted(ledger: LedgerBatch, consent: Consent, cause: Cause): void {
    ledger.saveConsent(consent);
    if (consent.withdrawnAt !== undefined) {
      this.consentWithdrawn(ledger, consent, cause);
      return;
    }
    for (const referral of ledger.referralsOfClient(consent.clientId, ['requested'])) {
      if (referral.consentId === consent.consentId && referral.businessStatus === 'created')
        this.routing.route(ledger, referral, cause);
    }
  }

  /**
   * `consent.withdrawn`: every open referral it covered is cancelled (the provider learns it from
   * `referral.cancelled`), and the personal data is dropped from the ledger, so nothing the tracker
   * emits about the client afterwards carries any.
   */
  consentWithdrawn(ledger: LedgerBatch, consent: Consent, cause: Cause): void {
    ledger.saveConsent(consent);
    for (const referral of ledger.referralsOfClient(consent.clientId, OPEN_STATUSES)) {
      if (referral.consentId !== consent.consentId) continue;
      this.statuses.change(
        ledger,
        referral,
        { to: 'cancelled', actor: 'system', reason: { text: 'consent withdrawn' } },
        'system:consent',
        cause,
        {
          businessStatus: 'fulfillment-cancelled',
          dropPersonal: true,
        },
      );
    }
  }

  /**
   * `referral.response-recorded`: the provider accepted or declined (parked until the referral is
   * known and routed, when it overtook it). The same answer again (a
   * later version of the provider's record) changes nothing; so does an acceptance the referral is
   * already past (its service events may arrive first, on their own topic).
   */
  responseRecorded(ledger: LedgerBatch, response: ReferralResponse, cause: Cause): void {
    const referral = ledger.referral(response.referralId);
    if (!referral?.provider) {
      ledger.park(response.referralId, { type: RESPONSE_RECORDED, data: response, cause });
      return;
    }
    const to = response.decision === 'accept' ? 'accepted' : 'rejected';
    if (
      referral.provider === response.provider &&
      (to === 'accepted' ? TAKEN_ON_STATUSES.has(referral.status) : referral.status === 'rejected')
    )
      return;
    const reason =
      response.decision === 'decline'
        ? { declineReason: response.declineReason, ...(response.note !== undefined && { text: response.note }) }
        : response.note !== undefined
          ? { text: response.note }
          : undefined;
    this.statuses.changeStatus(
      ledger,
      referral.referralId,
      { to, actor: 'provider', ...(reason !== undefined && { reason }) },
      { actor: 'provider', org: response.provider },
      cause,
    );
  }

  /**
   * `service-event.recorded` of a referral's provider: the first plan or activity starts the
   * service, scheduled events move the business status, an exit closes the referral. Events of
   * other providers, or not tied to a referral, are not the tracker's business here.
   */
  serviceEventRecorded(ledger: LedgerBatch, event: ServiceEvent, cause: Cause): void {
    if (event.referralId === undefined) return;
    const recorded = ledger.referral(event.referralId);
    if (!recorded?.provider) {
      ledger.park(event.referralId, { type: SERVICE_EVENT_RECORDED, data: event, cause });
      return;
    }
    if (recorded.provider !== event.deliveredBy) return;
    let referral = recorded;
    const provider = { actor: 'provider' as const, org: event.deliveredBy };
    // The record carrying this event says the provider took the referral: apply that first if
    // its referral.response-recorded (on referrals.v1) has not arrived yet.
    const accept = (): void => {
      if (referral.status === 'requested')
        referral = this.statuses.changeStatus(
          ledger,
          referral.referralId,
          { to: 'accepted', actor: 'provider' },
          provider,
          cause,
        );
    };
    switch (event.kind) {
      case 'plan-started':
      case 'activity-started':
      case 'assessment-completed':
        if (event.assessment?.stream !== undefined)
          ledger.setReferralFacts(referral.referralId, { stream: event.assessment.stream });
        accept();
        if (referral.status === 'accepted')
          this.statuses.changeStatus(
            ledger,
            referral.referralId,
            { to: 'in-progress', actor: 'provider' },
            provider,
            cause,
          );
        return;
      case 'event-scheduled':
      case 'event-attended':
      case 'event-unattended':
      case 'event-cancelled':
        if (referral.status === 'requested' || !TAKEN_ON_STATUSES.has(referral.status) || isTerminal(referral.status))
          return;
        this.statuses.businessStatusChange(ledger, referral, SCHEDULED_EVENT_STATUS[event.kind], cause);
        // Every no-show is the caseworker's to follow up, even a second one in a row.
        if (event.kind === 'event-unattended') this.alerts.noShow(ledger, referral, event.deliveredBy, cause, event);
        return;
      case 'exited': {
        if (isTerminal(referral.status) || event.exit === undefined) return;
        accept();
        const closure = closureOfExit(event.exit.exitReason);
        this.statuses.changeStatus(
          ledger,
          referral.referralId,
          closure.to === 'completed'
            ? { to: 'completed', actor: 'provider' }
            : { to: 'failed', actor: 'provider', reason: { text: closure.text } },
          provider,
          cause,
        );
        return;
      }
      default:
        return;
    }
  }

  /** `referral.cancellation-requested`: the referrer cancels, if the lifecycle allows it. */
  cancellationRequested(ledger: LedgerBatch, request: ReferralCancellation, cause: Cause): void {
    this.statuses.changeStatus(
      ledger,
      request.referralId,
      { to: 'cancelled', actor: 'referrer', reason: { text: request.reason } },
      { actor: 'referrer', org: request.requestedBy },
      cause,
    );
  }

  /**
   * `referral.status-change-requested`: a provider puts on hold, resumes, cancels or records a
   * no-show, a referrer marks entered in error; applied if the requester is the referral's own
   * provider (or referrer) and the lifecycle allows it, refused (DLQ) otherwise. A no-show moves
   * the business status only (`event-unattended`), as the provider's CaMS record would.
   */
  statusChangeRequested(ledger: LedgerBatch, request: ReferralStatusChange, cause: Cause): void {
    const referral = ledger.referral(request.referralId);
    if (!referral)
      throw new TrackerError(
        TrackerErrorCode.UnknownReferral,
        `referral ${request.referralId} is not known to the tracker`,
      );
    const allowed = checkStatusChange(referral.status, request.change, request.actor, request.reason);
    if (!allowed.ok) throw new TrackerError(LIFECYCLE_REFUSALS[allowed.code], allowed.reason);
    const requester = { actor: request.actor, org: request.requestedBy };
    const change = statusChangeOf(request.change, request.actor, request.reason);
    if (change !== undefined) {
      this.statuses.changeStatus(ledger, request.referralId, change, requester, cause);
      return;
    }
    if (request.actor !== 'provider' || referral.provider !== request.requestedBy)
      throw new TrackerError(
        TrackerErrorCode.ActorNotAllowed,
        `${request.requestedBy} is not the provider of referral ${request.referralId}`,
      );
    this.statuses.businessStatusChange(ledger, referral, 'event-unattended', cause);
    this.alerts.noShow(ledger, referral, request.requestedBy, cause);
  }
}

const LIFECYCLE_REFUSALS: Record<LifecycleRefusal, TrackerErrorCode> = {
  [LifecycleRefusal.IllegalTransition]: TrackerErrorCode.IllegalTransition,
  [LifecycleRefusal.ActorNotAllowed]: TrackerErrorCode.ActorNotAllowed,
  [LifecycleRefusal.ReasonRequired]: TrackerErrorCode.ReasonRequired,
};

export const RESPONSE_RECORDED = 'ca.on.passerelle.referral.response-recorded';
export const SERVICE_EVENT_RECORDED = 'ca.on.passerelle.service-event.recorded';

const SCHEDULED_EVENT_STATUS: Record<
  'event-scheduled' | 'event-attended' | 'event-unattended' | 'event-cancelled',
  Referral['businessStatus']
> = {
  'event-scheduled': 'event-scheduled',
  'event-attended': 'event-completed',
  'event-unattended': 'event-unattended',
  'event-cancelled': 'event-cancelled',
};
