/**
 * One client's story in a made-up province (`province.ts` draws them, `source-records.ts` turns
 * them into what each network would send): who referred whom, when, and what came of it.
 */

export interface Organization {
  code: string;
  name: string;
  weight: number;
  /** Forward sortation areas its clients live in: each inside an active provider's catchment. */
  postalAreas: string[];
  /** Areas of its clients that no provider serves (the referral cannot be routed). */
  uncoveredPostalAreas?: string[];
}

export type Decision =
  { kind: 'accept'; at: string } | { kind: 'decline'; at: string; declineCode: string } | { kind: 'none' };

export interface Support {
  benefitId: string;
  code: string;
  periodStart: string;
  periodEnd: string;
}

export interface Job {
  employmentId: string;
  employerName: string;
  jobTitle: string;
  startDate: string;
  hoursPerWeek: number;
  hourlyWage: string;
}

export interface FollowUp {
  followUpId: string;
  code: 'FU01' | 'FU03' | 'FU06' | 'FU12';
  completedOn: string;
  employed: boolean;
}

export interface Service {
  /** When the provider's record of the assessment and plan was sent. */
  at: string;
  openedOn: string;
  stream: 'A' | 'B' | 'C';
  events: Array<{ eventId: string; at: string; attendance: 'ATT' | 'NS' | 'SCH' }>;
  eoSupport?: Support;
  /** The job, the exit and the follow-ups, sent together at `laterAt` (none when nothing happened yet). */
  laterAt?: string;
  job?: Job;
  exit?: { on: string; code: 'EMP-FT' | 'EMP-PT' | 'UNEMP' | 'NOCONT' };
  followUps: FollowUp[];
}

export interface SourceOutcome {
  outcomeId: string;
  code: 'EMP' | 'RET' | 'INC' | 'EXE' | 'MJR';
  on: string;
}

export interface Story {
  n: number;
  /** `<seed>-<n>`: in every source id, so provinces of two seeds never share a person or a record. */
  tag: string;
  program: 'OW' | 'ODSP';
  org: Organization;
  referrer: string;
  memberId: string;
  caseId: string;
  clientReferenceNumber: string;
  givenName: string;
  familyName: string;
  birthDate: string;
  language: 'en' | 'fr';
  postalCode: string;
  /** False when the client lives where no provider serves: the referral stays unrouted. */
  routable: boolean;
  requestedAt: string;
  /** When the referrer's record carrying the referral was sent (the tracker routes it then). */
  recordedAt: string;
  sourceReferralId: string;
  referralId: string;
  consentId: string;
  incomeSupport?: Support;
  decision: Decision;
  withdrawnAt?: string;
  service?: Service;
  /** Outcomes the referrer reports itself (OW outcomes, ODSP milestones), sent at `laterAt`. */
  referrerOutcomes: SourceOutcome[];
  referrerExit?: { on: string; code: string };
  laterAt?: string;
}
