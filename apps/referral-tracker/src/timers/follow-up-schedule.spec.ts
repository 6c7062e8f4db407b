import fc from 'fast-check';
import { FOLLOW_UP_MONTHS, addCalendarMonths, followUpDueDates, type FollowUpMonth } from './follow-up-schedule';

const lastDayOf = (year: number, month: number): number => {
  const date = new Date(0);
  date.setUTCFullYear(year, month, 0); // unlike Date.UTC, keeps years 0-99 as they are
  return date.getUTCDate();
};
const iso = (year: number, month: number, day: number): string =>
  `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;

describe('followUpDueDates', () => {
  it('falls due 1, 3, 6 and 12 months after the job start', () => {
    expect(FOLLOW_UP_MONTHS).toEqual([1, 3, 6, 12]);
    expect(followUpDueDates('2026-03-16')).toEqual([
      { months: 1, dueOn: '2026-04-16' },
      { months: 3, dueOn: '2026-06-16' },
      { months: 6, dueOn: '2026-09-16' },
      { months: 12, dueOn: '2027-03-16' },
    ]);
  });

  it('clamps to the end of a shorter month, counting each follow-up from the start date', () => {
    expect(followUpDueDates('2026-01-31')).toEqual([
      { months: 1, dueOn: '2026-02-28' },
      { months: 3, dueOn: '2026-04-30' },
      { months: 6, dueOn: '2026-07-31' },
      { months: 12, dueOn: '2027-01-31' },
    ]);
    expect(followUpDueDates('2028-01-31')[0]).toEqual({ months: 1, dueOn: '2028-02-29' });
    expect(followUpDueDates('2025-08-31')[2]).toEqual({ months: 6, dueOn: '2026-02-28' });
    expect(followUpDueDates('2027-08-31')[2]).toEqual({ months: 6, dueOn: '2028-02-29' });
    expect(followUpDueDates('2028-02-29')[3]).toEqual({ months: 12, dueOn: '2029-02-28' });
    expect(followUpDueDates('2026-10-31')[1]).toEqual({ months: 3, dueOn: '2027-01-31' });
  });

  it('refuses what is not a calendar date', () => {
    for (const bad of ['2026-02-29', '2026-00-10', '2026-1-10', '2026-01-10T00:00:00Z', 'soon']) {
      expect(() => followUpDueDates(bad)).toThrow(/must be a calendar date YYYY-MM-DD/);
    }
  });

  it('gives each follow-up once, in order, strictly after the start and before the next', () => {
    fc.assert(
      fc.property(
        fc.date({ min: new Date('1900-01-01T00:00:00Z'), max: new Date('2999-12-31T00:00:00Z'), noInvalidDate: true }),
        (d) => {
          const start = d.toISOString().slice(0, 10);
          const due = followUpDueDates(start);
          expect(due.map((f) => f.months)).toEqual<FollowUpMonth[]>([...FOLLOW_UP_MONTHS]);
          let previous = start;
          for (const { dueOn } of due) {
            expect(dueOn > previous).toBe(true);
            previous = dueOn;
          }
        },
      ),
    );
  });
});

describe('addCalendarMonths', () => {
  it('keeps the day of the month, or takes the last day of a shorter month', () => {
    expect(addCalendarMonths('2026-01-31', 1)).toBe('2026-02-28');
    expect(addCalendarMonths('2028-01-31', 1)).toBe('2028-02-29');
    expect(addCalendarMonths('2026-03-31', 1)).toBe('2026-04-30');
    expect(addCalendarMonths('2026-05-15', 0)).toBe('2026-05-15');
    expect(addCalendarMonths('2026-12-15', 1)).toBe('2027-01-15');
    expect(addCalendarMonths('2026-03-31', -1)).toBe('2026-02-28');
    expect(addCalendarMonths('2026-01-15', -13)).toBe('2024-12-15');
    expect(addCalendarMonths('2100-01-29', 1)).toBe('2100-02-28'); // not a leap year
    expect(addCalendarMonths('2000-01-29', 1)).toBe('2000-02-29'); // a leap year
  });

  it('refuses a fractional count and a result past year 9999', () => {
    expect(() => addCalendarMonths('2026-01-31', 1.5)).toThrow(/months must be an integer/);
    expect(() => addCalendarMonths('9999-12-01', 1)).toThrow(/outside the years 0001 to 9999/);
  });

  it('lands in the right month on the start day or the last day of a shorter month', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 9000 }),
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 1, max: 31 }),
        fc.integer({ min: -1200, max: 1200 }),
        (year, month, rawDay, months) => {
          const day = Math.min(rawDay, lastDayOf(year, month));
          const index = year * 12 + month - 1 + months;
          fc.pre(index >= 12 && index < 10_000 * 12);
          const targetYear = Math.floor(index / 12);
          const targetMonth = (index % 12) + 1;
          expect(addCalendarMonths(iso(year, month, day), months)).toBe(
            iso(targetYear, targetMonth, Math.min(day, lastDayOf(targetYear, targetMonth))),
          );
        },
      ),
    );
  });
});
