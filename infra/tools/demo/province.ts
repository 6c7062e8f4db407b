import type { EoServiceRecord, OdspEmploymentRecord, OwCaseRecord } from '@passerelle/contracts';
import { canonicalReferralId } from '@passerelle/translation';
// Imported rather than read: the build then carries it next to the compiled code.
import provinceData from './province-data.json';

/**
 * A made-up province for `npm run demo` and the report tests: one client story per referral,
 * every random choice drawn up front from a seeded generator (the same seed and options give the
 * same province), and the source records each network would send, built from the story. Pure:
 * no clock (the caller gives `now`), no I/O (the province itself is ./province-data.json).
 *
 * A story: an OW delivery agent or ODSP office refers a consenting client to Employment Ontario;
 * the provider the tracker routes it to (known only once routed: the EO records take it as an
 * argument) answers after a few business days, accepting or declining with a coded reason, or
 * never; an accepted client may withdraw consent, or is assessed (stream A, B, C), starts a plan,
 * attends or misses appointments (no-shows), may get an EO support overlapping one OW/ODSP
 * already paid (a duplicate), may start a job, exits, and is followed up 1, 3, 6 and 12 months
 * after the job start; OW and ODSP report their own outcomes (retention, increased earnings,
 * exits to employment) later.
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

export interface ProvinceData {
  deliveryAgents: Array<Organization & { kind: 'cmsm' | 'dssab' }>;
  odspOffices: Organization[];
  givenNames: string[];
  familyNames: string[];
}

/** The province of ./province-data.json. */
export function loadProvince(): ProvinceData {
  return structuredClone(provinceData) as ProvinceData;
}

export interface ProvinceOptions {
  referrals: number;
  seed: number;
  /** First and last day (YYYY-MM-DD) referrals are made on. */
  from: string;
  to: string;
  /** Nothing happens after this instant (follow-ups not yet due are not reported). */
  now: Date;
  /** Share of the referrals from ODSP offices (default 0.25). */
  odspShare?: number;
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

// ---------------------------------------------------------------- randomness and dates

/** mulberry32: a small, fast, seeded generator (enough for made-up data). */
function generator(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

class Dice {
  private readonly next: () => number;
  constructor(seed: number) {
    this.next = generator(seed);
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)];
  }
  weighted<T>(items: ReadonlyArray<readonly [T, number]>): T {
    const total = items.reduce((s, [, w]) => s + w, 0);
    let x = this.next() * total;
    for (const [item, w] of items) {
      x -= w;
      if (x < 0) return item;
    }
    return items[items.length - 1][0];
  }
}

const DAY = 86_400_000;
const dayOf = (date: string): number => Date.parse(`${date}T00:00:00Z`) / DAY;
const dateOf = (day: number): string => new Date(day * DAY).toISOString().slice(0, 10);
/** An instant on `day` at `hour` UTC (14:00 to 20:00 UTC is office hours in Toronto). */
const at = (day: number, hour: number, minute = 0): string =>
  new Date(day * DAY + (hour * 60 + minute) * 60_000).toISOString();
const isWeekend = (day: number): boolean => [0, 6].includes(new Date(day * DAY).getUTCDay());
const weekdayOnOrAfter = (day: number): number => {
  let d = day;
  while (isWeekend(d)) d += 1;
  return d;
};
const addWeekdays = (day: number, n: number): number => {
  let d = day;
  for (let i = 0; i < n;) {
    d += 1;
    if (!isWeekend(d)) i += 1;
  }
  return d;
};
const addMonths = (date: string, months: number): string => {
  const [y, m, d] = date.split('-').map(Number);
  const last = new Date(Date.UTC(y, m - 1 + months + 1, 0)).getUTCDate();
  return new Date(Date.UTC(y, m - 1 + months, Math.min(d, last))).toISOString().slice(0, 10);
};
const monthSpan = (date: string): { start: string; end: string } => {
  const [y, m] = date.split('-').map(Number);
  return {
    start: new Date(Date.UTC(y, m - 1, 1)).toISOString().slice(0, 10),
    end: new Date(Date.UTC(y, m, 0)).toISOString().slice(0, 10),
  };
};

const tagOf = (seed: number, n: number): string => `${seed}-${String(n).padStart(5, '0')}`;
/** A 9-digit source id: a leading digit per id kind, the seed (3 digits), the story (5 digits). */
const numericId = (lead: number, seed: number, n: number): string =>
  `${lead}${String(seed % 1000).padStart(3, '0')}${String(n).padStart(5, '0')}`;

