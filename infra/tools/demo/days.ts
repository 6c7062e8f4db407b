// Calendar arithmetic on UTC days (days since the epoch), for the demo's made-up dates.

const DAY = 86_400_000;
export const dayOf = (date: string): number => Date.parse(`${date}T00:00:00Z`) / DAY;
export const dateOf = (day: number): string => new Date(day * DAY).toISOString().slice(0, 10);
/** An instant on `day` at `hour` UTC (14:00 to 20:00 UTC is office hours in Toronto). */
export const at = (day: number, hour: number, minute = 0): string =>
  new Date(day * DAY + (hour * 60 + minute) * 60_000).toISOString();
const isWeekend = (day: number): boolean => [0, 6].includes(new Date(day * DAY).getUTCDay());
export const weekdayOnOrAfter = (day: number): number => {
  let d = day;
  while (isWeekend(d)) d += 1;
  return d;
};
export const addWeekdays = (day: number, n: number): number => {
  let d = day;
  for (let i = 0; i < n;) {
    d += 1;
    if (!isWeekend(d)) i += 1;
  }
  return d;
};
export const addMonths = (date: string, months: number): string => {
  const [y, m, d] = date.split('-').map(Number);
  const last = new Date(Date.UTC(y, m - 1 + months + 1, 0)).getUTCDate();
  return new Date(Date.UTC(y, m - 1 + months, Math.min(d, last))).toISOString().slice(0, 10);
};
export const monthSpan = (date: string): { start: string; end: string } => {
  const [y, m] = date.split('-').map(Number);
  return {
    start: new Date(Date.UTC(y, m - 1, 1)).toISOString().slice(0, 10),
    end: new Date(Date.UTC(y, m, 0)).toISOString().slice(0, 10),
  };
};
