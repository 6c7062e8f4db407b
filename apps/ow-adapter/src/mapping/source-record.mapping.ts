/**
 * The mapping both OW (SAMS) case records and ODSP employment records go through. The two
 * source schemas share every part (`$ref`s to the same files) except the organization, the
 * deferrals (OW only) and the outcome list (`outcomes` / ODSP `milestones`), so each record is
 * first read into a `SourceView` (./ow-case-record.mapping.ts, ./odsp-employment-record.mapping.ts)
 * and mapped here once. Pure: the same view and context always give the same events, ids
 * included; no clock, no randomness, no I/O (code tables are read once from schemas/ by
 * @passerelle/codes).
 */
import { unmappedSourceCodes } from '@passerelle/codes';
import type {
  Client,
  Consent,
  EmploymentSpell,
  MappingContext,
  MappingResult,
  OutcomeMilestone,
  OwCaseRecord,
  Referral,
  ServiceEvent,
} from '@passerelle/contracts';
import {
  RecordEvents,
  SourceCodeMapper,
  canonicalBenefit,
  canonicalContact,
  canonicalEmployment,
} from '@passerelle/translation';
import {
  canonicalConsentId,
  canonicalReferralId,
  occurrenceEntityId,
  stableEntityId,
  type EntryIssuer,
} from '@passerelle/translation';
import { OW_EVENT_KINDS } from './event-kinds';

export type SourcePersonal = Pick<
  OwCaseRecord['personal'],
  'memberId' | 'name' | 'birthDate' | 'preferredLanguage' | 'contact'
>;
export type SourcePlan = NonNullable<OwCaseRecord['participationPlan']>;
export type SourceActivity = NonNullable<OwCaseRecord['activities']>[number];
export type SourceDeferral = NonNullable<OwCaseRecord['deferrals']>[number];
export type SourceBenefit = NonNullable<OwCaseRecord['benefitsIssued']>[number];
export type SourceConsent = NonNullable<OwCaseRecord['consents']>[number];
export type SourceReferralRequest = NonNullable<OwCaseRecord['referralRequest']>;
export type SourceOutcome = NonNullable<OwCaseRecord['outcomes']>[number];
export type SourceEmployment = NonNullable<SourceOutcome['employment']>;
export type SourceExit = NonNullable<OwCaseRecord['exit']>;

/** One OW or ODSP record, read into the parts both share; pointers are JSON pointers into the record. */
export interface SourceView {
  /** `$id` of the record's source schema (for `unmappedSourceCodes`). */
  readonly schemaId: string;
  /** The record itself, as validated against `schemaId`. */
  readonly record: unknown;
  /** Source system and organization code (delivery agent, ODSP office). */
  readonly issuer: EntryIssuer;
  /** Organization id of the issuer (`ow:toronto`, `odsp:central`): referrer, grantor, deliverer, reporter. */
  readonly org: `ow:${string}` | `odsp:${string}`;
  /** `ce_source` of every event (`/ow/sams/<agent>`, `/odsp/<office>`). */
  readonly ceSource: string;
  readonly recordId: string;
  readonly recordVersion: number;
  readonly recordedAt: string;
  readonly programCode: string;
  readonly personal: SourcePersonal;
  readonly plan?: { readonly value: SourcePlan; readonly pointer: string };
  readonly activities: readonly SourceActivity[];
  readonly deferrals: readonly SourceDeferral[];
  readonly benefits: readonly SourceBenefit[];
  readonly consents: readonly SourceConsent[];
  readonly referralRequest?: SourceReferralRequest;
  readonly outcomes: { readonly values: readonly SourceOutcome[]; readonly pointer: '/outcomes' | '/milestones' };
  readonly exit?: SourceExit;
}

type Program = Client['program'];
type SourceRef = ServiceEvent['source'];
type EmploymentDetails = EmploymentSpell['employment'];
type Common = Pick<ServiceEvent, 'clientId' | 'program'>;

