import {
  nameBasedUuid,
  unambiguousName,
  type BenefitIssued,
  type EmploymentSpell,
  type FollowUpDue,
  type MinistryOutcome,
  type OutcomeMilestone,
  type Referral,
  type SupportDuplicateSuspected,
} from '@passerelle/contracts';
import { canonicalEvent, type TopicNames } from '@passerelle/messaging';
import { followUpMilestone, type DueTimer, type FollowUpTimerPayload } from '@passerelle/persistence';
import type { LedgerBatch } from '../ledger/ledger-batch';
import type { ReferralFacts, SupportRow } from '../ledger/ledger-rows';
import { deidentifyOutcome, type OutcomeFacts, type Pseudonymizer } from '../ministry/deidentify';
import { FOLLOW_UP_MONTHS, followUpDueDates, type FollowUpMonth } from '../timers/follow-up-schedule';
import { ReferralAlerts, supportSide } from './referral-alerts';
import { checkedEvent, followUpNotificationOf, type Cause } from './tracker-events';

export const FOLLOW_UP_TIMER = 'follow-up-due';
export const EMPLOYMENT_STARTED = 'ca.on.passerelle.employment.started';
export const OUTCOME_RECORDED = 'ca.on.passerelle.outcome.recorded';
const SOURCE = '/passerelle/referral-tracker';
/** Namespace of the ids the tracker derives for reports and alerts (fixed: changing it changes every id). */
const TRACKER_NAMESPACE = Buffer.from('0c7d2e9a5b814f6e9d3a2b1c0f4e5d6a', 'hex');

const IES_MONTHS = new Map<string, FollowUpMonth>(FOLLOW_UP_MONTHS.map((m) => [followUpMilestone(m), m]));

/**
 * Outcomes, one way for every program: employment spells schedule the 1, 3, 6 and 12-month
 * follow-ups, each outcome is tied to its referral and kept only if it is the latest word on its
 * milestone (by event time), achieved outcomes go to the ministry de-identified, and supports
 * issued by both networks for overlapping periods are flagged to the referrer.
 */
export class OutcomeTracking {
  private readonly alerts: ReferralAlerts;

  constructor(
    private readonly names: TopicNames,
    private readonly pseudonymizer: Pseudonymizer,
  ) {
    this.alerts = new ReferralAlerts(names);
  }

  /** `employment.started`: the job is kept, and an EO provider's follow-ups are scheduled. */
  employmentStarted(ledger: LedgerBatch, spell: EmploymentSpell, cause: Cause): void {
    if (spell.referralId !== undefined && !ledger.referral(spell.referralId)) {
      ledger.park(spell.referralId, { type: EMPLOYMENT_STARTED, data: spell, cause });
      return;
    }
    const referralId = spell.referralId ?? ledger.referralServedBy(spell.clientId, spell.reportedBy);
    ledger.saveSpell({
      employmentSpellId: spell.employmentSpellId,
      clientId: spell.clientId,
      ...(referralId !== undefined && { referralId }),
      reportedBy: spell.reportedBy,
      startDate: spell.employment.startDate,
      eventTime: cause.occurredAt,
    });
    // IES follow-ups are the EO provider's to do.
    if (!spell.reportedBy.startsWith('eo:')) return;
    const reported = ledger.reportedMilestones(spell.clientId, spell.employmentSpellId);
    for (const { months, dueOn } of followUpDueDates(spell.employment.startDate)) {
      // A follow-up the provider already reported (its record may arrive before the job's) is not due.
      if (reported.has(followUpMilestone(months))) continue;
      const payload: FollowUpTimerPayload = {
        employmentSpellId: spell.employmentSpellId,
        provider: spell.reportedBy,
        program: spell.program,
        source: spell.source,
        jobStartDate: spell.employment.startDate,
        dueOn,
        months,
      };
      ledger.scheduleTimer({
        key: followUpKey(spell.employmentSpellId, months),
        kind: FOLLOW_UP_TIMER,
        clientId: spell.clientId,
        ...(referralId !== undefined && { referralId }),
        // Morning of the due day in Ontario (12:00 UTC is 07:00 or 08:00 in Toronto).
        dueAt: `${dueOn}T12:00:00.000Z`,
        payload: { ...payload },
      });
    }
  }

