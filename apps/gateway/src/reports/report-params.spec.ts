import { ReportError, ReportErrorCode } from './report.error';
import { torontoDate } from '@passerelle/lifecycle';
import { negotiateFormat, parseReportRequest } from './report-params';

const refusal = (run: () => unknown): ReportError => {
  try {
    run();
  } catch (error) {
    if (error instanceof ReportError) return error;
    throw error;
  }
  throw new Error('expected a ReportError');
};

describe('parseReportRequest', () => {
  it('defaults to the year up to today, ungrouped', () => {
    expect(parseReportRequest({}, '2026-03-10')).toEqual({ from: '2025-03-11', to: '2026-03-10', groupBy: [] });
    expect(parseReportRequest({ to: '2025-12-31' }, '2026-03-10')).toEqual({
      from: '2025-01-01',
      to: '2025-12-31',
      groupBy: [],
    });
    expect(parseReportRequest({ to: '2024-02-29' }, '2026-03-10').from).toBe('2023-03-01');
  });

  it('takes a period and dimensions in the order given', () => {
    expect(
      parseReportRequest({ from: '2025-01-01', to: '2025-01-01', groupBy: 'month, program' }, '2026-01-01'),
    ).toEqual({
      from: '2025-01-01',
      to: '2025-01-01',
      groupBy: ['month', 'program'],
    });
  });

  it('refuses impossible dates, a period ending before it starts and repeated parameters, naming each', () => {
    expect(refusal(() => parseReportRequest({ from: '2025-02-30' }, '2026-01-01'))).toMatchObject({
      code: ReportErrorCode.InvalidPeriod,
      status: 400,
      errors: [{ pointer: '/from', code: 'format' }],
    });
    expect(refusal(() => parseReportRequest({ from: '2025-06-01', to: '2025-05-31' }, '2026-01-01')).errors).toEqual([
      { pointer: '/from', code: 'minimum', message: 'must not be after to (2025-05-31)' },
    ]);
    expect(
      refusal(() => parseReportRequest({ to: ['2025-01-01', '2025-02-01'] }, '2026-01-01')).errors[0].pointer,
    ).toBe('/to');
    expect(
      refusal(() => parseReportRequest({ to: 'yesterday', from: 'x' }, '2026-01-01')).errors.map((e) => e.pointer),
    ).toEqual(['/to', '/from']);
  });

  it('refuses an unknown dimension or one given twice', () => {
    const error = refusal(() => parseReportRequest({ groupBy: 'program,postalCode,program' }, '2026-01-01'));
    expect(error.code).toBe(ReportErrorCode.InvalidGrouping);
    expect(error.errors.map((e) => e.code)).toEqual(['enum', 'uniqueItems']);
  });
});

describe('negotiateFormat', () => {
  it('follows format first, then Accept, JSON by default', () => {
    expect(negotiateFormat('csv', 'application/json')).toBe('csv');
    expect(negotiateFormat(undefined, undefined)).toBe('json');
    expect(negotiateFormat(undefined, '*/*')).toBe('json');
    expect(negotiateFormat(undefined, 'text/csv')).toBe('csv');
    expect(negotiateFormat(undefined, 'text/csv, */*')).toBe('csv');
    expect(negotiateFormat(undefined, 'text/csv;q=0.5, application/json')).toBe('json');
    expect(negotiateFormat(undefined, 'application/json;q=0.2, text/*')).toBe('csv');
    expect(negotiateFormat(undefined, 'text/html,application/xhtml+xml,*/*;q=0.8')).toBe('json');
  });

  it('refuses an unknown format (400) and an Accept that allows neither (406)', () => {
    expect(refusal(() => negotiateFormat('xml', undefined))).toMatchObject({
      code: ReportErrorCode.InvalidFormat,
      status: 400,
    });
    expect(refusal(() => negotiateFormat(undefined, 'application/xml'))).toMatchObject({
      code: ReportErrorCode.NotAcceptable,
      status: 406,
    });
    expect(refusal(() => negotiateFormat(undefined, 'text/csv;q=0, application/json;q=0'))).toMatchObject({
      status: 406,
    });
  });
});

describe('torontoDate', () => {
  it('is the calendar day in Toronto, not in UTC', () => {
    expect(torontoDate(new Date('2026-01-01T03:00:00Z'))).toBe('2025-12-31');
    expect(torontoDate(new Date('2026-01-01T06:00:00Z'))).toBe('2026-01-01');
  });
});
