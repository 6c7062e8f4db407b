import {
  type Consent,
  type Referral,
  type ReferralNotification,
  type ReferralResponse,
  type ServiceEvent,
} from '@passerelle/contracts';
import type { TopicNames } from '@passerelle/messaging';
import type { DueTimer } from '@passerelle/persistence';
import type { LedgerBatch } from '../ledger/ledger-batch';
import { ageBand, regionOf } from '../ministry/deidentify';
import {
  LifecycleRefusal,
  OPEN_STATUSES,
  TAKEN_ON_STATUSES,
  businessStatusAfter,
  isTerminal,
  transition,
  type LifecycleActor,
  type OntarioBusinessCalendar,
  type StatusChange,
} from '@passerelle/lifecycle';
import type { CatchmentRouter } from '../routing/catchment-router';
import { consentAllows } from './consent-check';
import { closureOfExit } from './exit-outcome';
import { TrackerError, TrackerErrorCode } from './tracker.error';
import { checkedEvent, notificationOf, referralEvent, type Cause } from './tracker-events';

/** Who asks for a status change: the role the lifecycle checks, and the organization behind it. */
export interface ChangeRequester {
  actor: LifecycleActor;
  org: string;
}

/**
 * The closed loop of one referral: recorded on submission, routed once its consent allows it,
 * moved through the lifecycle by whoever may, cancelled when consent is withdrawn. Every method
 * reads and changes the batch's ledger rows (held in memory, written with the batch's
 * inbox rows in one transaction), and emits into its outbox: state and events commit together
 * or not at all. Nothing here waits on the database.
 */
export class ReferralTracking {
  constructor(
    private readonly router: CatchmentRouter,
    private readonly names: TopicNames,
    private readonly deadlines: { calendar: OntarioBusinessCalendar; responseBusinessDays: number },
  ) {}

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
    this.route(ledger, referral, cause);
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
    this.emit(ledger, 'overdue', referral, cause, {
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
        this.route(ledger, referral, cause);
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
      this.change(
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
    this.changeStatus(
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
        referral = this.changeStatus(
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
          this.changeStatus(ledger, referral.referralId, { to: 'in-progress', actor: 'provider' }, provider, cause);
        return;
      case 'event-scheduled':
      case 'event-attended':
      case 'event-unattended':
      case 'event-cancelled':
        if (referral.status === 'requested' || !TAKEN_ON_STATUSES.has(referral.status) || isTerminal(referral.status))
          return;
        this.businessStatusChange(ledger, referral, SCHEDULED_EVENT_STATUS[event.kind], cause);
        return;
      case 'exited': {
        if (isTerminal(referral.status) || event.exit === undefined) return;
        accept();
        const closure = closureOfExit(event.exit.exitReason);
        this.changeStatus(
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

  private change(
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
        options.businessStatus ?? businessStatusAfter(referral.status, result.status) ?? referral.businessStatus,
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
    this.emit(ledger, kind, next, cause, reason);
    return next;
  }

  private businessStatusChange(
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

  /** Routes a requested referral whose consent is on record; says why to the referrer when nothing fits. */
  private route(ledger: LedgerBatch, referral: Referral, cause: Cause): void {
    const consent = ledger.consent(referral.consentId);
    const at = new Date(cause.occurredAt);
    const general = consentAllows(consent, undefined, at);
    if (!general.allowed) {
      // Not yet granted: the referral waits for `consent.granted`. Otherwise it cannot go anywhere.
      if (general.code !== 'CONSENT_MISSING') this.unroutable(ledger, referral, cause, general.code, general.reason);
      return;
    }
    const decision = this.router.route({
      serviceWanted: referral.serviceWanted,
      ...(referral.preferredProvider !== undefined && { preferredProvider: referral.preferredProvider }),
      ...(referral.personal?.contact?.address?.postalCode !== undefined && {
        postalCode: referral.personal.contact.address.postalCode,
      }),
    });
    if (!decision.routed) {
      this.unroutable(ledger, referral, cause, decision.code, decision.reason);
      return;
    }
    const toProvider = consentAllows(consent, decision.provider, at);
    if (!toProvider.allowed) {
      this.unroutable(ledger, referral, cause, toProvider.code, toProvider.reason);
      return;
    }

    const routed: Referral = {
      ...referral,
      provider: decision.provider,
      businessStatus: 'routed',
      updatedAt: cause.occurredAt,
    };
    delete routed.statusReason;
    ledger.updateReferral(routed);
    // What ministry reports need, kept de-identified now: personal data may be withdrawn later.
    const postalCode = referral.personal?.contact?.address?.postalCode;
    ledger.setReferralFacts(routed.referralId, {
      catchment: decision.catchment,
      providerType: decision.providerType,
      ageBand: ageBand(referral.personal?.birthDate, referral.requestedAt.slice(0, 10)),
      region: regionOf(postalCode ?? decision.catchment),
    });
    ledger.record({
      referralId: routed.referralId,
      fromStatus: 'requested',
      toStatus: 'requested',
      businessStatus: 'routed',
      actor: 'system',
      actorOrg: `system:routing:${decision.assignedBy}`,
      eventId: cause.eventId,
      occurredAt: cause.occurredAt,
    });
    // The provider's clock starts when the referral reaches it; at expiry the timer checks whether it still waits.
    ledger.scheduleTimer({
      key: `overdue:${routed.referralId}`,
      kind: OVERDUE_TIMER,
      clientId: routed.clientId,
      referralId: routed.referralId,
      dueAt: this.deadlines.calendar.addBusinessDays(cause.occurredAt, this.deadlines.responseBusinessDays),
      payload: { businessDays: this.deadlines.responseBusinessDays, provider: decision.provider },
    });
    this.emit(ledger, 'routed', routed, cause);
  }

  private unroutable(ledger: LedgerBatch, referral: Referral, cause: Cause, code: string, reason: string): void {
    const back: Referral = { ...referral, statusReason: { text: reason }, updatedAt: cause.occurredAt };
    ledger.updateReferral(back);
    ledger.record({
      referralId: back.referralId,
      fromStatus: back.status,
      toStatus: back.status,
      businessStatus: back.businessStatus,
      actor: 'system',
      actorOrg: 'system:routing',
      reason: { code, text: reason },
      eventId: cause.eventId,
      occurredAt: cause.occurredAt,
    });
    this.emit(ledger, 'unroutable', back, cause, { code, text: reason });
  }

  /** The referral event (to referrals.v1) and the referrer's notification, validated, into the outbox. */
  private emit(
    ledger: LedgerBatch,
    change: ReferralNotification['change'],
    referral: Referral,
    cause: Cause,
    reason?: ReferralNotification['reason'],
  ): void {
    const event = referralEvent(change, referral, cause);
    const notification = notificationOf(change, event, reason);
    ledger.emit([
      { topic: this.names.of('referrals.v1'), event: checkedEvent(event) },
      { topic: this.names.of('notifications.v1'), event: checkedEvent(notification) },
    ]);
  }
}

export const OVERDUE_TIMER = 'referral-overdue';
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

const REFUSALS: Record<LifecycleRefusal, TrackerErrorCode> = {
  [LifecycleRefusal.IllegalTransition]: TrackerErrorCode.IllegalTransition,
  [LifecycleRefusal.ActorNotAllowed]: TrackerErrorCode.ActorNotAllowed,
  [LifecycleRefusal.ReasonRequired]: TrackerErrorCode.ReasonRequired,
};