/** The events of one record, with the entity ids they share. */
class OwRecordEvents extends RecordEvents {
  constructor(
    readonly view: SourceView,
    context: MappingContext,
  ) {
    super(
      {
        sourceSystem: `${view.issuer.system}:${view.issuer.orgCode}`,
        recordId: view.recordId,
        version: view.recordVersion,
        source: view.ceSource,
        time: view.recordedAt,
      },
      context,
    );
  }

  source(entryId?: string): SourceRef {
    const { issuer, recordId, recordVersion } = this.view;
    return entryId === undefined
      ? { system: issuer.system, recordId, recordVersion }
      : { system: issuer.system, recordId, recordVersion, entryId };
  }

  occurrenceId(kind: string, entryId: string): string {
    const { issuer, recordId, recordVersion } = this.view;
    return occurrenceEntityId(issuer, recordId, recordVersion, kind, entryId);
  }
}

/**
 * Maps a record read into `view` to its canonical events, or says why it cannot: source codes
 * with no canonical mapping (checked first, each reason naming the field and the code), entry
 * ids repeated inside one list (they would give two events one `ce_id`), or a referral naming a
 * consent the record does not hold.
 */
export function mapSourceView(view: SourceView, context: MappingContext): MappingResult {
  const unmapped = unmappedSourceCodes(view.schemaId, view.record);
  if (unmapped.length > 0) return { ok: false, reasons: unmapped.map((u) => u.reason) };
  const inconsistent = consistencyProblems(view);
  if (inconsistent.length > 0) return { ok: false, reasons: inconsistent };

  const codes = new SourceCodeMapper(view.issuer.system);
  const out = new OwRecordEvents(view, context);
  const program = codes.map<Program>('programs', '/programCode', view.programCode);
  const common: Common = { clientId: context.clientId, program };
  const personal = canonicalPersonal(view);

  mapClient(out, program, personal);
  mapConsentsAndReferral(out, codes, common, personal);
  mapPlan(out, codes, common);
  mapActivities(out, codes, common);
  mapDeferrals(out, codes, common);
  mapBenefits(out, codes, common);
  mapPlanEnd(out, codes, common);
  mapExit(out, codes, common);
  mapOutcomes(out, codes, common);

  if (codes.reasons.length > 0) return { ok: false, reasons: codes.reasons };
  return { ok: true, events: out.events };
}

/** Repeated entry ids in one list, and a referral whose `consentId` is not among the record's consents. */
function consistencyProblems(view: SourceView): string[] {
  const problems: string[] = [];
  const unique = <T>(pointer: string, entries: readonly T[], idOf: (entry: T) => string, idName: string): void => {
    const first = new Map<string, number>();
    entries.forEach((entry, i) => {
      const id = idOf(entry);
      const seen = first.get(id);
      if (seen === undefined) first.set(id, i);
      else
        problems.push(
          `${pointer}/${i}/${idName}: "${id}" repeats ${pointer}/${seen}/${idName} (entry ids must be unique in a record)`,
        );
    });
  };
  unique('/activities', view.activities, (a) => a.activityId, 'activityId');
  unique('/deferrals', view.deferrals, (d) => d.deferralId, 'deferralId');
  unique('/benefitsIssued', view.benefits, (b) => b.benefitId, 'benefitId');
  unique('/consents', view.consents, (c) => c.consentId, 'consentId');
  unique(view.outcomes.pointer, view.outcomes.values, (o) => o.outcomeId, 'outcomeId');
  const referral = view.referralRequest;
  if (referral !== undefined && !view.consents.some((c) => c.consentId === referral.consentId)) {
    problems.push(
      `/referralRequest/consentId: "${referral.consentId}" is not the consentId of any consent in /consents (the referral needs the consent covering it)`,
    );
  }
  return problems;
}

/** The person as the canonical `personal` member holds it: names as written, contact normalized, the member id as a link. */
function canonicalPersonal(view: SourceView): Client['personal'] {
  const { personal, issuer, recordedAt } = view;
  return {
    name: { ...personal.name },
    birthDate: personal.birthDate,
    ...(personal.preferredLanguage !== undefined && { preferredLanguage: personal.preferredLanguage }),
    ...(personal.contact !== undefined && { contact: canonicalContact(personal.contact) }),
    links: [{ system: issuer.system, sourceId: personal.memberId, linkedAt: recordedAt }],
  };
}