  /** A follow-up fell due: `outcome.follow-up-due` to the provider, and its notification (for its webhooks). */
  followUpDue(ledger: LedgerBatch, timer: DueTimer): void {
    const payload = timer.payload as unknown as FollowUpTimerPayload;
    const data: FollowUpDue = {
      clientId: timer.clientId,
      ...(timer.referralId !== null && { referralId: timer.referralId }),
      program: payload.program,
      source: payload.source,
      employmentSpellId: payload.employmentSpellId,
      provider: payload.provider,
      outcomeType: followUpMilestone(payload.months),
      jobStartDate: payload.jobStartDate,
      dueOn: payload.dueOn,
    };
    const event = canonicalEvent({
      type: 'ca.on.passerelle.outcome.follow-up-due',
      id: { sourceSystem: 'passerelle:referral-tracker', recordId: payload.employmentSpellId, version: payload.months },
      source: SOURCE,
      time: timer.dueAt.toISOString(),
      subject: payload.employmentSpellId,
      partitionkey: timer.clientId,
      data,
    });
    ledger.emit([
      { topic: this.names.of('outcomes.v1'), event: checkedEvent(event) },
      { topic: this.names.of('notifications.v1'), event: checkedEvent(followUpNotificationOf(event)) },
    ]);
  }

  /**
   * `outcome.recorded`: tied to its referral, kept if it is the latest word on its milestone, its
   * follow-up timer cancelled once reported, and reported to the ministry de-identified when achieved.
   */
  outcomeRecorded(ledger: LedgerBatch, outcome: OutcomeMilestone, cause: Cause): void {
    if (outcome.referralId !== undefined && !ledger.referral(outcome.referralId)) {
      ledger.park(outcome.referralId, { type: OUTCOME_RECORDED, data: outcome, cause });
      return;
    }
    const referralId = outcome.referralId ?? ledger.referralServedBy(outcome.clientId, outcome.reportedBy);
    const latest = ledger.recordOutcome(outcome, referralId, cause.occurredAt);
    const months = IES_MONTHS.get(outcome.outcomeType);
    if (months !== undefined && outcome.employmentSpellId !== undefined)
      ledger.cancelTimer(followUpKey(outcome.employmentSpellId, months), cause.occurredAt);
    if (!latest || !outcome.achieved) return;

    const referral = referralId === undefined ? undefined : ledger.referralFacts(referralId);
    const jobStartDate =
      outcome.employmentSpellId === undefined ? undefined : ledger.spellStart(outcome.employmentSpellId);
    const report = deidentifyOutcome(this.factsOf(outcome, referral, jobStartDate, cause), this.pseudonymizer);
    // Keyed by the pseudonym, with no correlation or causation ids: nothing on this topic leads back to the identified streams.
    const event = canonicalEvent({
      type: 'ca.on.passerelle.ministry.outcome-reported',
      id: nameBasedUuid(TRACKER_NAMESPACE, unambiguousName([report.reportId, cause.occurredAt])),
      source: SOURCE,
      time: cause.occurredAt,
      subject: report.subjectPseudonym,
      partitionkey: report.subjectPseudonym,
      data: report,
    });
    ledger.emit([{ topic: this.names.of('ministry.outcomes.v1'), event: checkedEvent(event) }]);
  }

