import { IES_MIN_HOURS_PER_WEEK, iesMilestoneAchieved, minimumWageCentsOn, moneyToCents } from './ies-milestone';

describe('IES milestone rule (DOMAIN.md: 20+ hours a week at minimum wage or better, unsubsidized)', () => {
  const onDate = '2025-11-06'; // general minimum wage 17.60 since 2025-10-01
  const job = { hoursPerWeek: 20, hourlyWage: '17.60', subsidized: false };

  it('counts 20 hours a week at exactly the minimum wage', () => {
    expect(IES_MIN_HOURS_PER_WEEK).toBe(20);
    expect(iesMilestoneAchieved(job, onDate)).toBe(true);
  });

  it('does not count 19.5 hours a week, even well paid', () => {
    expect(iesMilestoneAchieved({ ...job, hoursPerWeek: 19.5 }, onDate)).toBe(false);
    expect(iesMilestoneAchieved({ ...job, hoursPerWeek: 19.5, hourlyWage: '40.00' }, onDate)).toBe(false);
  });

  it('does not count a cent under the minimum wage in force on the day of the check', () => {
    expect(iesMilestoneAchieved({ ...job, hourlyWage: '17.59' }, onDate)).toBe(false);
    // 17.20 was the minimum until 2025-09-30.
    expect(iesMilestoneAchieved({ ...job, hourlyWage: '17.20' }, '2025-09-30')).toBe(true);
    expect(iesMilestoneAchieved({ ...job, hourlyWage: '17.20' }, '2025-10-01')).toBe(false);
  });

  it('does not count a subsidized job, a job without a wage, an ended job or no job', () => {
    expect(iesMilestoneAchieved({ ...job, subsidized: true }, onDate)).toBe(false);
    expect(iesMilestoneAchieved({ hoursPerWeek: 40, subsidized: false }, onDate)).toBe(false);
    expect(iesMilestoneAchieved({ ...job, jobEndDate: '2025-11-05' }, onDate)).toBe(false);
    expect(iesMilestoneAchieved({ ...job, jobEndDate: onDate }, onDate)).toBe(true);
    expect(iesMilestoneAchieved(undefined, onDate)).toBe(false);
  });

  it('reads amounts as integer cents and knows the minimum wage by date', () => {
    expect(moneyToCents('17.20')).toBe(1720);
    expect(moneyToCents('0.05')).toBe(5);
    expect(moneyToCents('9999999.99')).toBe(999999999);
    expect(minimumWageCentsOn('2017-12-31')).toBeUndefined();
    expect(minimumWageCentsOn('2024-10-01')).toBe(1720);
  });
});