/**
 * `client.linked` for the first version of a record (its member id becomes a link of the client),
 * `client.updated` for every later version (identity and contact as the source now holds them).
 * Whether a link is new to Passerelle only the identity registry knows, not this pure mapping.
 */
function mapClient(out: OwRecordEvents, program: Program, personal: Client['personal']): void {
  const { view, context } = out;
  const data: Client = {
    clientId: context.clientId,
    program,
    source: out.source(),
    personal,
    updatedAt: view.recordedAt,
  };
  out.add(
    view.recordVersion === 1 ? OW_EVENT_KINDS.clientLinked : OW_EVENT_KINDS.clientUpdated,
    context.clientId,
    data,
  );
}

/**
 * Consents and the referral request, on `referrals.v1` in this order: `consent.granted` for every
 * consent of the record (each was granted; a withdrawn one too, without `withdrawnAt`), then
 * `referral.submitted` (status `requested`, business status `created`), then `consent.withdrawn`
 * for every withdrawn consent. A consumer meeting the record for the first time thus sees the
 * consent, the referral it covers, and the withdrawal that cancels it, in that order.
 */
function mapConsentsAndReferral(
  out: OwRecordEvents,
  codes: SourceCodeMapper,
  common: Common,
  personal: Client['personal'],
): void {
  const { view } = out;
  const consents = view.consents.map((c, i): Consent => ({
    consentId: canonicalConsentId(view.issuer, c.consentId),
    ...common,
    source: out.source(c.consentId),
    grantedBy: view.org,
    purpose: codes.map('consent-purposes', `/consents/${i}/purposeCode`, c.purposeCode),
    recipients: [...c.recipients],
    grantedAt: c.grantedAt,
    ...(c.expiresOn !== undefined && { expiresOn: c.expiresOn }),
  }));
  consents.forEach((data, i) =>
    out.add(OW_EVENT_KINDS.consentGranted, data.consentId, data, view.consents[i].consentId),
  );

  const request = view.referralRequest;
  if (request !== undefined) {
    const referralId = canonicalReferralId(view.issuer, request.referralId);
    const data: Referral = {
      referralId,
      ...common,
      source: out.source(request.referralId),
      referrer: view.org,
      sourceReferralId: request.referralId,
      pathway: codes.map('referral-pathways', '/referralRequest/pathwayCode', request.pathwayCode),
      serviceWanted: codes.map('service-types', '/referralRequest/serviceWantedCode', request.serviceWantedCode),
      ...(request.preferredProviderId !== undefined && { preferredProvider: request.preferredProviderId }),
      consentId: canonicalConsentId(view.issuer, request.consentId),
      status: 'requested',
      businessStatus: 'created',
      requestedAt: request.requestedAt,
      updatedAt: request.requestedAt,
      personal: { ...personal, ...(request.notes !== undefined && { notes: request.notes }) },
    };
    out.add(OW_EVENT_KINDS.referralSubmitted, referralId, data);
  }

  view.consents.forEach((c, i) => {
    if (c.withdrawnAt === undefined) return;
    const data: Consent = { ...consents[i], withdrawnAt: c.withdrawnAt };
    out.add(OW_EVENT_KINDS.consentWithdrawn, data.consentId, data, c.consentId);
  });
}

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
function mapPlan(out: OwRecordEvents, codes: SourceCodeMapper, common: Common): void {
  const plan = out.view.plan;
  if (plan === undefined) return;
  const details = planDetails(codes, plan.pointer, plan.value);
  serviceEvent(out, common, 'plan-started', plan.value.planId, plan.value.signedOn, { plan: details });
  if (plan.value.lastReviewedOn !== undefined)
    serviceEvent(out, common, 'plan-reviewed', plan.value.planId, plan.value.lastReviewedOn, { plan: details });
}

