import { schemaIdForPath, schemaRegistry, dataDir } from '@passerelle/contracts';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Ontario business days, for the referral tracker's deadlines and the reports' durations: Monday to Friday in America/Toronto,
 * less the public holidays of the Employment Standards Act as observed by the Ontario Public
 * Service (a fixed-date holiday falling on a weekend moves to the next weekday that is not
 * already a holiday). The holidays are data (`data/ontario-statutory-holidays.json`, schema
 * `schemas/lifecycle/ontario-statutory-holidays.json`): date rules, not dates, so every year
 * works. Pure: the data file is read once, by {@link OntarioBusinessCalendar.load}; everything
 * else is computation.
 */

/** A public holiday of one year, on the day it is observed. */
export interface StatutoryHoliday {
  code: string;
  en: string;
  fr: string;
  /** YYYY-MM-DD, the observed day (America/Toronto). */
  date: string;
}

/** ISO day of the week: 1 = Monday ... 7 = Sunday. */
type IsoWeekday = 1 | 2 | 3 | 4 | 5 | 6 | 7;

/** One `rule` of the data file (see the schema for what each kind means). */
export type HolidayRule =
  | { kind: 'fixed'; month: number; day: number; observed: 'next-weekday' | 'none' }
  | { kind: 'nth-weekday'; month: number; weekday: IsoWeekday; n: number }
  | { kind: 'weekday-before'; month: number; day: number; weekday: IsoWeekday }
  | { kind: 'easter-offset'; days: number };

/** One entry of `data/ontario-statutory-holidays.json`. */
export interface HolidayDefinition {
  readonly code: string;
  readonly en: string;
  readonly fr: string;
  readonly rule: HolidayRule;
  readonly note?: string;
}

interface HolidaysFile {
  holidays: HolidayDefinition[];
}

export const HOLIDAYS_SCHEMA_ID = schemaIdForPath('lifecycle/ontario-statutory-holidays.json');

/** Why the holiday data cannot be used: a deployment fault, never bad input. */
export class HolidayCalendarError extends Error {
  readonly retriable = false;
  constructor(
    /** `unreadable` (missing, not JSON), `schema` (does not match the schema), `inconsistent`. */
    readonly kind: 'unreadable' | 'schema' | 'inconsistent',
    /** One entry per problem, each naming the file and the JSON pointer at fault. */
    readonly reasons: string[],
  ) {
    super(`Ontario statutory holidays are unusable (${kind}): ${reasons.join('; ')}`);
    this.name = 'HolidayCalendarError';
  }
}

/** The default location of the data: `data/` beside the repository's `schemas/`. */
export function defaultHolidaysFile(): string {
  return join(dataDir(), 'ontario-statutory-holidays.json');
}

const TIME_ZONE = 'America/Toronto';
const DAY_MS = 86_400_000;
/** First full year of the Gregorian Easter computus; past 9999 an ISO date needs more digits. */
const MIN_YEAR = 1583;
const MAX_YEAR = 9999;

export class OntarioBusinessCalendar {
  private readonly definitions: readonly HolidayDefinition[];
  private readonly byYear = new Map<number, { holidays: readonly StatutoryHoliday[]; days: ReadonlySet<number> }>();

  private constructor(definitions: readonly HolidayDefinition[]) {
    this.definitions = Object.freeze(
      definitions.map((d) => Object.freeze({ ...d, rule: Object.freeze({ ...d.rule }) })),
    );
  }

  /**
   * Reads the holiday rules (default: {@link defaultHolidaysFile}), validates them against
   * `schemas/lifecycle/ontario-statutory-holidays.json` and checks what the schema cannot (unique
   * codes, days that exist every year). Throws a {@link HolidayCalendarError} naming the file and
   * pointer of each problem.
   */
  static load(file: string = defaultHolidaysFile()): OntarioBusinessCalendar {
    let data: unknown;
    try {
      data = JSON.parse(readFileSync(file, 'utf8'));
    } catch (error) {
      throw new HolidayCalendarError('unreadable', [`${file}: ${(error as Error).message}`]);
    }
    const result = schemaRegistry().validate<HolidaysFile>(HOLIDAYS_SCHEMA_ID, data);
    if (!result.ok) {
      throw new HolidayCalendarError(
        'schema',
        result.errors.map((e) => `${file}#${e.pointer} ${e.message}`),
      );
    }
    const problems = inconsistencies(result.value.holidays).map((p) => `${file}#${p}`);
    if (problems.length > 0) throw new HolidayCalendarError('inconsistent', problems);
    return new OntarioBusinessCalendar(result.value.holidays);
  }

  /** The holidays of `year` on their observed days, sorted by date (then code); cached per year. */
  holidays(year: number): StatutoryHoliday[] {
    return [...this.year(year).holidays];
  }

  /** Whether `date` (YYYY-MM-DD) is a Monday to Friday that is not an observed holiday. */
  isBusinessDay(date: string): boolean {
    return this.isBusinessDayNumber(parseDate(date, 'date'));
  }

