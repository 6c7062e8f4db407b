import { unmappedSourceCodes } from '@passerelle/codes';
import {
  nameBasedUuid,
  schemaIdForPath,
  unambiguousName,
  type Client,
  type EmploymentSpell,
  type EoServiceRecord,
  type MappingContext,
  type MappingResult,
  type OutcomeMilestone,
  type ReferralResponse,
  type ServiceEvent,
} from '@passerelle/contracts';
import {
  RecordEvents,
  SourceCodeMapper,
  canonicalBenefit,
  canonicalContact,
  canonicalEmployment,
  eventKind,
  type EventKind,
  type SourceEmployment,
} from '@passerelle/translation';
import { iesMilestoneAchieved } from './ies-milestone';

/**
 * EOIS-CaMS service record -> canonical CloudEvents. Pure: the same record and context always
 * give the same events (ids included); no clock, no randomness, no I/O.
 */

export const EO_SERVICE_RECORD_SCHEMA_ID = schemaIdForPath('sources/eo-service-record.json');

/** Every event kind this mapping produces: `ce_type`, topic and `ce_dataschema` as asyncapi.yaml pins them. */
export const EO_EVENT_KINDS = {
  clientLinked: eventKind('ca.on.passerelle.client.linked'),
  clientUpdated: eventKind('ca.on.passerelle.client.updated'),
  serviceEventRecorded: eventKind('ca.on.passerelle.service-event.recorded'),
  benefitIssued: eventKind('ca.on.passerelle.benefit.issued'),
  employmentStarted: eventKind('ca.on.passerelle.employment.started'),
  employmentUpdated: eventKind('ca.on.passerelle.employment.updated'),
  employmentEnded: eventKind('ca.on.passerelle.employment.ended'),
  outcomeRecorded: eventKind('ca.on.passerelle.outcome.recorded'),
  referralResponseRecorded: eventKind('ca.on.passerelle.referral.response-recorded'),
} as const satisfies Record<string, EventKind>;

/**
 * UUID namespace of the canonical entity ids this adapter derives (service events, outcomes,
 * benefits, employment spells). A fixed random v4: never change it, ids would change.
 */
const EO_ENTITY_NAMESPACE = Buffer.from('5d8c96d64f9a3ef1ac2e6c80ded2e5cf', 'hex');

const SYSTEM = 'cams' as const;

type EmploymentDetails = EmploymentSpell['employment'];
type SourceRef = ServiceEvent['source'];

/** What every event of one record shares. */
class EoRecordEvents extends RecordEvents {
  readonly provider: string;
  readonly org: ServiceEvent['deliveredBy'];
  constructor(
    readonly record: EoServiceRecord,
    context: MappingContext,
  ) {
    const provider = record.provider.providerId;
    super(
      {
        sourceSystem: `${SYSTEM}:${provider}`,
        recordId: record.sourceRecordId,
        version: record.recordVersion,
        source: `/eo/cams/${provider}`,
        time: record.recordedAt,
      },
      context,
    );
    this.provider = provider;
    this.org = `eo:${provider}`;
  }

  source(entryId?: string): SourceRef {
    const { sourceRecordId: recordId, recordVersion } = this.record;
    return entryId === undefined
      ? { system: SYSTEM, recordId, recordVersion }
      : { system: SYSTEM, recordId, recordVersion, entryId };
  }

  /** Id of an entity that is one occurrence of this record version (service event, outcome). */
  occurrenceId(kind: string, entryId: string): string {
    const { sourceRecordId, recordVersion } = this.record;
    return nameBasedUuid(
      EO_ENTITY_NAMESPACE,
      unambiguousName([SYSTEM, this.provider, sourceRecordId, recordVersion, kind, entryId]),
    );
  }

  /** Id of an entity that keeps its identity across record versions (a benefit, a job). */
  stableId(kind: string, entryId: string): string {
    return nameBasedUuid(EO_ENTITY_NAMESPACE, unambiguousName([SYSTEM, this.provider, kind, entryId]));
  }
}

/**
 * Maps one EO service record (already valid against `sources/eo-service-record.json`) to its
 * canonical events, or says which source codes have no canonical mapping.
 */
