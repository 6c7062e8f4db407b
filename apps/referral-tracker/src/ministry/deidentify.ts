import { dataDir, schemaIdForPath, schemaRegistry, type MinistryOutcome } from '@passerelle/contracts';
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { findPersonalData } from './personal-data-scan';

/**
 * De-identification of outcomes for the ministry topic `ministry.outcomes.v1` (DESIGN.md,
 * "Personal data in one place"; DOMAIN.md: "pseudonymous id, age band, region"). Pure: the only
 * I/O is reading `data/regions.json` once, on first use.
 *
 * What leaves, and how: the client and the referral as keyed pseudonyms (HMAC-SHA256), the birth
 * date as an age band on the outcome date, the postal code as a region (and the routing catchment,
 * never finer than a forward sortation area), the dates of the path as whole-day durations.
 * Nothing else of the person: the output is checked against
 * `schemas/canonical/ministry-outcome.json` and scanned for the ids and birth date it came from.
 */

/** Data of `ca.on.passerelle.ministry.outcome-reported`, generated from `schemas/canonical/ministry-outcome.json`. */
export type { MinistryOutcome };

const MINISTRY_OUTCOME_SCHEMA = schemaIdForPath('canonical/ministry-outcome.json');
const REGIONS_SCHEMA = schemaIdForPath('directory/regions.json');

/** Pseudonyms kept in memory for reuse (computing one is an HMAC). */
const RECENT_PSEUDONYMS = 10_000;

/** Shortest key accepted: 256 bits, the output size of SHA-256 (RFC 2104 section 3). */
const MIN_KEY_BYTES = 32;

const PSEUDONYM_KINDS: ReadonlySet<string> = new Set(['client', 'referral']);

/**
 * Keyed pseudonyms: HMAC-SHA256(key, `<kind>:<id>`) in lower-case hex. The same id gives the same
 * pseudonym under one key (so the ministry links a client's outcomes), a different one under
 * another key or for another kind (a client pseudonym never equals a referral pseudonym), and
 * without the key nobody can tell which id it stands for, even by trying every known id.
 */
export class Pseudonymizer {
  // A private field: the key never shows in JSON, util.inspect or Object.keys.
  readonly #key: Buffer;
  readonly #recent = new Map<string, string>();

  constructor(key: Buffer) {
    if (!Buffer.isBuffer(key)) {
      throw new TypeError('Pseudonymizer key must be a Buffer of at least 32 bytes of secret random data');
    }
    if (key.length < MIN_KEY_BYTES) {
      throw new RangeError(
        `Pseudonymizer key is ${key.length} bytes long: it must be at least ${MIN_KEY_BYTES} bytes (256 bits) of secret random data, e.g. crypto.randomBytes(32)`,
      );
    }
    if (key.every((byte) => byte === key[0])) {
      throw new RangeError(
        `Pseudonymizer key is one byte repeated ${key.length} times (an unset or zeroed key?): it must be secret random data, e.g. crypto.randomBytes(32)`,
      );
    }
    // A copy: later changes to the caller's buffer must not change the pseudonyms.
    this.#key = Buffer.from(key);
  }

