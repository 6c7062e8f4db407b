import {
  schemaIdForPath,
  type BenefitIssued,
  type Consent,
  type EmploymentSpell,
  type OutcomeMilestone,
  type Referral,
  type ReferralCancellation,
  type ReferralRefusal,
  type ReferralResponse,
  type ReferralStatusChange,
  type ServiceEvent,
} from '@passerelle/contracts';
import type { LedgerBatch } from '../ledger/ledger-batch';
import { noKeys, type LedgerKeys } from '../ledger/ledger-keys';
import type { ParkedEvent } from '../ledger/ledger-rows';
import { EMPLOYMENT_STARTED, OUTCOME_RECORDED, type OutcomeTracking } from './outcome-tracking';
import { RESPONSE_RECORDED, SERVICE_EVENT_RECORDED, type ReferralTracking } from './referral-tracking';
import type { Cause } from './tracker-events';

/** What the tracker does with one event type: its data's schema, the ledger rows it reads, its effect. */
export interface TrackedEventType<T = never> {
  schemaId: string;
  /** Every ledger row applying it may read, so a batch loads them all at once before applying. */
  keys(data: T): LedgerKeys;
  /** The effect on the batch's ledger rows (throws a TrackerError when the event is refused). */
  apply(ledger: LedgerBatch, data: T, cause: Cause): void;
}

/** Types that may wait in the parking for their referral (see ReferralTracking, OutcomeTracking). */
const PARKABLE = new Set([RESPONSE_RECORDED, SERVICE_EVENT_RECORDED, EMPLOYMENT_STARTED, OUTCOME_RECORDED]);

/**
 * The event types the tracker consumes, each with its schema, its keys and its effect: one table
 * for the handlers of inbound events and for the events parked until their referral is known.
 */
export class TrackedEvents {
  readonly types: Readonly<Partial<Record<string, TrackedEventType>>>;

  constructor(tracking: ReferralTracking, outcomes: OutcomeTracking) {
    const referral = (referralId: string | undefined): Pick<LedgerKeys, 'referralIds'> => ({
      referralIds: referralId === undefined ? [] : [referralId],
    });
    const types: Record<string, TrackedEventType> = {
      'ca.on.passerelle.referral.submitted': typed<Referral>({
        schemaId: schemaIdForPath('canonical/referral.json'),
        keys: (data) => ({
          ...noKeys(),
          ...referral(data.referralId),
          clientReferrals: [data.clientId],
          consentIds: [data.consentId],
        }),
        apply: (ledger, data, cause) => {
          tracking.submitted(ledger, data, cause);
          this.applyParked(ledger, data.clientId);
        },
      }),
      'ca.on.passerelle.consent.granted': typed<Consent>({
        schemaId: schemaIdForPath('canonical/consent.json'),
        keys: (data) => ({ ...noKeys(), clientReferrals: [data.clientId], consentIds: [data.consentId] }),
        apply: (ledger, data, cause) => {
          tracking.consentGranted(ledger, data, cause);
          this.applyParked(ledger, data.clientId);
        },
      }),
      'ca.on.passerelle.consent.withdrawn': typed<Consent>({
        schemaId: schemaIdForPath('canonical/consent.json'),
        keys: (data) => ({ ...noKeys(), clientReferrals: [data.clientId], consentIds: [data.consentId] }),
        apply: (ledger, data, cause) => tracking.consentWithdrawn(ledger, data, cause),
      }),
      [RESPONSE_RECORDED]: typed<ReferralResponse>({
        schemaId: schemaIdForPath('canonical/referral-response.json'),
        keys: (data) => ({ ...noKeys(), ...referral(data.referralId) }),
        apply: (ledger, data, cause) => tracking.responseRecorded(ledger, data, cause),
      }),
      'ca.on.passerelle.referral.cancellation-requested': typed<ReferralCancellation>({
        schemaId: schemaIdForPath('canonical/referral-cancellation.json'),
        keys: (data) => ({ ...noKeys(), ...referral(data.referralId) }),
        apply: (ledger, data, cause) => tracking.cancellationRequested(ledger, data, cause),
      }),
      'ca.on.passerelle.referral.refused': typed<ReferralRefusal>({
        schemaId: schemaIdForPath('canonical/referral-refusal.json'),
        keys: (data) => ({ ...noKeys(), ...referral(data.referralId) }),
        apply: (ledger, data, cause) => tracking.refused(ledger, data, cause),
      }),
      'ca.on.passerelle.referral.status-change-requested': typed<ReferralStatusChange>({
        schemaId: schemaIdForPath('canonical/referral-status-change.json'),
        keys: (data) => ({ ...noKeys(), ...referral(data.referralId) }),
        apply: (ledger, data, cause) => tracking.statusChangeRequested(ledger, data, cause),
      }),
      [SERVICE_EVENT_RECORDED]: typed<ServiceEvent>({
        schemaId: schemaIdForPath('canonical/service-event.json'),
        keys: (data) => ({ ...noKeys(), ...referral(data.referralId) }),
        apply: (ledger, data, cause) => tracking.serviceEventRecorded(ledger, data, cause),
      }),
      [EMPLOYMENT_STARTED]: typed<EmploymentSpell>({
        schemaId: schemaIdForPath('canonical/employment-spell.json'),
        // Without a referral id, the referral it belongs to is looked for among the client's.
        keys: (data) => ({
          ...noKeys(),
          ...referral(data.referralId),
          clientReferrals: data.referralId === undefined ? [data.clientId] : [],
          spellIds: [data.employmentSpellId],
          outcomeClients: [data.clientId],
        }),
        apply: (ledger, data, cause) => outcomes.employmentStarted(ledger, data, cause),
      }),
      [OUTCOME_RECORDED]: typed<OutcomeMilestone>({
        schemaId: schemaIdForPath('canonical/outcome-milestone.json'),
        keys: (data) => ({
          ...noKeys(),
          ...referral(data.referralId),
          clientReferrals: data.referralId === undefined ? [data.clientId] : [],
          spellIds: data.employmentSpellId === undefined ? [] : [data.employmentSpellId],
          outcomeClients: [data.clientId],
        }),
        apply: (ledger, data, cause) => outcomes.outcomeRecorded(ledger, data, cause),
      }),
      'ca.on.passerelle.benefit.issued': typed<BenefitIssued>({
        schemaId: schemaIdForPath('canonical/benefit-issued.json'),
        keys: (data) => ({ ...noKeys(), supportClients: [data.clientId] }),
        apply: (ledger, data, cause) => outcomes.benefitIssued(ledger, data, cause),
      }),
    };
    this.types = types;
  }

  /** The rows a parked event reads once applied (parked data was valid when it was parked). */
  keysOfParked(event: ParkedEvent): LedgerKeys {
    return this.parkable(event.type).keys(event.data as never);
  }

  /**
   * Events that overtook their referral (other topics are not ordered with referrals.v1) wait
   * until it is recorded and routed, then apply, oldest first, in the transaction that routed it.
   */
  private applyParked(ledger: LedgerBatch, clientId: string): void {
    for (const referralId of ledger.routedWithParkedEvents(clientId)) {
      for (const parked of ledger.unpark(referralId))
        this.parkable(parked.type).apply(ledger, parked.data as never, parked.cause);
    }
  }

  private parkable(type: string): TrackedEventType {
    const tracked = PARKABLE.has(type) ? this.types[type] : undefined;
    if (!tracked) throw new Error(`no handler for parked ${type}`);
    return tracked;
  }
}

/** Checks a definition against its data type, then files it in the table of every type. */
function typed<T>(definition: TrackedEventType<T>): TrackedEventType {
  return definition;
}