  /**
   * The instant a deadline of `days` business days after `from` expires: end of the Nth business
   * day after the day of `from` in America/Toronto (the day of `from` itself does not count).
   * Returns an ISO instant (UTC, `Z`). `days` = 0 gives the end of the day of `from` itself.
   */
  addBusinessDays(from: string, days: number): string {
    if (!Number.isSafeInteger(days) || days < 0) {
      throw new RangeError(`days must be a non-negative integer, got ${String(days)}`);
    }
    let day = torontoDayNumber(from, 'from');
    for (let counted = 0; counted < days;) {
      day += 1;
      if (this.isBusinessDayNumber(day)) counted += 1;
    }
    return new Date(endOfTorontoDay(day)).toISOString();
  }

  /**
   * Whole business days strictly after the Toronto day of `from` up to and including the Toronto
   * day of `to` (both ISO instants); 0 when `to` is not on a later day than `from`.
   */
  businessDaysBetween(from: string, to: string): number {
    const first = torontoDayNumber(from, 'from');
    const last = torontoDayNumber(to, 'to');
    let count = 0;
    for (let day = first + 1; day <= last; day += 1) if (this.isBusinessDayNumber(day)) count += 1;
    return count;
  }

  private isBusinessDayNumber(day: number): boolean {
    if (isoWeekday(day) > 5) return false;
    const year = yearOf(day);
    if (this.year(year).days.has(day)) return false;
    // A holiday late in December could be observed in January (none does in the Ontario data).
    return year - 1 < MIN_YEAR || !this.year(year - 1).days.has(day);
  }

  private year(year: number): { holidays: readonly StatutoryHoliday[]; days: ReadonlySet<number> } {
    let cached = this.byYear.get(year);
    if (cached === undefined) {
      if (!Number.isSafeInteger(year) || year < MIN_YEAR || year > MAX_YEAR) {
        throw new RangeError(`year must be an integer from ${MIN_YEAR} to ${MAX_YEAR}, got ${String(year)}`);
      }
      const observed = observedDays(this.definitions, year);
      const holidays = observed
        .map(({ definition, day }) =>
          Object.freeze({ code: definition.code, en: definition.en, fr: definition.fr, date: formatDate(day) }),
        )
        .sort((a, b) => (a.date === b.date ? a.code.localeCompare(b.code) : a.date < b.date ? -1 : 1));
      cached = { holidays: Object.freeze(holidays), days: new Set(observed.map((o) => o.day)) };
      this.byYear.set(year, cached);
    }
    return cached;
  }
}

/**
 * Observed days of every holiday of `year`. Holidays that are not moved claim their day first;
 * then the weekend fixed-date holidays, in date order, each take the next weekday not already
 * claimed (Christmas on Saturday: Monday 27, Boxing Day Tuesday 28; Christmas on Sunday: Boxing
 * Day keeps Monday 26 and Christmas takes Tuesday 27).
 */
function observedDays(
  definitions: readonly HolidayDefinition[],
  year: number,
): Array<{ definition: HolidayDefinition; day: number }> {
  const actual = definitions.map((definition) => ({ definition, day: actualDay(definition.rule, year) }));
  const moves = (o: { definition: HolidayDefinition; day: number }) =>
    o.definition.rule.kind === 'fixed' && o.definition.rule.observed === 'next-weekday' && isoWeekday(o.day) > 5;
  const taken = new Set(actual.filter((o) => !moves(o)).map((o) => o.day));
  const out = actual.filter((o) => !moves(o));
  for (const o of actual.filter(moves).sort((a, b) => a.day - b.day)) {
    let day = o.day + 1;
    while (isoWeekday(day) > 5 || taken.has(day)) day += 1;
    taken.add(day);
    out.push({ definition: o.definition, day });
  }
  return out;
}

function actualDay(rule: HolidayRule, year: number): number {
  switch (rule.kind) {
    case 'fixed':
      return dayNumber(year, rule.month, rule.day);
    case 'nth-weekday': {
      const first = dayNumber(year, rule.month, 1);
      return first + ((rule.weekday - isoWeekday(first) + 7) % 7) + 7 * (rule.n - 1);
    }
    case 'weekday-before': {
      const before = dayNumber(year, rule.month, rule.day) - 1;
      return before - ((isoWeekday(before) - rule.weekday + 7) % 7);
    }
    case 'easter-offset':
      return easterSunday(year) + rule.days;
  }
}

/** Gregorian Easter Sunday as a day number: the anonymous (Meeus/Jones/Butcher) algorithm. */
function easterSunday(year: number): number {
  const a = year % 19;
  const b = Math.floor(year / 100);
  const c = year % 100;
  const d = Math.floor(b / 4);
  const e = b % 4;
  const f = Math.floor((b + 8) / 25);
  const g = Math.floor((b - f + 1) / 3);
  const h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4);
  const k = c % 4;
  const l = (32 + 2 * e + 2 * i - h - k) % 7;
  const m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31);
  const day = ((h + l - 7 * m + 114) % 31) + 1;
  return dayNumber(year, month, day);
}