  of(kind: 'client' | 'referral', id: string): string {
    // Checked at run time too: a kind from untyped input must not pseudonymize into another domain.
    if (!PSEUDONYM_KINDS.has(kind)) {
      const given: unknown = kind;
      throw new RangeError(
        `Pseudonymizer.of: kind must be "client" or "referral", got ${JSON.stringify(String(given))}`,
      );
    }
    if (typeof id !== 'string' || id === '') {
      throw new TypeError(`Pseudonymizer.of: the ${kind} id must be a non-empty string`);
    }
    const name = `${kind}:${id}`;
    let pseudonym = this.#recent.get(name);
    if (pseudonym === undefined) {
      pseudonym = createHmac('sha256', this.#key).update(name, 'utf8').digest('hex');
      // A client's reports ask for its pseudonym several times in a row: keep the recent ones.
      if (this.#recent.size >= RECENT_PSEUDONYMS) this.#recent.clear();
      this.#recent.set(name, pseudonym);
    }
    return pseudonym;
  }
}

/**
 * The age band of a person born on `birthDate`, in full years on `on` (both `YYYY-MM-DD`). The
 * year is reached on the birthday itself; a person born on 29 February reaches it on 1 March in
 * common years. `unknown` when the birth date is absent or not a calendar date, lies after `on`,
 * or gives an age under 15. Throws a `RangeError` when `on` is not a calendar date.
 */
export function ageBand(birthDate: string | undefined, on: string): MinistryOutcome['ageBand'] {
  const day = parseDate(on);
  if (day === undefined)
    throw new RangeError(`ageBand: "on" must be a calendar date YYYY-MM-DD, got ${JSON.stringify(on)}`);
  const birth = birthDate === undefined ? undefined : parseDate(birthDate);
  if (birth === undefined) return 'unknown';
  const beforeBirthday = day.month < birth.month || (day.month === birth.month && day.day < birth.day);
  const age = day.year - birth.year - (beforeBirthday ? 1 : 0);
  if (age < 15) return 'unknown';
  if (age >= 65) return '65+';
  const low = 15 + Math.floor((age - 15) / 10) * 10;
  return `${low}-${low + 9}` as MinistryOutcome['ageBand'];
}

/**
 * The region code (`data/regions.json`) of a Canadian postal code, a forward sortation area or its
 * first 1 or 2 characters (any case, spaces ignored): the region whose longest postal prefix
 * matches. `unknown` when absent, not shaped like one of those (a cut-off code such as `M5V 2T`
 * included), or outside every region.
 */
export function regionOf(postalCode: string | undefined): string {
  if (postalCode === undefined) return 'unknown';
  const code = postalCode.replace(/\s+/g, '').toUpperCase();
  if (!POSTAL_CODE_OR_PREFIX.test(code)) return 'unknown';
  for (const [prefix, region] of regions()) if (code.startsWith(prefix)) return region;
  return 'unknown';
}

/** Everything known about an outcome, identified, as the tracker correlates it. */
export interface OutcomeFacts {
  clientId: string;
  referralId?: string;
  program: string;
  deliveryAgent: string;
  catchment?: string;
  postalCode?: string;
  birthDate?: string;
  provider?: string;
  providerType?: 'direct' | 'third-party';
  stream?: string;
  /** Age band at the referral, used when the birth date is no longer held (consent withdrawn). */
  ageBandAtReferral?: MinistryOutcome['ageBand'];
  outcomeType: string;
  milestoneMonths?: 1 | 3 | 6 | 12;
  achievedOn: string;
  requestedAt?: string;
  acceptedAt?: string;
  jobStartDate?: string;
  reportId: string;
  reportedAt: string;
}

/**
 * The de-identified outcome for `ministry.outcomes.v1`. Throws a `SchemaValidationError` when the
 * result does not match `schemas/canonical/ministry-outcome.json` (e.g. an unknown program code),
 * and an `Error` when a date is unreadable, the milestone months contradict an IES outcome type,
 * or the result would carry the client's ids or birth date. No message repeats a personal value.
 */
export function deidentifyOutcome(facts: OutcomeFacts, pseudonymizer: Pseudonymizer): MinistryOutcome {
  const achievedOn = parseDate(facts.achievedOn);
  if (achievedOn === undefined) {
    throw new Error(
      `deidentifyOutcome: achievedOn must be a calendar date YYYY-MM-DD, got ${JSON.stringify(facts.achievedOn)}`,
    );
  }
  const sameId = (a: string | undefined, b: string | undefined) =>
    a !== undefined && b !== undefined && a.toLowerCase() === b.toLowerCase();
  if (sameId(facts.reportId, facts.clientId) || sameId(facts.reportId, facts.referralId)) {
    throw new Error(
      'deidentifyOutcome: reportId must not be the client id or the referral id (it would leave with the report)',
    );
  }

  const catchment =
    facts.catchment === undefined ? undefined : facts.catchment.replace(/\s+/g, '').toUpperCase().slice(0, 3);
  const fromPostalCode = regionOf(facts.postalCode);
  const region = fromPostalCode !== 'unknown' ? fromPostalCode : regionOf(catchment);
  const milestoneMonths = milestoneMonthsOf(facts.outcomeType, facts.milestoneMonths);

  const requestedOn = facts.requestedAt === undefined ? undefined : ontarioDay(facts.requestedAt, 'requestedAt');
  const acceptedOn = facts.acceptedAt === undefined ? undefined : ontarioDay(facts.acceptedAt, 'acceptedAt');
  const jobStartOn = facts.jobStartDate === undefined ? undefined : ontarioDay(facts.jobStartDate, 'jobStartDate');
  const outcomeOn = dayNumber(achievedOn);
  const durations: NonNullable<MinistryOutcome['durations']> = {};
  setDays(durations, 'referralToOutcomeDays', requestedOn, outcomeOn);
  setDays(durations, 'referralToAcceptanceDays', requestedOn, acceptedOn);
  setDays(durations, 'jobStartToOutcomeDays', jobStartOn, outcomeOn);

  const report: Record<string, unknown> = {
    reportId: facts.reportId,
    subjectPseudonym: pseudonymizer.of('client', facts.clientId),
    referralPseudonym: facts.referralId === undefined ? undefined : pseudonymizer.of('referral', facts.referralId),
    program: facts.program,
    deliveryAgent: facts.deliveryAgent,
    catchment,
    region,
    providerType: facts.providerType,
    provider: facts.provider,
    stream: facts.stream,
    ageBand:
      facts.birthDate !== undefined
        ? ageBand(facts.birthDate, facts.achievedOn)
        : (facts.ageBandAtReferral ?? 'unknown'),
    outcome: withoutUndefined({ type: facts.outcomeType, milestoneMonths, achievedOn: facts.achievedOn }),
    durations: Object.keys(durations).length === 0 ? undefined : durations,
    reportedAt: facts.reportedAt,
  };
  const outcome = schemaRegistry().assert<MinistryOutcome>(MINISTRY_OUTCOME_SCHEMA, withoutUndefined(report));

  // Defence in depth: whatever a future field would carry, the client's ids and birth date never leave.
  const leaks = findPersonalData(outcome, {
    birthDates: facts.birthDate === undefined ? [] : [facts.birthDate],
    ids: [facts.clientId, ...(facts.referralId === undefined ? [] : [facts.referralId])],
  });
  if (leaks.length > 0) {
    throw new Error(
      `deidentifyOutcome: the report would carry personal data at ${leaks.map((l) => `${l.pointer} (${l.kind})`).join(', ')}`,
    );
  }
  return outcome;
}

// --- dates -------------------------------------------------------------------------------------

interface CalendarDate {
  readonly year: number;
  readonly month: number;
  readonly day: number;
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
// RFC 3339 date-time (the `date-time` format of the schemas), offset required.
const DATE_TIME = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:[Zz]|[+-]\d{2}:\d{2})$/;

function parseDate(text: string): CalendarDate | undefined {
  const match = DATE.exec(text);
  if (match === null) return undefined;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  // Date.UTC maps years 0-99 to 1900-1999: set the full year explicitly.
  date.setUTCFullYear(year);
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) return undefined;
  return { year, month, day };
}

const MS_PER_DAY = 86_400_000;

function dayNumber({ year, month, day }: CalendarDate): number {
  const date = new Date(Date.UTC(2000, month - 1, day));
  date.setUTCFullYear(year);
  return Math.round(date.getTime() / MS_PER_DAY);
}

// Durations count calendar days as lived in Ontario: a referral made at 22:30 in Toronto is made
// that day, whatever the UTC date.
const ONTARIO_DATE = new Intl.DateTimeFormat('en-CA', {
  timeZone: 'America/Toronto',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
});

/** Day number of a `YYYY-MM-DD` date, or of the Ontario calendar date of an RFC 3339 date-time. */
function ontarioDay(text: string, field: string): number {
  const date = parseDate(text);
  if (date !== undefined) return dayNumber(date);
  const instant = DATE_TIME.test(text) ? Date.parse(text) : Number.NaN;
  if (Number.isNaN(instant)) {
    throw new Error(
      `deidentifyOutcome: ${field} must be a date YYYY-MM-DD or an RFC 3339 date-time, got ${JSON.stringify(text)}`,
    );
  }
  const parts = Object.fromEntries(ONTARIO_DATE.formatToParts(new Date(instant)).map((p) => [p.type, p.value]));
  return dayNumber({ year: Number(parts.year), month: Number(parts.month), day: Number(parts.day) });
}

function setDays(
  durations: NonNullable<MinistryOutcome['durations']>,
  name: keyof NonNullable<MinistryOutcome['durations']>,
  from: number | undefined,
  to: number | undefined,
): void {
  if (from === undefined || to === undefined || to < from) return;
  durations[name] = to - from;
}

// --- outcome -----------------------------------------------------------------------------------

const IES_MILESTONE = /^ies-employed-(1|3|6|12)-months?$/;

/** The months of an IES milestone are in its code: take them from there, and refuse a contradiction. */
function milestoneMonthsOf(
  outcomeType: string,
  given: OutcomeFacts['milestoneMonths'],
): OutcomeFacts['milestoneMonths'] {
  const match = IES_MILESTONE.exec(outcomeType);
  if (match === null) return given;
  const months = Number(match[1]) as 1 | 3 | 6 | 12;
  if (given !== undefined && given !== months) {
    throw new Error(`deidentifyOutcome: milestoneMonths ${given} contradicts outcome type ${outcomeType}`);
  }
  return months;
}

function withoutUndefined<T extends Record<string, unknown>>(record: T): T {
  return Object.fromEntries(Object.entries(record).filter(([, value]) => value !== undefined)) as T;
}

// --- regions -----------------------------------------------------------------------------------

/** A full postal code (spaces removed), a forward sortation area, or its first 1 or 2 characters. */
const POSTAL_CODE_OR_PREFIX = /^[ABCEGHJ-NPRSTVXY](?:[0-9](?:[ABCEGHJ-NPRSTV-Z](?:[0-9][ABCEGHJ-NPRSTV-Z][0-9])?)?)?$/;

interface RegionsFile {
  regions: Array<{ code: string; en: string; fr: string; postalPrefixes: string[] }>;
}

let regionPrefixes: ReadonlyArray<readonly [prefix: string, region: string]> | undefined;

/** `[prefix, region]` pairs of `data/regions.json`, longest prefix first; read and checked once. */
function regions(): ReadonlyArray<readonly [prefix: string, region: string]> {
  regionPrefixes ??= loadRegions(join(dataDir(), 'regions.json'));
  return regionPrefixes;
}

function loadRegions(file: string): ReadonlyArray<readonly [string, string]> {
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new Error(`regions: cannot read ${file}: ${(error as Error).message}`, { cause: error });
  }
  const result = schemaRegistry().validate<RegionsFile>(REGIONS_SCHEMA, data);
  if (!result.ok) {
    throw new Error(
      `regions: ${file} does not match ${REGIONS_SCHEMA}: ${result.errors.map((e) => `#${e.pointer} ${e.message}`).join('; ')}`,
    );
  }
  const problems: string[] = [];
  const codes = new Set<string>();
  const owner = new Map<string, string>();
  for (const region of result.value.regions) {
    if (codes.has(region.code)) problems.push(`region ${region.code} is listed twice`);
    codes.add(region.code);
    if (!schemaRegistry().validate(`${MINISTRY_OUTCOME_SCHEMA}#/properties/region`, region.code).ok) {
      problems.push(`region ${region.code} is not a region of canonical/ministry-outcome.json`);
    }
    for (const prefix of region.postalPrefixes) {
      const other = owner.get(prefix);
      if (other !== undefined && other !== region.code)
        problems.push(`prefix ${prefix} is in both ${other} and ${region.code}`);
      owner.set(prefix, region.code);
    }
  }
  if (problems.length > 0) throw new Error(`regions: ${file} is inconsistent: ${problems.join('; ')}`);
  return [...owner.entries()].sort(([a], [b]) => b.length - a.length || a.localeCompare(b));
}