const LDU_LETTERS = 'ABCEGHJKLMNPRSTVWXYZ';
const CITY: Record<string, string> = { M: 'Toronto', K: 'Ottawa', L: 'Mississauga', N: 'Windsor', P: 'Sudbury' };
const EMPLOYERS = [
  'Northern Logistics Inc.',
  'Maple Leaf Foods',
  'Sunnybrook Health Sciences',
  'Caisse populaire Desjardins',
  'Canadian Tire',
  'City Cleaning Co-op',
  'Loblaw Companies',
  'Bombardier',
  'Boulangerie du Nord',
  'Lakehead Construction',
];
const JOBS = [
  'Warehouse associate',
  'Personal support worker',
  'Customer service agent',
  'Line cook',
  'Administrative assistant',
  'Retail associate',
  'Forklift operator',
  'Cleaner',
  'Bookkeeper',
  'Labourer',
];
const DECLINES: ReadonlyArray<readonly [string, number]> = [
  ['NC', 30],
  ['OC', 10],
  ['NE', 15],
  ['CU', 15],
  ['CD', 12],
  ['LNO', 5],
  ['SNO', 5],
  ['DUP', 5],
  ['OTH', 3],
];
const FOLLOW_UPS: ReadonlyArray<readonly [FollowUp['code'], number, number]> = [
  ['FU01', 1, 0.92],
  ['FU03', 3, 0.88],
  ['FU06', 6, 0.85],
  ['FU12', 12, 0.8],
];
const JOB_CHANCE = { A: 0.6, B: 0.45, C: 0.3 } as const;

// ---------------------------------------------------------------- stories