export function mapEoServiceRecord(record: EoServiceRecord, context: MappingContext): MappingResult {
  const unmapped = unmappedSourceCodes(EO_SERVICE_RECORD_SCHEMA_ID, record);
  if (unmapped.length > 0) return { ok: false, reasons: unmapped.map((u) => u.reason) };

  const codes = new SourceCodeMapper(SYSTEM);
  const out = new EoRecordEvents(record, context);
  const program = codes.map<Client['program']>('programs', '/programCode', record.programCode);
  // The client came by this Passerelle referral and the provider took it: correlate everything.
  const referralId = record.referralResponse?.decision === 'accepted' ? record.referralResponse.referralId : undefined;
  const common = { clientId: context.clientId, ...(referralId !== undefined && { referralId }), program };

  mapClient(out, program);
  mapReferralResponse(out, codes);
  mapAssessment(out, codes, common);
  mapServicePlan(out, codes, common);
  mapScheduledEvents(out, codes, common);
  mapExit(out, codes, common);
  mapBenefits(out, codes, common);
  mapEmployments(out, codes, common);
  mapFollowUps(out, codes, common);

  if (codes.reasons.length > 0) return { ok: false, reasons: codes.reasons };
  return { ok: true, events: out.events };
}

type Common = Pick<ServiceEvent, 'clientId' | 'referralId' | 'program'>;

/**
 * `client.linked` for the first version of a service record (the CaMS client reference number,
 * and the SAMS / ODSP member id it carries, become links of the client), `client.updated` for
 * every later version (identity or contact as CaMS now holds it). Whether a link is new to
 * Passerelle is known only to the identity registry, not to this pure mapping.
 */
function mapClient(out: EoRecordEvents, program: Client['program']): void {
  const { record, context } = out;
  const { personal } = record;
  const linkedAt = record.recordedAt;
  const links: Client['personal']['links'] = [{ system: 'cams', sourceId: personal.clientReferenceNumber, linkedAt }];
  if (personal.samsMemberId !== undefined) links.push({ system: 'sams', sourceId: personal.samsMemberId, linkedAt });
  if (personal.odspMemberId !== undefined) links.push({ system: 'odsp', sourceId: personal.odspMemberId, linkedAt });
  const data: Client = {
    clientId: context.clientId,
    program,
    source: out.source(),
    personal: {
      name: { ...personal.name },
      birthDate: personal.birthDate,
      ...(personal.preferredLanguage !== undefined && { preferredLanguage: personal.preferredLanguage }),
      ...(personal.contact !== undefined && { contact: canonicalContact(personal.contact) }),
      links,
    },
    updatedAt: record.recordedAt,
  };
  out.add(
    record.recordVersion === 1 ? EO_EVENT_KINDS.clientLinked : EO_EVENT_KINDS.clientUpdated,
    context.clientId,
    data,
  );
}

/** The provider's answer to the referral that brought the client -> `referral.response-recorded`, for the tracker. */
function mapReferralResponse(out: EoRecordEvents, codes: SourceCodeMapper): void {
  const response = out.record.referralResponse;
  if (response === undefined) return;
  const data: ReferralResponse = {
    referralId: response.referralId,
    clientId: out.context.clientId,
    provider: out.org,
    decision: response.decision === 'accepted' ? 'accept' : 'decline',
    ...(response.declineReasonCode !== undefined && {
      declineReason: codes.map<NonNullable<ReferralResponse['declineReason']>>(
        'decline-reasons',
        '/referralResponse/declineReasonCode',
        response.declineReasonCode,
      ),
    }),
    ...(response.note !== undefined && response.note !== '' && { note: response.note }),
    decidedAt: response.decidedAt,
    source: out.source(),
  };
  out.add(EO_EVENT_KINDS.referralResponseRecorded, response.referralId, data);
}

function serviceEvent(
  out: EoRecordEvents,
  common: Common,
  kind: ServiceEvent['kind'],
  entryId: string,
  occurredOn: string,
  details: Partial<ServiceEvent>,
): void {
  const serviceEventId = out.occurrenceId(kind, entryId);
  const data: ServiceEvent = {
    serviceEventId,
    ...common,
    source: out.source(entryId),
    deliveredBy: out.org,
    kind,
    occurredOn,
    ...details,
  };
  out.add(EO_EVENT_KINDS.serviceEventRecorded, serviceEventId, data, `${kind}:${entryId}`);
}

