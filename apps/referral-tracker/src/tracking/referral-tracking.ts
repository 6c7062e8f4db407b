import type { Transaction } from 'kysely';
import { type Consent, type Referral, type ReferralNotification, type ReferralResponse, type ServiceEvent } from '@passerelle/contracts';
import type { TopicNames } from '@passerelle/messaging';
import { addToOutbox, cancelTimer, scheduleTimer, type Database, type DueTimer, type OutboxMessage, type TimerOutcome } from '@passerelle/persistence';
import type { OutcomeLedger } from '../ledger/outcome-ledger';
import { ageBand, regionOf } from '../ministry/deidentify';
import type { OntarioBusinessCalendar } from '../timers/ontario-business-calendar';
import { LifecycleRefusal, OPEN_STATUSES, businessStatusAfter, transition, type LifecycleActor, type StatusChange } from '@passerelle/lifecycle';
import type { ReferralLedger } from '../ledger/referral-ledger';
import type { CatchmentRouter } from '../routing/catchment-router';
import { consentAllows } from './consent-check';
import { closureOfExit } from './exit-outcome';
import { TrackerError, TrackerErrorCode } from './tracker.error';
import { checkedEvent, notificationOf, referralEvent, type Cause } from './tracker-events';

type Trx = Transaction<Database>;

/** Who asks for a status change: the role the lifecycle checks, and the organization behind it. */
export interface ChangeRequester {
  actor: LifecycleActor;
  org: string;
}

/**
 * The closed loop of one referral: recorded on submission, routed once its consent allows it,
 * moved through the lifecycle by whoever may, cancelled when consent is withdrawn. Every method
 * runs in the transaction that also holds the inbox row of its cause, and writes what it emits
 * to the outbox of that transaction: state and events commit together or not at all.
 */
export class ReferralTracking {
  constructor(
    private readonly ledger: ReferralLedger,
    private readonly facts: OutcomeLedger,
    private readonly router: CatchmentRouter,
    private readonly names: TopicNames,
    private readonly deadlines: { calendar: OntarioBusinessCalendar; responseBusinessDays: number },
  ) {}

  /** `referral.submitted`: a new referral is recorded as requested, then routed if its consent is on record. */
  async submitted(trx: Trx, submitted: Referral, cause: Cause): Promise<void> {
    if (await this.ledger.referralForUpdate(trx, submitted.referralId)) return; // a later version of the same request: routing is not redone
    const referral: Referral = { ...submitted, status: 'requested', businessStatus: 'created', updatedAt: cause.occurredAt };
    delete referral.provider;
    delete referral.statusReason;
    await this.ledger.insert(trx, referral);
    await this.ledger.record(trx, {
      referralId: referral.referralId,
      fromStatus: null,
      toStatus: 'requested',
      businessStatus: 'created',
      actor: 'referrer',
      actorOrg: referral.referrer,
      eventId: cause.eventId,
      occurredAt: cause.occurredAt,
    });
    await this.route(trx, referral, cause);
  }

  /** A referral's response deadline passed: `referral.overdue` to the referrer if it is still unanswered. */
  async responseDeadlinePassed(trx: Trx, timer: DueTimer): Promise<TimerOutcome> {
    if (timer.referralId === null) return;
    const referral = await this.ledger.referralIfFree(trx, timer.referralId);
    if (referral === 'busy') return 'later';
    if (!referral || referral.status !== 'requested') return;
    const cause: Cause = { eventId: `timer:${timer.key}`, occurredAt: timer.dueAt.toISOString() };
    await this.ledger.record(trx, {
      referralId: referral.referralId,
      fromStatus: referral.status,
      toStatus: referral.status,
      businessStatus: referral.businessStatus,
      actor: 'system',
      actorOrg: 'system:timer',
      reason: { code: 'OVERDUE', text: `not accepted or rejected within ${String(timer.payload.businessDays)} Ontario business days` },
      eventId: cause.eventId,
      occurredAt: cause.occurredAt,
    });
    await this.emit(trx, 'overdue', referral, cause, { code: 'OVERDUE', text: `not accepted or rejected within ${String(timer.payload.businessDays)} Ontario business days` });
  }

