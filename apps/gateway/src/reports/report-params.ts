import { ReportError, ReportErrorCode } from './report.error';

/** Dimensions a report may be grouped by (schemas/api/outcome-report.json `reportDimension`). */
export const REPORT_DIMENSIONS = [
  'program',
  'deliveryAgent',
  'catchment',
  'providerType',
  'stream',
  'region',
  'month',
] as const;
export type ReportDimension = (typeof REPORT_DIMENSIONS)[number];

export interface ReportRequest {
  /** First day, YYYY-MM-DD (America/Toronto), included. */
  from: string;
  /** Last day, included. */
  to: string;
  groupBy: ReportDimension[];
}

export type ReportFormat = 'json' | 'csv';

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

function isCalendarDate(value: string): boolean {
  const match = DATE.exec(value);
  if (!match) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  return year >= 1900 && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

/**
 * The first day of the year of days ending on `date`: the same day a year earlier (February 29
 * becoming the 28th), plus a day. `2026-03-10` -> `2025-03-11`; `2024-02-29` -> `2023-03-01`.
 */
function yearBefore(date: string): string {
  const [year, month, day] = date.split('-').map(Number);
  const lastDay = new Date(Date.UTC(year - 1, month, 0)).getUTCDate();
  return new Date(Date.UTC(year - 1, month - 1, Math.min(day, lastDay) + 1)).toISOString().slice(0, 10);
}

const single = (value: unknown): string | undefined =>
  Array.isArray(value) ? undefined : typeof value === 'string' ? value : undefined;

/**
 * The report asked for by the query string: `from`, `to` (default: the year up to today),
 * `groupBy` (comma-separated, each dimension once). Throws a {@link ReportError} naming every
 * invalid parameter.
 */
export function parseReportRequest(query: Record<string, unknown>, today: string): ReportRequest {
  const errors: ReportError['errors'] = [];
  const text = (name: string): string | undefined => {
    const value = query[name];
    if (value === undefined) return undefined;
    const one = single(value);
    if (one === undefined) errors.push({ pointer: `/${name}`, code: 'type', message: 'must be given once' });
    return one;
  };
  const toRaw = text('to');
  const fromRaw = text('from');
  const to = toRaw ?? today;
  if (!isCalendarDate(to))
    errors.push({ pointer: '/to', code: 'format', message: 'must be a calendar date YYYY-MM-DD' });
  const from = fromRaw ?? (isCalendarDate(to) ? yearBefore(to) : '');
  if (fromRaw !== undefined && !isCalendarDate(fromRaw))
    errors.push({ pointer: '/from', code: 'format', message: 'must be a calendar date YYYY-MM-DD' });
  if (errors.length === 0 && from > to)
    errors.push({ pointer: '/from', code: 'minimum', message: `must not be after to (${to})` });
  if (errors.length > 0) throw new ReportError(ReportErrorCode.InvalidPeriod, 'the period is invalid', errors);

  const groupRaw = text('groupBy');
  const groupBy: ReportDimension[] = [];
  for (const name of (groupRaw ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')) {
    if (!(REPORT_DIMENSIONS as readonly string[]).includes(name)) {
      errors.push({
        pointer: '/groupBy',
        code: 'enum',
        message: `"${name}" is not one of ${REPORT_DIMENSIONS.join(', ')}`,
      });
    } else if (groupBy.includes(name as ReportDimension)) {
      errors.push({ pointer: '/groupBy', code: 'uniqueItems', message: `"${name}" is given twice` });
    } else groupBy.push(name as ReportDimension);
  }
  if (errors.length > 0) throw new ReportError(ReportErrorCode.InvalidGrouping, 'the grouping is invalid', errors);
  return { from, to, groupBy };
}

/**
 * JSON or CSV: `format` when given, otherwise what `Accept` prefers (q-values, the most specific
 * media range deciding each type's q; on a tie JSON, unless only CSV was named). No `Accept`:
 * JSON. Throws a {@link ReportError} when `format` is unknown (400) or `Accept` allows neither (406).
 */
export function negotiateFormat(format: unknown, accept: string | undefined): ReportFormat {
  if (format !== undefined) {
    if (format === 'json' || format === 'csv') return format;
    throw new ReportError(ReportErrorCode.InvalidFormat, 'unknown format', [
      { pointer: '/format', code: 'enum', message: 'must be json or csv' },
    ]);
  }
  if (accept === undefined || accept.trim() === '') return 'json';
  const ranges = accept.split(',').map((part) => {
    const [range, ...params] = part
      .trim()
      .toLowerCase()
      .split(';')
      .map((s) => s.trim());
    const q = params.find((p) => p.startsWith('q='));
    return { range, q: q === undefined ? 1 : Number(q.slice(2)) };
  });
  // 2: exact type, 1: type/*, 0: */* (RFC 9110 section 12.5.1: the most specific range applies).
  const quality = (type: string): { q: number; specificity: number } => {
    let best = { q: 0, specificity: -1 };
    for (const { range, q } of ranges) {
      const specificity = range === type ? 2 : range === `${type.split('/')[0]}/*` ? 1 : range === '*/*' ? 0 : -1;
      if (specificity > best.specificity && Number.isFinite(q)) best = { q, specificity };
    }
    return best;
  };
  const json = quality('application/json');
  const csv = quality('text/csv');
  if (json.q <= 0 && csv.q <= 0)
    throw new ReportError(ReportErrorCode.NotAcceptable, 'the report is served as application/json or text/csv');
  if (csv.q > json.q) return 'csv';
  if (csv.q === json.q && csv.specificity === 2 && json.specificity < 2) return 'csv';
  return 'json';
}
