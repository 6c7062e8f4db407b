import type { EoServiceRecord, OdspEmploymentRecord, OwCaseRecord } from '@passerelle/contracts';
import { addMonths, dateOf, dayOf } from './days';
import type { Story } from './story';

// The source records each network would send for a story (`story.ts`), as the demo seeds them
// and the report tests expect them.

const CITY: Record<string, string> = { M: 'Toronto', K: 'Ottawa', L: 'Mississauga', N: 'Windsor', P: 'Sudbury' };
const money = (n: number): string => n.toFixed(2);

function contact(story: Story): {
  phone: string;
  address: { line1: string; city: string; province: 'ON'; postalCode: string };
} {
  return {
    phone: `416-555-${String(story.n % 10_000).padStart(4, '0')}`,
    address: {
      line1: `${(story.n % 900) + 10} Main Street`,
      city: CITY[story.postalCode[0]] ?? 'Toronto',
      province: 'ON',
      postalCode: story.postalCode,
    },
  };
}

/**
 * The referrer's record: version 1 (consent and referral, maybe a transportation support), and,
 * when the story has them, version 2 with the consent withdrawn or the referrer's own outcomes
 * and exit. OW case records for delivery agents, ODSP employment records for ODSP offices.
 */
export function referrerRecords(story: Story): { owCaseRecords: OwCaseRecord[]; odspRecords: OdspEmploymentRecord[] } {
  const tag = story.tag;
  const consent = {
    consentId: story.consentId,
    purposeCode: story.program === 'OW' ? 'REF' : 'ESREF',
    recipients: [story.referrer, 'eo:any'],
    grantedAt: new Date(Date.parse(story.requestedAt) - 30 * 60_000).toISOString(),
  };
  const referralRequest = {
    referralId: story.sourceReferralId,
    requestedAt: story.requestedAt,
    serviceWantedCode: 'ES',
    pathwayCode: story.program === 'OW' && story.n % 7 === 0 ? 'ACC' : 'CW',
    consentId: story.consentId,
  };
  const benefits = story.incomeSupport
    ? [
        {
          benefitId: story.incomeSupport.benefitId,
          benefitTypeCode: story.incomeSupport.code,
          amount: money(96 + (story.n % 60)),
          issuedOn: story.incomeSupport.periodStart,
          periodStart: story.incomeSupport.periodStart,
          periodEnd: story.incomeSupport.periodEnd,
        },
      ]
    : [];
  const personal = {
    memberId: story.memberId,
    name: { givenName: story.givenName, familyName: story.familyName },
    birthDate: story.birthDate,
    preferredLanguage: story.language,
    contact: contact(story),
  };
  const job = story.service?.job;
  const employment = job && {
    employmentId: job.employmentId,
    employerName: job.employerName,
    jobStartDate: job.startDate,
    hoursPerWeek: job.hoursPerWeek,
    hourlyWage: job.hourlyWage,
    subsidized: false,
    selfEmployed: false,
  };
  const outcomes = story.referrerOutcomes.map((o) => ({
    outcomeId: o.outcomeId,
    outcomeTypeCode: o.code,
    achievedOn: o.on,
    ...((o.code === 'EMP' || o.code === 'RET' || o.code === 'EXE') && employment !== undefined && { employment }),
    ...((o.code === 'INC' || o.code === 'MJR') &&
      job !== undefined && { monthlyEarnings: money(job.hoursPerWeek * 4.33 * Number(job.hourlyWage)) }),
  }));
  const withdrawn = story.withdrawnAt === undefined ? consent : { ...consent, withdrawnAt: story.withdrawnAt };
  const laterAt = story.laterAt;

  if (story.program === 'OW') {
    const v1: OwCaseRecord = {
      sourceRecordId: `CR-${tag}`,
      recordVersion: 1,
      recordedAt: story.recordedAt,
      deliveryAgent: { code: story.org.code, name: story.org.name },
      programCode: 'OW',
      personal: { ...personal, caseId: story.caseId },
      participationPlan: {
        planId: `PA-${tag}`,
        planTypeCode: 'PA',
        signedOn: story.requestedAt.slice(0, 10),
        reviewDueOn: addMonths(story.requestedAt.slice(0, 10), 3),
      },
      activities: [{ activityId: `ACT-${tag}`, activityCode: 'JSS', startDate: story.requestedAt.slice(0, 10) }],
      ...(benefits.length > 0 && { benefitsIssued: benefits }),
      consents: [consent],
      referralRequest,
    };
    if (laterAt === undefined) return { owCaseRecords: [v1], odspRecords: [] };
    const v2: OwCaseRecord = {
      ...v1,
      recordVersion: 2,
      recordedAt: laterAt,
      consents: [withdrawn],
      ...(outcomes.length > 0 && { outcomes }),
      ...(story.referrerExit !== undefined && {
        exit: { exitedOn: story.referrerExit.on, exitReasonCode: story.referrerExit.code },
      }),
    };
    return { owCaseRecords: [v1, v2], odspRecords: [] };
  }
  const v1: OdspEmploymentRecord = {
    sourceRecordId: `ODSP-ES-${tag}`,
    recordVersion: 1,
    recordedAt: story.recordedAt,
    office: { code: story.org.code, name: story.org.name },
    programCode: 'ODSP-ES',
    personal,
    employmentPlan: {
      planId: `EP-${tag}`,
      planTypeCode: 'EP',
      signedOn: story.requestedAt.slice(0, 10),
      reviewDueOn: addMonths(story.requestedAt.slice(0, 10), 3),
    },
    ...(benefits.length > 0 && { benefitsIssued: benefits }),
    consents: [consent],
    referralRequest,
  };
  if (laterAt === undefined) return { owCaseRecords: [], odspRecords: [v1] };
  const v2: OdspEmploymentRecord = {
    ...v1,
    recordVersion: 2,
    recordedAt: laterAt,
    consents: [withdrawn],
    ...(outcomes.length > 0 && { milestones: outcomes }),
  };
  return { owCaseRecords: [], odspRecords: [v1, v2] };
}