  /** `consent.granted`: kept, and referrals that were waiting for it are routed. */
  async consentGranted(trx: Trx, consent: Consent, cause: Cause): Promise<void> {
    await this.ledger.saveConsent(trx, consent);
    if (consent.withdrawnAt !== undefined) return this.consentWithdrawn(trx, consent, cause);
    for (const referral of await this.ledger.referralsOfClient(trx, consent.clientId, ['requested'])) {
      if (referral.consentId === consent.consentId && referral.businessStatus === 'created') await this.route(trx, referral, cause);
    }
  }

  /**
   * `consent.withdrawn`: every open referral it covered is cancelled (the provider learns it from
   * `referral.cancelled`), and the personal data is dropped from the ledger, so nothing the tracker
   * emits about the client afterwards carries any.
   */
  async consentWithdrawn(trx: Trx, consent: Consent, cause: Cause): Promise<void> {
    await this.ledger.saveConsent(trx, consent);
    for (const referral of await this.ledger.referralsOfClient(trx, consent.clientId, OPEN_STATUSES)) {
      if (referral.consentId !== consent.consentId) continue;
      await this.change(trx, referral, { to: 'cancelled', actor: 'system', reason: { text: 'consent withdrawn' } }, 'system:consent', cause, {
        businessStatus: 'fulfillment-cancelled',
        dropPersonal: true,
      });
    }
  }

  /**
   * `referral.response-recorded`: the provider accepted or declined (parked until the referral is
   * known and routed, when it overtook it). The same answer again (a
   * later version of the provider's record) changes nothing; so does an acceptance the referral is
   * already past (its service events may arrive first, on their own topic).
   */
  async responseRecorded(trx: Trx, response: ReferralResponse, cause: Cause): Promise<void> {
    const referral = await this.ledger.referralForUpdate(trx, response.referralId);
    if (!referral?.provider) return this.ledger.park(trx, response.referralId, { type: RESPONSE_RECORDED, data: response, cause });
    const to = response.decision === 'accept' ? 'accepted' : 'rejected';
    if (referral.provider === response.provider && (to === 'accepted' ? PAST_ACCEPTANCE.has(referral.status) : referral.status === 'rejected')) return;
    const reason =
      response.decision === 'decline'
        ? { declineReason: response.declineReason, ...(response.note !== undefined && { text: response.note }) }
        : response.note !== undefined
          ? { text: response.note }
          : undefined;
    await this.changeStatus(trx, referral.referralId, { to, actor: 'provider', ...(reason !== undefined && { reason }) }, { actor: 'provider', org: response.provider }, cause);
  }