/** What the schema cannot say: codes are unique, and every fixed day exists every year. */
function inconsistencies(holidays: readonly HolidayDefinition[]): string[] {
  const problems: string[] = [];
  const seen = new Map<string, number>();
  holidays.forEach((holiday, i) => {
    const first = seen.get(holiday.code);
    if (first !== undefined)
      problems.push(`/holidays/${i}/code repeats ${JSON.stringify(holiday.code)} of /holidays/${first}`);
    else seen.set(holiday.code, i);
    const rule = holiday.rule;
    if (rule.kind === 'fixed' || rule.kind === 'weekday-before') {
      // February 29 does not exist every year.
      const longest = rule.month === 2 ? 28 : daysInMonth(2001, rule.month);
      if (rule.day > longest) {
        problems.push(
          `/holidays/${i}/rule/day must be at most ${longest} in month ${rule.month} (a day that exists every year)`,
        );
      }
    }
    if (rule.kind === 'weekday-before' && rule.month === 1 && rule.day <= 7) {
      problems.push(`/holidays/${i}/rule/day must be at least 8 in January, so the holiday falls in the same year`);
    }
  });
  return problems;
}

// ---- Calendar days as day numbers (days since 1970-01-01), free of any time zone.

function dayNumber(year: number, month: number, day: number): number {
  return Date.UTC(year, month - 1, day) / DAY_MS;
}

function isoWeekday(day: number): number {
  return ((new Date(day * DAY_MS).getUTCDay() + 6) % 7) + 1;
}

function yearOf(day: number): number {
  return new Date(day * DAY_MS).getUTCFullYear();
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

function formatDate(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

function parseDate(date: string, name: string): number {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (match !== null) {
    const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
    if (month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month)) return dayNumber(year, month, day);
  }
  throw new RangeError(`${name} must be a calendar date YYYY-MM-DD, got ${JSON.stringify(date)}`);
}

// ---- America/Toronto

const DAY_FORMAT = new Intl.DateTimeFormat('en-CA', {
  timeZone: TIME_ZONE,
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
});

/** The date in Toronto (`YYYY-MM-DD`, the en-CA format) at an instant: what "today" means to Ontario's programs. */
export function torontoDate(at: Date = new Date()): string {
  return DAY_FORMAT.format(at);
}
const WALL_CLOCK_FORMAT = new Intl.DateTimeFormat('en-CA', {
  timeZone: TIME_ZONE,
  hourCycle: 'h23',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
});

/** An ISO 8601 instant: date, time and a `Z` or numeric offset (a local time would be ambiguous). */
const INSTANT =
  /^(\d{4})-(\d{2})-(\d{2})T([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d{1,9})?)?(Z|[+-]([01]\d|2[0-3]):[0-5]\d)$/i;

function parseInstant(instant: string, name: string): number {
  const match = INSTANT.exec(instant);
  // The date is checked first: Date.parse alone would roll 2026-02-30 over to March 2.
  const [year, month, day] = match === null ? [0, 0, 0] : [Number(match[1]), Number(match[2]), Number(match[3])];
  const valid = month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month);
  const ms = valid ? Date.parse(instant) : Number.NaN;
  if (Number.isNaN(ms)) {
    throw new RangeError(`${name} must be an ISO 8601 instant with Z or an offset, got ${JSON.stringify(instant)}`);
  }
  return ms;
}

function partsOf(format: Intl.DateTimeFormat, ms: number): Record<string, number> {
  const parts: Record<string, number> = {};
  for (const part of format.formatToParts(ms)) if (part.type !== 'literal') parts[part.type] = Number(part.value);
  return parts;
}

/** The day number of the America/Toronto calendar day of an ISO instant. */
function torontoDayNumber(instant: string, name: string): number {
  const { year, month, day } = partsOf(DAY_FORMAT, parseInstant(instant, name));
  if (year < MIN_YEAR || year > MAX_YEAR)
    throw new RangeError(`${name} must be in the years ${MIN_YEAR} to ${MAX_YEAR}`);
  return dayNumber(year, month, day);
}

/** Toronto wall-clock time minus UTC at an instant, in ms (-5 h in winter, -4 h in summer). */
function torontoOffset(ms: number): number {
  const { year, month, day, hour, minute, second } = partsOf(WALL_CLOCK_FORMAT, ms);
  return Date.UTC(year, month - 1, day, hour, minute, second) - (ms - (((ms % 1000) + 1000) % 1000));
}

/** The UTC instant (ms) of 23:59:59.999 Toronto time on a day, with that day's own offset. */
function endOfTorontoDay(day: number): number {
  const wall = (day + 1) * DAY_MS - 1;
  // The offset at the guess is the right one unless a transition lies between the guess and the
  // answer; the second pass settles it (Toronto changes at 02:00, never near midnight).
  let utc = wall - torontoOffset(wall);
  utc = wall - torontoOffset(utc);
  return utc;
}
