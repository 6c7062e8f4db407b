/**
 * The IES funded-outcome rule, in one place.
 *
 * DOMAIN.md ("IES funded outcomes"): "employment averaging 20+ hours a week at minimum wage or
 * better on the primary job, checked 1, 3, 6 and 12 months after the job start; subsidized
 * placements count only once unsubsidized". The same rule is written in the descriptions of
 * `schemas/canonical/outcome-milestone.json` (`achieved`) and `schemas/sources/employment.json`.
 *
 * DOMAIN.md does not give the minimum wage itself: the values below are Ontario's general
 * minimum wage (Employment Standards Act, 2000, O. Reg. 285/01 s. 23.1, indexed every
 * 1 October), applied at the date of the check. Add a row each October.
 */

/** Average hours a week the job must reach (DOMAIN.md: "20+ hours a week"). */
export const IES_MIN_HOURS_PER_WEEK = 20;

/** Ontario general minimum wage, in cents an hour, from each effective date (ascending). */
export const ONTARIO_GENERAL_MINIMUM_WAGE: ReadonlyArray<{ readonly from: string; readonly centsPerHour: number }> = [
  { from: '2018-01-01', centsPerHour: 1400 },
  { from: '2022-01-01', centsPerHour: 1500 },
  { from: '2022-10-01', centsPerHour: 1550 },
  { from: '2023-10-01', centsPerHour: 1655 },
  { from: '2024-10-01', centsPerHour: 1720 },
  { from: '2025-10-01', centsPerHour: 1760 },
];

/** The general minimum wage (cents an hour) in force on `date` (`YYYY-MM-DD`), or undefined before the table starts. */
export function minimumWageCentsOn(date: string): number | undefined {
  let found: number | undefined;
  // ISO dates compare as strings.
  for (const row of ONTARIO_GENERAL_MINIMUM_WAGE) if (row.from <= date) found = row.centsPerHour;
  return found;
}

/** A money amount (`"17.20"`, schemas/common/money-amount.json) as integer cents: never a float. */
export function moneyToCents(amount: string): number {
  const [dollars, cents] = amount.split('.');
  return Number(dollars) * 100 + Number(cents);
}

/** What the check needs to know about the job found at a follow-up. */
export interface MilestoneJob {
  hoursPerWeek: number;
  hourlyWage?: string;
  subsidized: boolean;
  jobEndDate?: string;
}

/**
 * Whether an IES follow-up done on `checkedOn` meets the milestone: a job (still going on at the
 * check), averaging at least {@link IES_MIN_HOURS_PER_WEEK} hours a week, paid at least the
 * minimum wage in force that day, and no longer subsidized. A job without an hourly wage
 * (self-employment) cannot show minimum wage, so it is not counted (a ministry analyst would
 * want that evidence before funding the outcome).
 */
export function iesMilestoneAchieved(job: MilestoneJob | undefined, checkedOn: string): boolean {
  if (job === undefined) return false;
  if (job.subsidized) return false;
  if (job.jobEndDate !== undefined && job.jobEndDate < checkedOn) return false;
  if (job.hoursPerWeek < IES_MIN_HOURS_PER_WEEK) return false;
  if (job.hourlyWage === undefined) return false;
  const minimum = minimumWageCentsOn(checkedOn);
  return minimum !== undefined && moneyToCents(job.hourlyWage) >= minimum;
}