/** Every story of the province, numbered from 1, in order of referral. */
export function generateProvince(data: ProvinceData, options: ProvinceOptions): Story[] {
  const dice = new Dice(options.seed);
  const first = dayOf(options.from);
  const last = dayOf(options.to);
  const nowMs = options.now.getTime();
  const past = (iso: string): boolean => Date.parse(iso) <= nowMs;
  const pastDay = (date: string): boolean => Date.parse(`${date}T23:00:00Z`) <= nowMs;
  const agents = data.deliveryAgents.map((a) => [a, a.weight] as const);
  const offices = data.odspOffices.map((o) => [o, o.weight] as const);
  const stories: Story[] = [];

  if (!Number.isSafeInteger(options.referrals) || options.referrals < 1 || options.referrals > 99_999)
    throw new RangeError('referrals must be from 1 to 99999');
  for (let n = 1; n <= options.referrals; n += 1) {
    const program = dice.chance(options.odspShare ?? 0.25) ? 'ODSP' : 'OW';
    const org = program === 'OW' ? dice.weighted(agents) : dice.weighted(offices);
    const uncovered =
      org.uncoveredPostalAreas !== undefined && org.uncoveredPostalAreas.length > 0 && dice.chance(0.25);
    // The first area is where most clients live.
    const area = uncovered
      ? dice.pick(org.uncoveredPostalAreas!)
      : dice.chance(0.5)
        ? org.postalAreas[0]
        : dice.pick(org.postalAreas);
    const postalCode = `${area} ${dice.int(0, 9)}${dice.pick([...LDU_LETTERS])}${dice.int(0, 9)}`;
    const requestDay = weekdayOnOrAfter(first + dice.int(0, Math.max(0, last - first)));
    const requestedAt = at(Math.min(requestDay, last), dice.int(14, 19), dice.int(0, 59));
    const recordedAt = new Date(Date.parse(requestedAt) + 2 * 60_000).toISOString();
    const tag = tagOf(options.seed, n);
    const system = program === 'OW' ? 'sams' : 'odsp';
    const sourceReferralId = `${program === 'OW' ? 'REF' : 'ODSP-REF'}-${tag}`;
    const language = (/^[KP]/.test(area) && dice.chance(0.3)) || dice.chance(0.05) ? 'fr' : 'en';
    const birthYear = new Date(nowMs).getUTCFullYear() - dice.int(18, 64);
    const story: Story = {
      n,
      tag,
      program,
      org,
      referrer: `${program === 'OW' ? 'ow' : 'odsp'}:${org.code}`,
      memberId: numericId(program === 'OW' ? 1 : 2, options.seed, n),
      caseId: numericId(5, options.seed, n),
      clientReferenceNumber: numericId(3, options.seed, n),
      givenName: dice.pick(data.givenNames),
      familyName: dice.pick(data.familyNames),
      birthDate: `${birthYear}-${String(dice.int(1, 12)).padStart(2, '0')}-${String(dice.int(1, 28)).padStart(2, '0')}`,
      language,
      postalCode,
      routable: !uncovered,
      requestedAt,
      recordedAt,
      sourceReferralId,
      referralId: canonicalReferralId({ system, orgCode: org.code }, sourceReferralId),
      consentId: `CON-${tag}`,
      decision: { kind: 'none' },
      referrerOutcomes: [],
    };
    stories.push(story);

    if (dice.chance(0.2)) {
      const month = monthSpan(dateOf(requestDay));
      story.incomeSupport = {
        benefitId: `BEN-${tag}`,
        code: program === 'OW' ? 'EBTR' : 'TRANS',
        periodStart: month.start,
        periodEnd: month.end,
      };
    }
    if (!story.routable) continue;

    // The provider's answer, a few business days after the referral reached it.
    const answerDay = addWeekdays(
      requestDay,
      dice.weighted([
        [0, 2],
        [1, 5],
        [2, 5],
        [3, 4],
        [4, 3],
        [5, 2],
        [7, 1],
        [10, 1],
      ] as const),
    );
    const answerAt = at(answerDay, dice.int(14, 20), dice.int(0, 59));
    const answered = past(answerAt) && Date.parse(answerAt) > Date.parse(recordedAt);
    const choice = answered
      ? dice.weighted([
          ['accept', 78],
          ['decline', 17],
          ['none', 5],
        ] as const)
      : 'none';
    if (choice === 'decline') {
      story.decision = { kind: 'decline', at: answerAt, declineCode: dice.weighted(DECLINES) };
      continue;
    }
    if (choice === 'accept') story.decision = { kind: 'accept', at: answerAt };
    if (dice.chance(0.03)) {
      // Consent withdrawn before any service: the tracker cancels the referral.
      const withdrawnAt = at(answerDay + dice.int(1, 5), 16);
      if (past(withdrawnAt)) {
        story.withdrawnAt = withdrawnAt;
        story.laterAt = withdrawnAt;
      }
      continue;
    }
    if (story.decision.kind !== 'accept') continue;

    // Assessment and plan.
    const startDay = weekdayOnOrAfter(answerDay + dice.int(3, 14));
    const serviceAt = at(startDay + 21, 18);
    if (!past(serviceAt)) continue;
    const stream = dice.weighted([
      ['A', 35],
      ['B', 40],
      ['C', 25],
    ] as const);
    const events: Service['events'] = [];
    for (let e = 0; e < dice.int(2, 4); e += 1) {
      events.push({
        eventId: `EV-${tag}-${e + 1}`,
        at: at(startDay + 5 * e, 15),
        attendance: dice.chance(0.15) ? 'NS' : 'ATT',
      });
    }
    events.push({ eventId: `EV-${tag}-next`, at: at(startDay + 28, 15), attendance: 'SCH' });
    const service: Service = { at: serviceAt, openedOn: dateOf(startDay), stream, events, followUps: [] };
    story.service = service;
    if (story.incomeSupport !== undefined && dice.chance(0.5)) {
      // The same support paid by EO for an overlapping period: a duplicate to reconcile.
      service.eoSupport = {
        benefitId: `FS-${tag}`,
        code: 'FS-TRN',
        periodStart: story.incomeSupport.periodStart,
        periodEnd: story.incomeSupport.periodEnd,
      };
    } else if (dice.chance(0.15)) {
      const month = monthSpan(dateOf(startDay));
      service.eoSupport = {
        benefitId: `FS-${tag}`,
        code: dice.pick(['FS-TRN', 'FS-CLO']),
        periodStart: month.start,
        periodEnd: month.end,
      };
    }

    // A job, the exit, the follow-ups.
    let laterDay: number | undefined;
    if (dice.chance(JOB_CHANCE[stream])) {
      const jobDay = weekdayOnOrAfter(startDay + dice.int(20, 120));
      const hours = dice.int(20, 40);
      const job: Job = {
        employmentId: `JOB-${tag}`,
        employerName: dice.pick(EMPLOYERS),
        jobTitle: dice.pick(JOBS),
        startDate: dateOf(jobDay),
        hoursPerWeek: hours,
        hourlyWage: `${dice.int(18, 27)}.${String(dice.int(0, 99)).padStart(2, '0')}`,
      };
      if (!pastDay(job.startDate)) continue;
      service.job = job;
      laterDay = jobDay + 1;
      const exitDay = jobDay + dice.int(7, 30);
      if (pastDay(dateOf(exitDay))) {
        service.exit = { on: dateOf(exitDay), code: hours >= 30 ? 'EMP-FT' : 'EMP-PT' };
        laterDay = exitDay + 1;
      }
      let employed = true;
      for (const [code, months, keep] of FOLLOW_UPS) {
        const completedOn = dateOf(dayOf(addMonths(job.startDate, months)) + dice.int(0, 10));
        if (!pastDay(completedOn)) break;
        employed = employed && dice.chance(keep);
        service.followUps.push({ followUpId: `FU-${tag}-${months}`, code, completedOn, employed });
        laterDay = Math.max(laterDay, dayOf(completedOn) + 1);
      }
      // The referrer's own outcomes of the same job.
      const later: SourceOutcome[] = [];
      if (program === 'OW') {
        later.push({ outcomeId: `OUT-${tag}-EMP`, code: 'EMP', on: job.startDate });
        if (dice.chance(0.7)) later.push({ outcomeId: `OUT-${tag}-RET`, code: 'RET', on: addMonths(job.startDate, 3) });
        if (dice.chance(0.4)) later.push({ outcomeId: `OUT-${tag}-INC`, code: 'INC', on: addMonths(job.startDate, 6) });
        if (dice.chance(0.45)) {
          const exitOn = dateOf(jobDay + dice.int(60, 120));
          later.push({ outcomeId: `OUT-${tag}-EXE`, code: 'EXE', on: exitOn });
          if (pastDay(exitOn)) story.referrerExit = { on: exitOn, code: 'EFT' };
        }
      } else if (dice.chance(0.65)) {
        later.push({ outcomeId: `MS-${tag}-MJR`, code: 'MJR', on: addMonths(job.startDate, 3) });
      }
      story.referrerOutcomes = later.filter((o) => pastDay(o.on));
      if (story.referrerOutcomes.length > 0) {
        const lastOn = Math.max(
          ...story.referrerOutcomes.map((o) => dayOf(o.on)),
          story.referrerExit ? dayOf(story.referrerExit.on) : 0,
        );
        story.laterAt = at(lastOn + 1, 17);
        if (!past(story.laterAt)) {
          story.referrerOutcomes = [];
          delete story.referrerExit;
          delete story.laterAt;
        }
      }
    } else if (dice.chance(0.35)) {
      const exitDay = startDay + dice.int(90, 180);
      if (pastDay(dateOf(exitDay))) {
        service.exit = { on: dateOf(exitDay), code: dice.chance(0.6) ? 'UNEMP' : 'NOCONT' };
        laterDay = exitDay + 1;
      }
    }
    if (laterDay !== undefined) {
      service.laterAt = at(Math.max(laterDay, startDay + 22), 18);
      if (!past(service.laterAt)) {
        delete service.laterAt;
        delete service.job;
        delete service.exit;
        service.followUps = [];
      }
    }
  }
  return stories;
}

// ---------------------------------------------------------------- source records

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
  const later = story.laterAt !== undefined;

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
    if (!later) return { owCaseRecords: [v1], odspRecords: [] };
    const v2: OwCaseRecord = {
      ...v1,
      recordVersion: 2,
      recordedAt: story.laterAt!,
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
  if (!later) return { owCaseRecords: [], odspRecords: [v1] };
  const v2: OdspEmploymentRecord = {
    ...v1,
    recordVersion: 2,
    recordedAt: story.laterAt!,
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
    ...(service.followUps.length > 0 && {
      followUps: service.followUps.map((f) => ({
        followUpId: f.followUpId,
        followUpCode: f.code,
        completedOn: f.completedOn,
        situationCode: f.employed ? (job!.hoursPerWeek >= 30 ? 'EMP-FT' : 'EMP-PT') : 'UNEMP',
        ...(f.employed && { employment: { ...employment!, evidenceTypeCode: 'PS' } }),
      })),
    }),
  };
  return { decision: v1, later: [v2, v3] };
}