/** Common Assessment summary (stream, education level) -> `assessment-completed`. */
function mapAssessment(out: EoRecordEvents, codes: SourceCodeMapper, common: Common): void {
  const assessment = out.record.commonAssessment;
  if (assessment === undefined) return;
  const { assessmentId, completedOn, streamCode, educationLevelCode } = assessment;
  serviceEvent(out, common, 'assessment-completed', assessmentId, completedOn, {
    assessment: {
      assessmentId,
      stream: codes.map('streams', '/commonAssessment/streamCode', streamCode),
      ...(educationLevelCode !== undefined && {
        educationLevel: codes.map('education-levels', '/commonAssessment/educationLevelCode', educationLevelCode),
      }),
    },
  });
}

/** Service plan -> `plan-started`, `plan-ended` once closed with an exit; plan items -> `activity-started` / `activity-ended`. */
function mapServicePlan(out: EoRecordEvents, codes: SourceCodeMapper, common: Common): void {
  const plan = out.record.servicePlan;
  if (plan === undefined) return;
  const exitedOn = plan.status === 'closed' ? out.record.exit?.exitedOn : undefined;
  const details: NonNullable<ServiceEvent['plan']> = {
    planId: plan.servicePlanId,
    planType: codes.map('plan-types', '/servicePlan/planTypeCode', plan.planTypeCode),
    status: plan.status,
    startDate: plan.openedOn,
    ...(exitedOn !== undefined && { endDate: exitedOn }),
    ...(plan.goal !== undefined && { goal: plan.goal }),
  };
  serviceEvent(out, common, 'plan-started', plan.servicePlanId, plan.openedOn, { plan: details });
  if (exitedOn !== undefined) serviceEvent(out, common, 'plan-ended', plan.servicePlanId, exitedOn, { plan: details });

  plan.planItems.forEach((item, i) => {
    const activity: NonNullable<ServiceEvent['activity']> = {
      activityId: item.planItemId,
      activity: codes.map('activities', `/servicePlan/planItems/${i}/activityCode`, item.activityCode),
      startDate: item.startDate,
      ...(item.actualEndDate !== undefined && { endDate: item.actualEndDate }),
    };
    serviceEvent(out, common, 'activity-started', item.planItemId, item.startDate, { activity });
    if (item.actualEndDate !== undefined)
      serviceEvent(out, common, 'activity-ended', item.planItemId, item.actualEndDate, { activity });
  });
}

const ATTENDANCE_KIND = {
  scheduled: 'event-scheduled',
  attended: 'event-attended',
  'no-show': 'event-unattended',
  cancelled: 'event-cancelled',
} as const satisfies Record<NonNullable<ServiceEvent['scheduledEvent']>['attendance'], ServiceEvent['kind']>;

/** Scheduled events with attendance -> `event-scheduled` / `-attended` / `-unattended` (no-show) / `-cancelled`. */
function mapScheduledEvents(out: EoRecordEvents, codes: SourceCodeMapper, common: Common): void {
  (out.record.scheduledEvents ?? []).forEach((ev, i) => {
    const attendance = codes.map<NonNullable<ServiceEvent['scheduledEvent']>['attendance']>(
      'attendance-statuses',
      `/scheduledEvents/${i}/attendanceCode`,
      ev.attendanceCode,
    );
    const kind = ATTENDANCE_KIND[attendance];
    serviceEvent(out, common, kind, ev.eventId, localDate(ev.scheduledAt), {
      scheduledEvent: {
        eventId: ev.eventId,
        scheduledAt: ev.scheduledAt,
        attendance,
        ...(ev.activityCode !== undefined && {
          activity: codes.map('activities', `/scheduledEvents/${i}/activityCode`, ev.activityCode),
        }),
      },
    });
  });
}

/** Exit from service -> `exited` with the situation at exit. */
function mapExit(out: EoRecordEvents, codes: SourceCodeMapper, common: Common): void {
  const exit = out.record.exit;
  if (exit === undefined) return;
  const entryId = out.record.servicePlan?.servicePlanId ?? out.record.sourceRecordId;
  serviceEvent(out, common, 'exited', entryId, exit.exitedOn, {
    exit: {
      exitedOn: exit.exitedOn,
      exitReason: codes.map('exit-reasons', '/exit/exitReasonCode', exit.exitReasonCode),
    },
  });
}