  /**
   * `service-event.recorded` of a referral's provider: the first plan or activity starts the
   * service, scheduled events move the business status, an exit closes the referral. Events of
   * other providers, or not tied to a referral, are not the tracker's business here.
   */
  async serviceEventRecorded(trx: Trx, event: ServiceEvent, cause: Cause): Promise<void> {
    if (event.referralId === undefined) return;
    let referral = await this.ledger.referralForUpdate(trx, event.referralId);
    if (!referral?.provider) return this.ledger.park(trx, event.referralId, { type: SERVICE_EVENT_RECORDED, data: event, cause });
    if (referral.provider !== event.deliveredBy) return;
    const provider = { actor: 'provider' as const, org: event.deliveredBy };
    // The record carrying this event says the provider took the referral: apply that first if
    // its referral.response-recorded (on referrals.v1) has not arrived yet.
    const accept = async (): Promise<void> => {
      if (referral!.status === 'requested') referral = await this.changeStatus(trx, referral!.referralId, { to: 'accepted', actor: 'provider' }, provider, cause);
    };
    switch (event.kind) {
      case 'plan-started':
      case 'activity-started':
      case 'assessment-completed':
        if (event.assessment?.stream !== undefined) await this.facts.setReferralFacts(trx, referral.referralId, { stream: event.assessment.stream });
        await accept();
        if (referral.status === 'accepted') await this.changeStatus(trx, referral.referralId, { to: 'in-progress', actor: 'provider' }, provider, cause);
        return;
      case 'event-scheduled':
      case 'event-attended':
      case 'event-unattended':
      case 'event-cancelled':
        if (referral.status === 'requested' || !PAST_ACCEPTANCE.has(referral.status) || TERMINAL_DONE.has(referral.status)) return;
        return this.businessStatusChange(trx, referral, SCHEDULED_EVENT_STATUS[event.kind], cause);
      case 'exited': {
        if (TERMINAL_DONE.has(referral.status) || event.exit === undefined) return;
        await accept();
        const closure = closureOfExit(event.exit.exitReason);
        await this.changeStatus(
          trx,
          referral.referralId,
          closure.to === 'completed' ? { to: 'completed', actor: 'provider' } : { to: 'failed', actor: 'provider', reason: { text: closure.text } },
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
  async changeStatus(trx: Trx, referralId: string, change: StatusChange, requester: ChangeRequester, cause: Cause): Promise<Referral> {
    const referral = await this.ledger.referralForUpdate(trx, referralId);
    if (!referral) throw new TrackerError(TrackerErrorCode.UnknownReferral, `referral ${referralId} is not known to the tracker`);
    const owner = requester.actor === 'referrer' ? referral.referrer : requester.actor === 'provider' ? referral.provider : requester.org;
    if (owner !== requester.org) {
      throw new TrackerError(TrackerErrorCode.ActorNotAllowed, `${requester.org} is not the ${requester.actor} of referral ${referralId}`);
    }
    return this.change(trx, referral, change, requester.org, cause, {});
  }

  private async change(
    trx: Trx,
    referral: Referral,
    change: StatusChange,
    actorOrg: string,
    cause: Cause,
    options: { businessStatus?: Referral['businessStatus']; dropPersonal?: boolean },
  ): Promise<Referral> {
    const result = transition(referral.status, change);
    if (!result.ok) throw new TrackerError(REFUSALS[result.code], result.reason);
    const next: Referral = {
      ...referral,
      status: result.status,
      businessStatus: options.businessStatus ?? businessStatusAfter(referral.status, result.status) ?? referral.businessStatus,
      updatedAt: cause.occurredAt,
      ...(change.reason !== undefined && { statusReason: change.reason as Referral['statusReason'] }),
    };
    if (options.dropPersonal) delete next.personal;
    await this.ledger.update(trx, next);
    if (referral.status === 'requested') await cancelTimer(trx, `overdue:${referral.referralId}`, cause.occurredAt);
    if (next.status === 'accepted') await this.facts.setReferralFacts(trx, next.referralId, { acceptedAt: cause.occurredAt });
    await this.ledger.record(trx, {
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
    const reason = change.reason?.declineReason !== undefined ? { code: change.reason.declineReason, ...(change.reason.text !== undefined && { text: change.reason.text }) } : change.reason?.text !== undefined ? { text: change.reason.text } : undefined;
    await this.emit(trx, kind, next, cause, reason);
    return next;
  }

  private async businessStatusChange(trx: Trx, referral: Referral, businessStatus: Referral['businessStatus'], cause: Cause): Promise<void> {
    if (referral.businessStatus === businessStatus) return;
    const next: Referral = { ...referral, businessStatus, updatedAt: cause.occurredAt };
    await this.ledger.update(trx, next);
    await this.ledger.record(trx, {
      referralId: next.referralId,
      fromStatus: referral.status,
      toStatus: next.status,
      businessStatus,
      actor: 'provider',
      actorOrg: next.provider ?? 'unknown',
      eventId: cause.eventId,
      occurredAt: cause.occurredAt,
    });
    await addToOutbox(trx, [{ topic: this.names.of('referrals.v1'), event: checkedEvent(referralEvent('business-status-changed', next, cause)) }]);
  }

  /** Routes a requested referral whose consent is on record; says why to the referrer when nothing fits. */
  private async route(trx: Trx, referral: Referral, cause: Cause): Promise<void> {
    const consent = await this.ledger.consent(trx, referral.consentId);
    const at = new Date(cause.occurredAt);
    const general = consentAllows(consent, undefined, at);
    if (!general.allowed) {
      // Not yet granted: the referral waits for `consent.granted`. Otherwise it cannot go anywhere.
      if (general.code === 'CONSENT_MISSING') return;
      return this.unroutable(trx, referral, cause, general.code, general.reason);
    }
    const decision = this.router.route({
      serviceWanted: referral.serviceWanted,
      ...(referral.preferredProvider !== undefined && { preferredProvider: referral.preferredProvider }),
      ...(referral.personal?.contact?.address?.postalCode !== undefined && { postalCode: referral.personal.contact.address.postalCode }),
    });
    if (!decision.routed) return this.unroutable(trx, referral, cause, decision.code, decision.reason);
    const toProvider = consentAllows(consent, decision.provider, at);
    if (!toProvider.allowed) return this.unroutable(trx, referral, cause, toProvider.code, toProvider.reason);

    const routed: Referral = { ...referral, provider: decision.provider, businessStatus: 'routed', updatedAt: cause.occurredAt };
    delete routed.statusReason;
    await this.ledger.update(trx, routed);
    // What ministry reports need, kept de-identified now: personal data may be withdrawn later.
    const postalCode = referral.personal?.contact?.address?.postalCode;
    await this.facts.setReferralFacts(trx, routed.referralId, {
      catchment: decision.catchment,
      providerType: decision.providerType,
      ageBand: ageBand(referral.personal?.birthDate, referral.requestedAt.slice(0, 10)),
      region: regionOf(postalCode ?? decision.catchment),
    });
    await this.ledger.record(trx, {
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
    await scheduleTimer(trx, {
      key: `overdue:${routed.referralId}`,
      kind: OVERDUE_TIMER,
      clientId: routed.clientId,
      referralId: routed.referralId,
      dueAt: this.deadlines.calendar.addBusinessDays(cause.occurredAt, this.deadlines.responseBusinessDays),
      payload: { businessDays: this.deadlines.responseBusinessDays, provider: decision.provider },
    });
    await this.emit(trx, 'routed', routed, cause);
  }

  private async unroutable(trx: Trx, referral: Referral, cause: Cause, code: string, reason: string): Promise<void> {
    const back: Referral = { ...referral, statusReason: { text: reason }, updatedAt: cause.occurredAt };
    await this.ledger.update(trx, back);
    await this.ledger.record(trx, {
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
    await this.emit(trx, 'unroutable', back, cause, { code, text: reason });
  }

  /** The referral event (to referrals.v1) and the referrer's notification, validated, into the outbox. */
  private async emit(trx: Trx, change: ReferralNotification['change'], referral: Referral, cause: Cause, reason?: ReferralNotification['reason']): Promise<void> {
    const event = referralEvent(change, referral, cause);
    const notification = notificationOf(change, event, reason);
    const messages: OutboxMessage[] = [
      { topic: this.names.of('referrals.v1'), event: checkedEvent(event) },
      { topic: this.names.of('notifications.v1'), event: checkedEvent(notification) },
    ];
    await addToOutbox(trx, messages);
  }
}

export const OVERDUE_TIMER = 'referral-overdue';
export const RESPONSE_RECORDED = 'ca.on.passerelle.referral.response-recorded';
export const SERVICE_EVENT_RECORDED = 'ca.on.passerelle.service-event.recorded';

/** Statuses a referral reaches only after the provider accepted it. */
const PAST_ACCEPTANCE = new Set<Referral['status']>(['accepted', 'in-progress', 'on-hold', 'completed', 'failed']);
/** Closed: nothing a provider's record says changes them any more. */
const TERMINAL_DONE = new Set<Referral['status']>(['completed', 'failed', 'cancelled', 'entered-in-error', 'rejected']);
const SCHEDULED_EVENT_STATUS: Record<'event-scheduled' | 'event-attended' | 'event-unattended' | 'event-cancelled', Referral['businessStatus']> = {
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