/** `plan-ended` once the plan has an end date (after the plan's activities, deferrals and benefits). */
function mapPlanEnd(out: OwRecordEvents, codes: SourceCodeMapper, common: Common): void {
  const plan = out.view.plan;
  if (plan?.value.endDate === undefined) return;
  serviceEvent(out, common, 'plan-ended', plan.value.planId, plan.value.endDate, {
    plan: planDetails(codes, plan.pointer, plan.value),
  });
}

/** Employment assistance activities -> `activity-started`, and `activity-ended` once ended. */
function mapActivities(out: OwRecordEvents, codes: SourceCodeMapper, common: Common): void {
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
function mapDeferrals(out: OwRecordEvents, codes: SourceCodeMapper, common: Common): void {
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
function mapBenefits(out: OwRecordEvents, codes: SourceCodeMapper, common: Common): void {
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
function mapExit(out: OwRecordEvents, codes: SourceCodeMapper, common: Common): void {
  const exit = out.view.exit;
  if (exit === undefined) return;
  serviceEvent(out, common, 'exited', undefined, exit.exitedOn, {
    exit: {
      exitedOn: exit.exitedOn,
      exitReason: codes.map('exit-reasons', '/exit/exitReasonCode', exit.exitReasonCode),
    },
  });
}

/**
 * OW outcomes (employment, retention, increased earnings, exit to employment) and ODSP milestones
 * -> `outcome.recorded` (`achieved: true`: the source lists outcomes reached). The job an outcome
 * is about becomes an employment spell (id from the source job id, the same in every outcome
 * and version): `employment.started` where the record first mentions it, `employment.updated`
 * (keyed by outcome) at each later mention with the job as found then, `employment.ended` once
 * a mention gives an end date.
 */
function mapOutcomes(out: OwRecordEvents, codes: SourceCodeMapper, common: Common): void {
  const { view } = out;
  const { values, pointer: listPointer } = view.outcomes;
  const ended = new Map<string, EmploymentSpell>();
  const seen = new Set<string>();
  values.forEach((o, i) => {
    const pointer = `${listPointer}/${i}`;
    let employment: EmploymentDetails | undefined;
    let employmentSpellId: string | undefined;
    if (o.employment !== undefined) {
      const job = o.employment;
      employment = canonicalEmployment(codes, `${pointer}/employment`, job);
      employmentSpellId = stableEntityId(view.issuer, 'employment', job.employmentId);
      const first = !seen.has(job.employmentId);
      seen.add(job.employmentId);
      const spell: EmploymentSpell = {
        employmentSpellId,
        ...common,
        source: out.source(first ? job.employmentId : o.outcomeId),
        reportedBy: view.org,
        employment,
      };
      if (first) out.add(OW_EVENT_KINDS.employmentStarted, employmentSpellId, spell, job.employmentId);
      else out.add(OW_EVENT_KINDS.employmentUpdated, employmentSpellId, spell, o.outcomeId);
      if (job.jobEndDate !== undefined) ended.set(job.employmentId, { ...spell, source: out.source(job.employmentId) });
    }
    const outcomeId = out.occurrenceId('outcome', o.outcomeId);
    const data: OutcomeMilestone = {
      outcomeId,
      ...common,
      source: out.source(o.outcomeId),
      ...(employmentSpellId !== undefined && { employmentSpellId }),
      reportedBy: view.org,
      outcomeType: codes.map('outcome-types', `${pointer}/outcomeTypeCode`, o.outcomeTypeCode),
      achieved: true,
      observedOn: o.achievedOn,
      ...(o.monthlyEarnings !== undefined && { monthlyEarnings: o.monthlyEarnings }),
      ...(employment !== undefined && { employment }),
    };
    out.add(OW_EVENT_KINDS.outcomeRecorded, outcomeId, data, o.outcomeId);
  });
  for (const [employmentId, spell] of ended)
    out.add(OW_EVENT_KINDS.employmentEnded, spell.employmentSpellId, spell, employmentId);
}
