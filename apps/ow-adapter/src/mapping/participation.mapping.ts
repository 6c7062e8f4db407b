/**
 * The participation part of an OW or ODSP record -> `service-event.recorded`: the plan, its
 * activities and deferrals, benefits issued and the closure of the file. Pure, like the rest of
 * the mapping (./source-record.mapping.ts).
 */
import type { ServiceEvent } from '@passerelle/contracts';
import { SourceCodeMapper, canonicalBenefit, stableEntityId } from '@passerelle/translation';
import { OW_EVENT_KINDS } from './event-kinds';
import type { Common, OwRecordEvents, SourcePlan } from './source-view';

function serviceEvent(
  out: OwRecordEvents,
  common: Common,
  kind: ServiceEvent['kind'],
  entryId: string | undefined,
  occurredOn: string,
  details: Partial<ServiceEvent>,
): void {
  const serviceEventId = out.occurrenceId(kind, entryId ?? out.view.recordId);
  const data: ServiceEvent = {
    serviceEventId,
    ...common,
    source: out.source(entryId),
    deliveredBy: out.view.org,
    kind,
    occurredOn,
    ...details,
  };
  out.add(
    OW_EVENT_KINDS.serviceEventRecorded,
    serviceEventId,
    data,
    entryId === undefined ? kind : `${kind}:${entryId}`,
  );
}

/** The plan as this record version holds it (`closed` once it has an end date). */
function planDetails(codes: SourceCodeMapper, pointer: string, plan: SourcePlan): NonNullable<ServiceEvent['plan']> {
  return {
    planId: plan.planId,
    planType: codes.map('plan-types', `${pointer}/planTypeCode`, plan.planTypeCode),
    status: plan.endDate === undefined ? 'active' : 'closed',
    startDate: plan.signedOn,
    ...(plan.endDate !== undefined && { endDate: plan.endDate }),
    ...(plan.lastReviewedOn !== undefined && { lastReviewedOn: plan.lastReviewedOn }),
    reviewDueOn: plan.reviewDueOn,
  };
}

/** Participation agreement / action plan / ODSP employment plan -> `plan-started`, and `plan-reviewed` once reviewed. */
export function mapPlan(out: OwRecordEvents, codes: SourceCodeMapper, common: Common): void {
  const plan = out.view.plan;
  if (plan === undefined) return;
  const details = planDetails(codes, plan.pointer, plan.value);
  serviceEvent(out, common, 'plan-started', plan.value.planId, plan.value.signedOn, { plan: details });
  if (plan.value.lastReviewedOn !== undefined)
    serviceEvent(out, common, 'plan-reviewed', plan.value.planId, plan.value.lastReviewedOn, { plan: details });
}

/** `plan-ended` once the plan has an end date (after the plan's activities, deferrals and benefits). */
export function mapPlanEnd(out: OwRecordEvents, codes: SourceCodeMapper, common: Common): void {
  const plan = out.view.plan;
  if (plan?.value.endDate === undefined) return;
  serviceEvent(out, common, 'plan-ended', plan.value.planId, plan.value.endDate, {
    plan: planDetails(codes, plan.pointer, plan.value),
  });
}

/** Employment assistance activities -> `activity-started`, and `activity-ended` once ended. */
export function mapActivities(out: OwRecordEvents, codes: SourceCodeMapper, common: Common): void {
  out.view.activities.forEach((a, i) => {
    const activity: NonNullable<ServiceEvent['activity']> = {
      activityId: a.activityId,
      activity: codes.map('activities', `/activities/${i}/activityCode`, a.activityCode),
      startDate: a.startDate,
      ...(a.endDate !== undefined && { endDate: a.endDate }),
      ...(a.thirdPartyProvider !== undefined && { thirdPartyProvider: a.thirdPartyProvider }),
    };
    serviceEvent(out, common, 'activity-started', a.activityId, a.startDate, { activity });
    if (a.endDate !== undefined) serviceEvent(out, common, 'activity-ended', a.activityId, a.endDate, { activity });
  });
}

/** OW deferrals of participation requirements -> `deferral-started`, and `deferral-ended` once ended. */
export function mapDeferrals(out: OwRecordEvents, codes: SourceCodeMapper, common: Common): void {
  out.view.deferrals.forEach((d, i) => {
    const deferral: NonNullable<ServiceEvent['deferral']> = {
      deferralId: d.deferralId,
      reason: codes.map('deferral-reasons', `/deferrals/${i}/reasonCode`, d.reasonCode),
      startDate: d.startDate,
      ...(d.endDate !== undefined && { endDate: d.endDate }),
      reviewDueOn: d.reviewDueOn,
    };
    serviceEvent(out, common, 'deferral-started', d.deferralId, d.startDate, { deferral });
    if (d.endDate !== undefined) serviceEvent(out, common, 'deferral-ended', d.deferralId, d.endDate, { deferral });
  });
}

/** Employment and participation benefits -> `benefit.issued`, one per issuance (its id is stable across versions). */
export function mapBenefits(out: OwRecordEvents, codes: SourceCodeMapper, common: Common): void {
  const { view } = out;
  view.benefits.forEach((b, i) => {
    const benefitId = stableEntityId(view.issuer, 'benefit', b.benefitId);
    const data = canonicalBenefit(codes, i, b, {
      benefitId,
      ...common,
      source: out.source(b.benefitId),
      issuedBy: view.org,
    });
    out.add(OW_EVENT_KINDS.benefitIssued, benefitId, data, b.benefitId);
  });
}

/** Closure of the case / employment supports file -> `exited` (about the record as a whole: no entry id). */
export function mapExit(out: OwRecordEvents, codes: SourceCodeMapper, common: Common): void {
  const exit = out.view.exit;
  if (exit === undefined) return;
  serviceEvent(out, common, 'exited', undefined, exit.exitedOn, {
    exit: {
      exitedOn: exit.exitedOn,
      exitReason: codes.map('exit-reasons', '/exit/exitReasonCode', exit.exitReasonCode),
    },
  });
}
