import { schemaRegistry, schemasDir } from '@passerelle/contracts';
import fc from 'fast-check';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import {
  HOLIDAYS_SCHEMA_ID,
  HolidayCalendarError,
  OntarioBusinessCalendar,
  defaultHolidaysFile,
  type HolidayDefinition,
} from './ontario-business-calendar';

const DATA_FILE = join(dirname(schemasDir()), 'data', 'ontario-statutory-holidays.json');
const calendar = OntarioBusinessCalendar.load();

/** Toronto wall clock of an instant, computed here independently of the module: `YYYY-MM-DD HH:MM:SS`. */
const WALL = new Intl.DateTimeFormat('en-CA', {
  timeZone: 'America/Toronto',
  hourCycle: 'h23',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
});
function torontoWallClock(ms: number): string {
  const p = Object.fromEntries(WALL.formatToParts(ms).map((part) => [part.type, part.value]));
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}:${p.second}`;
}
const torontoDate = (iso: string): string => torontoWallClock(Date.parse(iso)).slice(0, 10);

type Expected = Array<[code: string, date: string]>;
const byDate = (holidays: Array<{ code: string; date: string }>): Expected => holidays.map((h) => [h.code, h.date]);

// Published Ontario public holidays (observed days), written out independently of the data file.
const KNOWN: Record<number, Expected> = {
  2024: [
    ['new-years-day', '2024-01-01'],
    ['family-day', '2024-02-19'],
    ['good-friday', '2024-03-29'],
    ['victoria-day', '2024-05-20'],
    ['canada-day', '2024-07-01'],
    ['labour-day', '2024-09-02'],
    ['thanksgiving', '2024-10-14'],
    ['christmas-day', '2024-12-25'],
    ['boxing-day', '2024-12-26'],
  ],
  2025: [
    ['new-years-day', '2025-01-01'],
    ['family-day', '2025-02-17'],
    ['good-friday', '2025-04-18'],
    ['victoria-day', '2025-05-19'],
    ['canada-day', '2025-07-01'],
    ['labour-day', '2025-09-01'],
    ['thanksgiving', '2025-10-13'],
    ['christmas-day', '2025-12-25'],
    ['boxing-day', '2025-12-26'],
  ],
  2026: [
    ['new-years-day', '2026-01-01'],
    ['family-day', '2026-02-16'],
    ['good-friday', '2026-04-03'],
    ['victoria-day', '2026-05-18'], // May 25 is a Monday: the Monday *before* it
    ['canada-day', '2026-07-01'],
    ['labour-day', '2026-09-07'],
    ['thanksgiving', '2026-10-12'],
    ['christmas-day', '2026-12-25'],
    ['boxing-day', '2026-12-28'], // Saturday Dec 26 -> Monday 28
  ],
  2027: [
    ['new-years-day', '2027-01-01'],
    ['family-day', '2027-02-15'],
    ['good-friday', '2027-03-26'],
    ['victoria-day', '2027-05-24'],
    ['canada-day', '2027-07-01'],
    ['labour-day', '2027-09-06'],
    ['thanksgiving', '2027-10-11'],
    ['christmas-day', '2027-12-27'], // Saturday -> Monday
    ['boxing-day', '2027-12-28'], // Sunday -> Tuesday (Monday is taken)
  ],
  2028: [
    ['new-years-day', '2028-01-03'], // Saturday -> Monday
    ['family-day', '2028-02-21'],
    ['good-friday', '2028-04-14'],
    ['victoria-day', '2028-05-22'],
    ['canada-day', '2028-07-03'], // Saturday -> Monday
    ['labour-day', '2028-09-04'],
    ['thanksgiving', '2028-10-09'],
    ['christmas-day', '2028-12-25'],
    ['boxing-day', '2028-12-26'],
  ],
};

describe('Ontario statutory holidays data', () => {
  it('is found beside schemas/ and validates against its schema', () => {
    expect(defaultHolidaysFile()).toBe(DATA_FILE);
    const data: unknown = JSON.parse(readFileSync(DATA_FILE, 'utf8'));
    expect(schemaRegistry().validate(HOLIDAYS_SCHEMA_ID, data)).toEqual({ ok: true, value: data });
  });

  it('names every holiday in English and French', () => {
    const holidays = calendar.holidays(2026);
    expect(holidays).toHaveLength(9);
    for (const h of holidays) {
      expect(h.en).not.toBe('');
      expect(h.fr).not.toBe('');
    }
    expect(holidays.find((h) => h.code === 'canada-day')).toEqual({
      code: 'canada-day',
      en: 'Canada Day',
      fr: 'Fête du Canada',
      date: '2026-07-01',
    });
  });
});

describe('OntarioBusinessCalendar.holidays', () => {
  it.each(Object.keys(KNOWN).map(Number))('gives the published observed days of %i', (year) => {
    expect(byDate(calendar.holidays(year))).toEqual(KNOWN[year]);
  });

  it('moves Christmas on a Sunday past Boxing Day, which keeps Monday 26 (2022, 2033)', () => {
    for (const year of [2022, 2033]) {
      expect(byDate(calendar.holidays(year)).slice(-2)).toEqual([
        ['boxing-day', `${year}-12-26`],
        ['christmas-day', `${year}-12-27`],
      ]);
    }
  });

  it('puts Good Friday two days before Gregorian Easter, including its earliest and latest dates', () => {
    // Easter Sunday from published tables.
    const easter: Record<number, string> = {
      1818: '03-22',
      1943: '04-25',
      2000: '04-23',
      2008: '03-23',
      2011: '04-24',
      2019: '04-21',
      2038: '04-25',
      2285: '03-22',
    };
    for (const [year, monthDay] of Object.entries(easter)) {
      const goodFriday = new Date(Date.parse(`${year}-${monthDay}T00:00:00Z`) - 2 * 86_400_000)
        .toISOString()
        .slice(0, 10);
      expect([year, calendar.holidays(Number(year)).find((h) => h.code === 'good-friday')?.date]).toEqual([
        year,
        goodFriday,
      ]);
    }
  });

  it('gives nine weekday holidays on distinct days, sorted, with each rule holding, in any year', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1583, max: 9999 }), (year) => {
        const holidays = calendar.holidays(year);
        const dates = holidays.map((h) => h.date);
        expect(dates).toEqual([...dates].sort());
        expect(new Set(dates).size).toBe(9);
        for (const date of dates) {
          expect(date.slice(0, 4)).toBe(String(year).padStart(4, '0'));
          expect(new Date(`${date}T00:00:00Z`).getUTCDay() % 6).not.toBe(0);
          expect(calendar.isBusinessDay(date)).toBe(false);
        }
        const at = (code: string) => holidays.find((h) => h.code === code)?.date ?? '';
        const monday = (date: string) => new Date(`${date}T00:00:00Z`).getUTCDay() === 1;
        expect(
          monday(at('family-day')) && at('family-day') >= `${year}-02-15` && at('family-day') <= `${year}-02-21`,
        ).toBe(true);
        expect(
          monday(at('victoria-day')) && at('victoria-day') >= `${year}-05-18` && at('victoria-day') <= `${year}-05-24`,
        ).toBe(true);
        expect(monday(at('labour-day')) && at('labour-day') <= `${year}-09-07`).toBe(true);
        expect(
          monday(at('thanksgiving')) && at('thanksgiving') >= `${year}-10-08` && at('thanksgiving') <= `${year}-10-14`,
        ).toBe(true);
        expect(new Date(`${at('good-friday')}T00:00:00Z`).getUTCDay()).toBe(5);
        expect(at('good-friday') >= `${year}-03-20` && at('good-friday') <= `${year}-04-23`).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('caches per year and hands out copies', () => {
    const first = calendar.holidays(2026);
    first.pop();
    expect(calendar.holidays(2026)).toHaveLength(9);
    expect(Object.isFrozen(calendar.holidays(2026)[0])).toBe(true);
  });

  it('refuses a year out of range', () => {
    expect(() => calendar.holidays(1500)).toThrow(RangeError);
    expect(() => calendar.holidays(2026.5)).toThrow(/year must be an integer/);
  });
});

describe('OntarioBusinessCalendar.isBusinessDay', () => {
  it('is Monday to Friday less the observed holidays', () => {
    expect(calendar.isBusinessDay('2026-05-15')).toBe(true); // Friday
    expect(calendar.isBusinessDay('2026-05-16')).toBe(false); // Saturday
    expect(calendar.isBusinessDay('2026-05-17')).toBe(false); // Sunday
    expect(calendar.isBusinessDay('2026-05-18')).toBe(false); // Victoria Day
    expect(calendar.isBusinessDay('2026-05-19')).toBe(true);
    expect(calendar.isBusinessDay('2026-12-28')).toBe(false); // Boxing Day observed
    expect(calendar.isBusinessDay('2026-12-29')).toBe(true);
    expect(calendar.isBusinessDay('2027-12-27')).toBe(false);
    expect(calendar.isBusinessDay('2027-12-28')).toBe(false);
    expect(calendar.isBusinessDay('2027-12-29')).toBe(true);
    expect(calendar.isBusinessDay('2028-07-03')).toBe(false);
    expect(calendar.isBusinessDay('2028-07-04')).toBe(true);
  });

  it('refuses what is not a calendar date', () => {
    for (const bad of ['2026-02-30', '2026-13-01', '2026-5-1', '2026-05-15T00:00:00Z', '']) {
      expect(() => calendar.isBusinessDay(bad)).toThrow(/must be a calendar date YYYY-MM-DD/);
    }
  });
});

describe('OntarioBusinessCalendar.addBusinessDays', () => {
  it('skips a long weekend: Friday before Victoria Day + 1 = end of Tuesday (EDT)', () => {
    expect(calendar.addBusinessDays('2026-05-15T14:00:00Z', 1)).toBe('2026-05-20T03:59:59.999Z');
    expect(calendar.addBusinessDays('2026-05-15T10:00:00-04:00', 1)).toBe('2026-05-20T03:59:59.999Z');
    expect(calendar.addBusinessDays('2026-05-15T14:00:00Z', 2)).toBe('2026-05-21T03:59:59.999Z');
  });

  it('counts from the Toronto day of `from`, not its UTC day', () => {
    // Friday 22:00 in Toronto is Saturday in UTC.
    expect(calendar.addBusinessDays('2026-05-16T02:00:00Z', 1)).toBe('2026-05-20T03:59:59.999Z');
    // Thursday 23:30 in Toronto is Friday in UTC: the next business day is Friday.
    expect(calendar.addBusinessDays('2026-05-15T03:30:00Z', 1)).toBe('2026-05-16T03:59:59.999Z');
    // A Saturday `from` counts from Monday.
    expect(calendar.addBusinessDays('2026-05-09T15:00:00Z', 1)).toBe('2026-05-12T03:59:59.999Z');
  });

  it('ends the day with the offset of that day across the DST changes', () => {
    // Spring forward on Sunday 2026-03-08: Friday is EST (-5), Monday EDT (-4).
    expect(calendar.addBusinessDays('2026-03-06T15:00:00Z', 0)).toBe('2026-03-07T04:59:59.999Z');
    expect(calendar.addBusinessDays('2026-03-06T15:00:00Z', 1)).toBe('2026-03-10T03:59:59.999Z');
    // Fall back on Sunday 2026-11-01: Friday is EDT, Monday EST.
    expect(calendar.addBusinessDays('2026-10-30T15:00:00Z', 0)).toBe('2026-10-31T03:59:59.999Z');
    expect(calendar.addBusinessDays('2026-10-30T15:00:00Z', 1)).toBe('2026-11-03T04:59:59.999Z');
    // From the transition days themselves.
    expect(calendar.addBusinessDays('2026-03-08T07:30:00Z', 1)).toBe('2026-03-10T03:59:59.999Z');
    expect(calendar.addBusinessDays('2026-11-01T06:30:00Z', 1)).toBe('2026-11-03T04:59:59.999Z');
  });

  it('skips Christmas and the observed Boxing Day, and crosses into a year whose New Year is observed', () => {
    expect(calendar.addBusinessDays('2026-12-24T15:00:00Z', 1)).toBe('2026-12-30T04:59:59.999Z');
    expect(calendar.addBusinessDays('2027-12-24T15:00:00Z', 1)).toBe('2027-12-30T04:59:59.999Z');
    expect(calendar.addBusinessDays('2027-12-31T15:00:00Z', 1)).toBe('2028-01-05T04:59:59.999Z');
    // 10 business days over the 2026 holidays: Dec 21-24, 29-31, Jan 4-6 (Jan 1 and Dec 25, 28 skipped).
    expect(calendar.addBusinessDays('2026-12-18T20:00:00Z', 10)).toBe('2027-01-07T04:59:59.999Z');
  });

  it('refuses a negative or fractional count and an instant without a zone', () => {
    expect(() => calendar.addBusinessDays('2026-05-15T14:00:00Z', -1)).toThrow(RangeError);
    expect(() => calendar.addBusinessDays('2026-05-15T14:00:00Z', 1.5)).toThrow(/non-negative integer/);
    expect(() => calendar.addBusinessDays('2026-05-15T14:00:00', 1)).toThrow(/ISO 8601 instant/);
    expect(() => calendar.addBusinessDays('2026-05-15', 1)).toThrow(/ISO 8601 instant/);
    expect(() => calendar.addBusinessDays('2026-02-30T14:00:00Z', 1)).toThrow(/ISO 8601 instant/);
  });

  describe('properties', () => {
    // Instants from 2000 to 2100, counts up to about three months of business days.
    const instant = fc
      .integer({ min: Date.UTC(2000, 0, 1), max: Date.UTC(2100, 0, 1) })
      .map((ms) => new Date(ms).toISOString());
    const count = fc.integer({ min: 1, max: 70 });

    it('lands at 23:59:59.999 Toronto time on a business day', () => {
      fc.assert(
        fc.property(instant, count, (from, n) => {
          const due = calendar.addBusinessDays(from, n);
          expect(due).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
          const ms = Date.parse(due);
          expect(torontoWallClock(ms)).toMatch(/ 23:59:59$/);
          expect(torontoWallClock(ms + 1)).toMatch(/ 00:00:00$/);
          expect(calendar.isBusinessDay(torontoDate(due))).toBe(true);
          expect(torontoDate(due) > torontoDate(from)).toBe(true);
        }),
      );
    });

    it('is strictly increasing in n', () => {
      fc.assert(
        fc.property(instant, count, (from, n) => {
          expect(Date.parse(calendar.addBusinessDays(from, n))).toBeLessThan(
            Date.parse(calendar.addBusinessDays(from, n + 1)),
          );
        }),
      );
    });

    it('is undone by businessDaysBetween', () => {
      fc.assert(
        fc.property(instant, fc.integer({ min: 0, max: 70 }), (from, n) => {
          expect(calendar.businessDaysBetween(from, calendar.addBusinessDays(from, n))).toBe(n);
        }),
      );
    });

    it('counts exactly the business days of a day-by-day walk', () => {
      fc.assert(
        fc.property(instant, count, (from, n) => {
          const due = torontoDate(calendar.addBusinessDays(from, n));
          let day = torontoDate(from);
          let seen = 0;
          while (day < due) {
            day = new Date(Date.parse(`${day}T12:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
            if (calendar.isBusinessDay(day)) seen += 1;
          }
          expect(seen).toBe(n);
        }),
        { numRuns: 50 },
      );
    });
  });
});

