import { canonicalReferralId } from '@passerelle/translation';
import { addMonths, addWeekdays, at, dateOf, dayOf, monthSpan, weekdayOnOrAfter } from './days';
import { Dice } from './dice';
// Imported rather than read: the build then carries it next to the compiled code.
import provinceData from './province-data.json';
import type { FollowUp, Job, Organization, Service, SourceOutcome, Story } from './story';

/**
 * A made-up province for `npm run demo` and the report tests: one client story per referral,
 * every random choice drawn up front from a seeded generator (the same seed and options give the
 * same province; `source-records.ts` turns each story into the records each network would send).
 * Pure: no clock (the caller gives `now`), no I/O (the province itself is ./province-data.json).
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

const tagOf = (seed: number, n: number): string => `${seed}-${String(n).padStart(5, '0')}`;
/** A 9-digit source id: a leading digit per id kind, the seed (3 digits), the story (5 digits). */
const numericId = (lead: number, seed: number, n: number): string =>
  `${lead}${String(seed % 1000).padStart(3, '0')}${String(n).padStart(5, '0')}`;

const LDU_LETTERS = Array.from('ABCEGHJKLMNPRSTVWXYZ');
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
    const uncoveredAreas = org.uncoveredPostalAreas ?? [];
    const uncovered = uncoveredAreas.length > 0 && dice.chance(0.25);
    // The first area is where most clients live.
    const area = uncovered
      ? dice.pick(uncoveredAreas)
      : dice.chance(0.5)
        ? org.postalAreas[0]
        : dice.pick(org.postalAreas);
    const postalCode = `${area} ${dice.int(0, 9)}${dice.pick(LDU_LETTERS)}${dice.int(0, 9)}`;
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