/** EO financial supports -> `benefit.issued` (one per issuance; its id is stable across versions). */
function mapBenefits(out: EoRecordEvents, codes: SourceCodeMapper, common: Common): void {
  (out.record.benefitsIssued ?? []).forEach((b, i) => {
    const benefitId = out.stableId('benefit', b.benefitId);
    const data = canonicalBenefit(codes, i, b, {
      benefitId,
      ...common,
      source: out.source(b.benefitId),
      issuedBy: out.org,
    });
    out.add(EO_EVENT_KINDS.benefitIssued, benefitId, data, b.benefitId);
  });
}

function spell(
  out: EoRecordEvents,
  common: Common,
  job: SourceEmployment,
  entryId: string,
  employment: EmploymentDetails,
): EmploymentSpell {
  return {
    employmentSpellId: out.stableId('employment', job.employmentId),
    ...common,
    source: out.source(entryId),
    reportedBy: out.org,
    employment,
  };
}

/**
 * Jobs -> `employment.started` (and `employment.ended` once it has an end date). A job that only
 * a follow-up reports (not listed in `employments`) starts there, at its first follow-up.
 */
function mapEmployments(out: EoRecordEvents, codes: SourceCodeMapper, common: Common): void {
  const jobs: Array<{ job: SourceEmployment; pointer: string }> = (out.record.employments ?? []).map((job, i) => ({
    job,
    pointer: `/employments/${i}`,
  }));
  const known = new Set(jobs.map(({ job }) => job.employmentId));
  (out.record.followUps ?? []).forEach((f, i) => {
    if (f.employment !== undefined && !known.has(f.employment.employmentId)) {
      known.add(f.employment.employmentId);
      jobs.push({ job: f.employment, pointer: `/followUps/${i}/employment` });
    }
  });
  for (const { job, pointer } of jobs) {
    const data = spell(out, common, job, job.employmentId, canonicalEmployment(codes, pointer, job));
    out.add(EO_EVENT_KINDS.employmentStarted, data.employmentSpellId, data, job.employmentId);
    if (job.jobEndDate !== undefined)
      out.add(EO_EVENT_KINDS.employmentEnded, data.employmentSpellId, data, job.employmentId);
  }
}

/**
 * Follow-ups at 1, 3, 6 and 12 months -> `outcome.recorded` (the IES milestone of the follow-up
 * code, `achieved` by the rule of ./ies-milestone), plus `employment.updated` with the job as
 * found at the follow-up.
 */
function mapFollowUps(out: EoRecordEvents, codes: SourceCodeMapper, common: Common): void {
  (out.record.followUps ?? []).forEach((f, i) => {
    const pointer = `/followUps/${i}`;
    const employment =
      f.employment === undefined ? undefined : canonicalEmployment(codes, `${pointer}/employment`, f.employment);
    let employmentSpellId: string | undefined;
    if (f.employment !== undefined && employment !== undefined) {
      const data = spell(out, common, f.employment, f.followUpId, employment);
      employmentSpellId = data.employmentSpellId;
      out.add(EO_EVENT_KINDS.employmentUpdated, employmentSpellId, data, f.followUpId);
    }
    const outcomeId = out.occurrenceId('outcome', f.followUpId);
    const data: OutcomeMilestone = {
      outcomeId,
      ...common,
      source: out.source(f.followUpId),
      ...(employmentSpellId !== undefined && { employmentSpellId }),
      reportedBy: out.org,
      outcomeType: codes.map('outcome-types', `${pointer}/followUpCode`, f.followUpCode),
      achieved: iesMilestoneAchieved(f.employment, f.completedOn),
      observedOn: f.completedOn,
      clientSituation: codes.map('exit-reasons', `${pointer}/situationCode`, f.situationCode),
      ...(employment !== undefined && { employment }),
    };
    out.add(EO_EVENT_KINDS.outcomeRecorded, outcomeId, data, f.followUpId);
  });
}

/** The calendar date of a date-time as the source wrote it (its own offset): `2025-10-01T09:30:00-04:00` -> `2025-10-01`. */
function localDate(dateTime: string): string {
  return dateTime.slice(0, 10);
}