  /**
   * `benefit.issued`: kept; the same support type from the other network for an overlapping period
   * raises an alert to the referrer: `support.duplicate-suspected`, and the alert kept in the
   * ledger (`GET /v1/alerts`) with its `notification.alert-raised` (webhooks).
   */
  benefitIssued(ledger: LedgerBatch, benefit: BenefitIssued, cause: Cause): void {
    const support: SupportRow = {
      benefitId: benefit.benefitId,
      clientId: benefit.clientId,
      network: benefit.issuedBy.split(':')[0],
      issuedBy: benefit.issuedBy,
      benefitType: benefit.benefitType,
      periodStart: benefit.periodStart,
      periodEnd: benefit.periodEnd ?? null,
      referralId: benefit.referralId ?? null,
    };
    for (const other of ledger.saveSupport(support)) {
      const [income, eo] = support.network === 'eo' ? [other, support] : [support, other];
      const alertId = nameBasedUuid(
        TRACKER_NAMESPACE,
        unambiguousName(['duplicate-support', income.benefitId, eo.benefitId]),
      );
      const referralId = eo.referralId ?? income.referralId;
      const data: SupportDuplicateSuspected = {
        alertId,
        recipient: income.issuedBy,
        clientId: benefit.clientId,
        ...(referralId !== null && { referralId }),
        benefitType: benefit.benefitType,
        supports: [supportSide(income), supportSide(eo)],
        detectedAt: cause.occurredAt,
      };
      const event = canonicalEvent({
        type: 'ca.on.passerelle.support.duplicate-suspected',
        id: alertId,
        source: SOURCE,
        time: cause.occurredAt,
        subject: alertId,
        correlationid: cause.correlationId ?? cause.eventId,
        causationid: cause.eventId,
        partitionkey: benefit.clientId,
        data,
      });
      ledger.emit([{ topic: this.names.of('notifications.v1'), event: checkedEvent(event) }]);
      this.alerts.duplicateSupport(ledger, alertId, income, eo, cause);
    }
  }

  private factsOf(
    outcome: OutcomeMilestone,
    referral: ReferralFacts | undefined,
    jobStartDate: string | undefined,
    cause: Cause,
  ): OutcomeFacts {
    const snapshot = referral?.snapshot as Referral | undefined;
    const spell = outcome.employmentSpellId ?? '';
    return {
      clientId: outcome.clientId,
      ...(referral !== undefined && { referralId: referral.referralId }),
      program: outcome.program,
      deliveryAgent: referral?.referrer ?? outcome.reportedBy,
      ...(referral?.catchment != null && { catchment: referral.catchment }),
      ...(snapshot?.personal?.contact?.address?.postalCode !== undefined && {
        postalCode: snapshot.personal.contact.address.postalCode,
      }),
      ...(snapshot?.personal?.birthDate !== undefined && { birthDate: snapshot.personal.birthDate }),
      ...(referral?.ageBand != null && { ageBandAtReferral: referral.ageBand as MinistryOutcome['ageBand'] }),
      ...(referral?.provider != null && { provider: referral.provider }),
      ...(referral?.providerType != null && { providerType: referral.providerType as 'direct' | 'third-party' }),
      ...(referral?.stream != null && { stream: referral.stream }),
      outcomeType: outcome.outcomeType,
      achievedOn: outcome.observedOn,
      ...(referral !== undefined && { requestedAt: referral.requestedAt.toISOString() }),
      ...(referral?.acceptedAt != null && { acceptedAt: referral.acceptedAt.toISOString() }),
      ...(jobStartDate !== undefined && { jobStartDate }),
      // Stable per milestone of a client, and under the pseudonym key: not derivable from any id alone.
      reportId: nameBasedUuid(
        TRACKER_NAMESPACE,
        unambiguousName(['report', this.pseudonymizer.of('client', outcome.clientId), outcome.outcomeType, spell]),
      ),
      reportedAt: cause.occurredAt,
    };
  }
}

function followUpKey(employmentSpellId: string, months: number): string {
  return `follow-up:${employmentSpellId}:${months}`;
}