describe('OntarioBusinessCalendar.businessDaysBetween', () => {
  it('counts the business days after the day of `from` up to and including the day of `to`', () => {
    expect(calendar.businessDaysBetween('2026-05-15T14:00:00Z', '2026-05-15T20:00:00Z')).toBe(0);
    expect(calendar.businessDaysBetween('2026-05-15T14:00:00Z', '2026-05-18T20:00:00Z')).toBe(0); // weekend + Victoria Day
    expect(calendar.businessDaysBetween('2026-05-15T14:00:00Z', '2026-05-19T04:00:00Z')).toBe(1); // Tuesday 00:00 EDT
    expect(calendar.businessDaysBetween('2026-05-15T14:00:00Z', '2026-05-19T03:59:59Z')).toBe(0); // still Monday in Toronto
    expect(calendar.businessDaysBetween('2026-12-24T15:00:00Z', '2027-01-04T15:00:00Z')).toBe(4); // Dec 29, 30, 31, Jan 4
  });

  it('is 0 when `to` is not on a later Toronto day', () => {
    expect(calendar.businessDaysBetween('2026-05-20T14:00:00Z', '2026-05-12T14:00:00Z')).toBe(0);
  });
});

describe('OntarioBusinessCalendar.load', () => {
  let dir: string;
  /** The data file as plain JSON, to break on purpose. */
  type Entry = Record<string, unknown>;
  const RULES = JSON.parse(readFileSync(DATA_FILE, 'utf8')) as { holidays: Entry[] };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ontario-holidays-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const write = (content: unknown): string => {
    const file = join(dir, 'holidays.json');
    writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
    return file;
  };
  const withRule = (index: number, rule: Entry): { holidays: Entry[] } => ({
    holidays: RULES.holidays.map((h, i) => (i === index ? { ...h, rule } : h)),
  });
  const failure = (file: string): HolidayCalendarError => {
    try {
      OntarioBusinessCalendar.load(file);
    } catch (error) {
      if (error instanceof HolidayCalendarError) return error;
      throw error;
    }
    throw new Error('expected the file to be refused');
  };

  it('refuses a month 13, naming the pointer', () => {
    const file = write(withRule(0, { kind: 'fixed', month: 13, day: 1, observed: 'next-weekday' }));
    const error = failure(file);
    expect(error.kind).toBe('schema');
    expect(error.reasons).toEqual([`${file}#/holidays/0/rule/month must be <= 12`]);
    expect(error.message).toContain('#/holidays/0/rule/month must be <= 12');
  });

  it('refuses an unknown rule kind, a property of another kind and a missing name', () => {
    const data = withRule(3, { kind: 'lunar', month: 5 });
    data.holidays[4] = { ...data.holidays[4], rule: { kind: 'nth-weekday', month: 9, weekday: 1, n: 1, day: 3 } };
    const { fr: _fr, ...noFrench } = data.holidays[5];
    data.holidays[5] = noFrench;
    const file = write(data);
    expect(failure(file).reasons).toEqual([
      `${file}#/holidays/3/rule/kind must be one of: "fixed", "nth-weekday", "weekday-before", "easter-offset"`,
      `${file}#/holidays/4/rule/day is not allowed`,
      `${file}#/holidays/5/fr is required`,
    ]);
  });

  it('refuses a day that does not exist every year, a repeated code and a January weekday-before', () => {
    const data = withRule(0, { kind: 'fixed', month: 2, day: 29, observed: 'none' });
    data.holidays[1] = { ...data.holidays[1], code: 'new-years-day' };
    data.holidays[2] = { ...data.holidays[2], rule: { kind: 'weekday-before', month: 1, day: 5, weekday: 1 } };
    const file = write(data);
    const error = failure(file);
    expect(error.kind).toBe('inconsistent');
    expect(error.reasons).toEqual([
      `${file}#/holidays/0/rule/day must be at most 28 in month 2 (a day that exists every year)`,
      `${file}#/holidays/1/code repeats "new-years-day" of /holidays/0`,
      `${file}#/holidays/2/rule/day must be at least 8 in January, so the holiday falls in the same year`,
    ]);
  });

  it('refuses a missing file and a file that is not JSON', () => {
    expect(failure(join(dir, 'missing.json')).kind).toBe('unreadable');
    expect(failure(write('{ nope')).message).toMatch(/unusable \(unreadable\): .*holidays\.json/);
  });

  it('keeps a fixed holiday with `observed: none` on its weekend day', () => {
    const cal = OntarioBusinessCalendar.load(
      write({
        holidays: [
          {
            code: 'canada-day',
            en: 'Canada Day',
            fr: 'Fête du Canada',
            rule: { kind: 'fixed', month: 7, day: 1, observed: 'none' },
          },
        ],
      }),
    );
    expect(cal.holidays(2028)).toEqual([
      { code: 'canada-day', en: 'Canada Day', fr: 'Fête du Canada', date: '2028-07-01' },
    ]);
    expect(cal.isBusinessDay('2028-07-03')).toBe(true);
  });

  it('moves a weekend holiday past every day already taken, and into January when it must', () => {
    const holiday = (code: string, rule: HolidayDefinition['rule']): HolidayDefinition => ({
      code,
      en: code,
      fr: code,
      rule,
    });
    const cal = OntarioBusinessCalendar.load(
      write({
        holidays: [
          holiday('sat', { kind: 'fixed', month: 7, day: 1, observed: 'next-weekday' }), // Saturday in 2028
          holiday('sun', { kind: 'fixed', month: 7, day: 2, observed: 'next-weekday' }),
          holiday('mon', { kind: 'nth-weekday', month: 7, weekday: 1, n: 1 }), // Monday July 3
          holiday('eve', { kind: 'fixed', month: 12, day: 31, observed: 'next-weekday' }), // Sunday in 2028
        ],
      }),
    );
    expect(byDate(cal.holidays(2028))).toEqual([
      ['mon', '2028-07-03'],
      ['sat', '2028-07-04'],
      ['sun', '2028-07-05'],
      ['eve', '2029-01-01'],
    ]);
    expect(cal.isBusinessDay('2029-01-01')).toBe(false);
    expect(cal.isBusinessDay('2028-07-06')).toBe(true);
  });
});