/**
 * The provider's CaMS records of a story, for the provider the referral was routed to: the
 * answer (version 1), then the assessment, plan and appointments (2), then the job, exit and
 * follow-ups (3) — each version the whole record as it then stands. None when it never answered.
 */
export function providerRecords(
  story: Story,
  providerId: string,
): { decision?: EoServiceRecord; later: EoServiceRecord[] } {
  if (story.decision.kind === 'none') return { later: [] };
  const tag = story.tag;
  const provider = providerId.replace(/^eo:/, '');
  const decision = story.decision;
  const v1: EoServiceRecord = {
    sourceRecordId: `SR-${tag}`,
    recordVersion: 1,
    recordedAt: decision.at,
    provider: { providerId: provider },
    programCode: story.program,
    personal: {
      clientReferenceNumber: story.clientReferenceNumber,
      ...(story.program === 'OW' ? { samsMemberId: story.memberId } : { odspMemberId: story.memberId }),
      name: { givenName: story.givenName, familyName: story.familyName },
      birthDate: story.birthDate,
      preferredLanguage: story.language,
      contact: contact(story),
    },
    referralResponse:
      decision.kind === 'accept'
        ? { referralId: story.referralId, decision: 'accepted', decidedAt: decision.at }
        : {
            referralId: story.referralId,
            decision: 'declined',
            decidedAt: decision.at,
            declineReasonCode: decision.declineCode,
          },
  };
  const service = story.service;
  if (service === undefined) return { decision: v1, later: [] };
  const plan = {
    servicePlanId: `SP-${tag}`,
    planTypeCode: 'EAP',
    status: 'active' as const,
    openedOn: service.openedOn,
    planItems: [
      { planItemId: `PI-${tag}-1`, activityCode: 'CC01', startDate: service.openedOn },
      { planItemId: `PI-${tag}-2`, activityCode: 'JS01', startDate: dateOf(dayOf(service.openedOn) + 7) },
    ],
  };
  const v2: EoServiceRecord = {
    ...v1,
    recordVersion: 2,
    recordedAt: service.at,
    commonAssessment: { assessmentId: `CA-${tag}`, completedOn: service.openedOn, streamCode: service.stream },
    servicePlan: plan,
    scheduledEvents: service.events.map((e) => ({
      eventId: e.eventId,
      scheduledAt: e.at,
      attendanceCode: e.attendance,
      activityCode: 'CC01',
    })),
    ...(service.eoSupport !== undefined && {
      benefitsIssued: [
        {
          benefitId: service.eoSupport.benefitId,
          benefitTypeCode: service.eoSupport.code,
          amount: money(120 + (story.n % 40)),
          issuedOn: service.eoSupport.periodStart,
          periodStart: service.eoSupport.periodStart,
          periodEnd: service.eoSupport.periodEnd,
        },
      ],
    }),
  };
  if (service.laterAt === undefined) return { decision: v1, later: [v2] };
  const job = service.job;
  const employment = job && {
    employmentId: job.employmentId,
    employerName: job.employerName,
    jobTitle: job.jobTitle,
    jobStartDate: job.startDate,
    hoursPerWeek: job.hoursPerWeek,
    hourlyWage: job.hourlyWage,
    subsidized: false,
    selfEmployed: false,
  };
  const v3: EoServiceRecord = {
    ...v2,
    recordVersion: 3,
    recordedAt: service.laterAt,
    servicePlan: { ...plan, status: service.exit !== undefined ? 'closed' : 'active' },
    ...(employment !== undefined && { employments: [employment] }),
    ...(service.exit !== undefined && { exit: { exitedOn: service.exit.on, exitReasonCode: service.exit.code } }),
    // Follow-ups come only with a job (the story drops them together).
    ...(service.followUps.length > 0 &&
      employment !== undefined && {
        followUps: service.followUps.map((f) => ({
          followUpId: f.followUpId,
          followUpCode: f.code,
          completedOn: f.completedOn,
          situationCode: f.employed ? (employment.hoursPerWeek >= 30 ? 'EMP-FT' : 'EMP-PT') : 'UNEMP',
          ...(f.employed && { employment: { ...employment, evidenceTypeCode: 'PS' } }),
        })),
      }),
  };
  return { decision: v1, later: [v2, v3] };
}
