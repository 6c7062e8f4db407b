import type { Referral } from '@passerelle/contracts';
import type { OntarioBusinessCalendar } from '@passerelle/lifecycle';
import type { TopicNames } from '@passerelle/messaging';
import type { LedgerBatch } from '../ledger/ledger-batch';
import { ageBand, regionOf } from '../ministry/deidentify';
import type { CatchmentRouter } from '../routing/catchment-router';
import { consentAllows } from './consent-check';
import { emitReferralChange } from './referral-change-events';
import { ROUTING_REFUSER, ReferralRefusals } from './referral-refusals';
import type { Cause } from './tracker-events';

export const OVERDUE_TIMER = 'referral-overdue';

/**
 * Consent verdicts no later event can lift for this referral (a withdrawal is final, an expired or
 * off-purpose consent stays so; a new consent has a new id): the referral is refused outright
 * instead of waiting `requested` forever.
 */
const REFUSING_CONSENT: ReadonlySet<string> = new Set(['CONSENT_WITHDRAWN', 'CONSENT_EXPIRED', 'CONSENT_PURPOSE']);
/** Where the referrer's record names the consent (OW and ODSP alike). */
const CONSENT_FIELD = '/referralRequest/consentId';

/** How long a provider has to answer a routed referral, in Ontario business days. */
export interface ResponseDeadlines {
  calendar: OntarioBusinessCalendar;
  responseBusinessDays: number;
}

/**
 * Routing of a requested referral, part of {@link ReferralTracking}: to the provider the catchment
 * router picks, when its consent allows sharing with that provider; the provider's response clock
 * starts then. A referral that cannot go anywhere stays requested, and its referrer is told why.
 */
export class ReferralRouting {
  private readonly refusals: ReferralRefusals;

  constructor(
    private readonly router: CatchmentRouter,
    private readonly names: TopicNames,
    private readonly deadlines: ResponseDeadlines,
  ) {
    this.refusals = new ReferralRefusals(names);
  }

  /** Routes a requested referral whose consent is on record; says why to the referrer when nothing fits. */
  route(ledger: LedgerBatch, referral: Referral, cause: Cause): void {
    const consent = ledger.consent(referral.consentId);
    const at = new Date(cause.occurredAt);
    const general = consentAllows(consent, undefined, at);
    if (!general.allowed) {
      // Not yet granted: the referral waits for `consent.granted`. A consent that can never allow
      // it: the gateway refuses the referral. Otherwise it cannot go anywhere for now.
      if (REFUSING_CONSENT.has(general.code)) {
        const reason = { code: general.code, field: CONSENT_FIELD, message: general.reason };
        this.refusals.refuse(ledger, referral, reason, ROUTING_REFUSER, cause);
      } else if (general.code !== 'CONSENT_MISSING')
        this.unroutable(ledger, referral, cause, general.code, general.reason);
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
    emitReferralChange(ledger, this.names, 'routed', routed, cause);
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
    emitReferralChange(ledger, this.names, 'unroutable', back, cause, { code, text: reason });
  }
}
