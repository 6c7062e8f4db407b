/**
 * When the outcome follow-ups of a job start fall due: 1, 3, 6 and 12 calendar months after the
 * start date, each counted from the start date itself (not from the previous follow-up) and
 * clamped to the last day of a shorter month. Pure: calendar dates only, no clock, no time zone.
 */

export const FOLLOW_UP_MONTHS = [1, 3, 6, 12] as const;
export type FollowUpMonth = (typeof FOLLOW_UP_MONTHS)[number];

/** Calendar months after a job start date (YYYY-MM-DD), clamped to the end of shorter months (Jan 31 + 1 month = Feb 28/29). */
export function followUpDueDates(jobStartDate: string): Array<{ months: FollowUpMonth; dueOn: string }> {
  return FOLLOW_UP_MONTHS.map((months) => ({ months, dueOn: addCalendarMonths(jobStartDate, months) }));
}

/**
 * `date` (YYYY-MM-DD) moved by `months` calendar months (negative: back), keeping the day of the
 * month or, when the target month is shorter, its last day. Throws a RangeError on a malformed
 * date, a non-integer month count or a result outside the years 0001 to 9999.
 */
export function addCalendarMonths(date: string, months: number): string {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  const [year, month, day] = match === null ? [0, 0, 0] : [Number(match[1]), Number(match[2]), Number(match[3])];
  if (match === null || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) {
    throw new RangeError(`date must be a calendar date YYYY-MM-DD, got ${JSON.stringify(date)}`);
  }
  if (!Number.isSafeInteger(months)) throw new RangeError(`months must be an integer, got ${String(months)}`);
  const index = year * 12 + (month - 1) + months;
  const targetYear = Math.floor(index / 12);
  const targetMonth = index - targetYear * 12 + 1;
  if (targetYear < 1 || targetYear > 9999) {
    throw new RangeError(`${date} + ${months} months falls outside the years 0001 to 9999`);
  }
  const targetDay = Math.min(day, daysInMonth(targetYear, targetMonth));
  return `${pad(targetYear, 4)}-${pad(targetMonth, 2)}-${pad(targetDay, 2)}`;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

function pad(value: number, width: number): string {
  return String(value).padStart(width, '0');
}
