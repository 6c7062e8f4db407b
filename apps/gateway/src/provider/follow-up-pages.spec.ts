import { HttpException } from '@nestjs/common';
import { encodeFollowUpCursor, followUpPageQuery, isCalendarDate, ontarioToday } from './follow-up-pages';

/** The status, code and field errors of the 400 a query gets. */
function refusalOf(query: () => unknown): { status: number; type: string; pointers: string[] } {
  try {
    query();
  } catch (error) {
    if (!(error instanceof HttpException)) throw error;
    const body = error.getResponse() as { type: string; errors: { pointer: string; code: string }[] };
    return { status: error.getStatus(), type: body.type, pointers: body.errors.map((e) => `${e.pointer} ${e.code}`) };
  }
  throw new Error('not refused');
}

describe('followUpPageQuery', () => {
  it('defaults to follow-ups due by today, 50 a page', () => {
    expect(followUpPageQuery({}, '2026-03-02')).toEqual({ due: '2026-03-02', limit: 50 });
  });

  it('reads due, limit and a cursor it gave', () => {
    const cursor = encodeFollowUpCursor({ dueOn: '2026-02-27', timerId: '42' });
    expect(followUpPageQuery({ due: '2026-02-28', limit: '2', cursor }, '2026-03-02')).toEqual({
      due: '2026-02-28',
      limit: 2,
      cursor: { dueOn: '2026-02-27', timerId: '42' },
    });
  });

  it.each(['soon', '2026-02-30', '2026-2-1', '2026-02-01T00:00:00Z', ''])('refuses due=%j naming /due', (due) => {
    expect(refusalOf(() => followUpPageQuery({ due }, '2026-03-02'))).toEqual({
      status: 400,
      type: '/v1/problems/invalid-query',
      pointers: ['/due format'],
    });
  });

  it('refuses a repeated due, a bad limit and a cursor it did not give, naming each', () => {
    const query = { due: ['2026-01-01', '2026-01-02'], limit: '0', cursor: 'bm90LWEtY3Vyc29y' };
    expect(refusalOf(() => followUpPageQuery(query, '2026-03-02')).pointers).toEqual([
      '/due type',
      '/limit maximum',
      '/cursor format',
    ]);
  });
});

describe('dates', () => {
  it('knows a calendar day', () => {
    expect(isCalendarDate('2024-02-29')).toBe(true);
    expect(isCalendarDate('2025-02-29')).toBe(false);
  });

  it('takes today in Ontario, not in UTC (02:00 UTC is still the day before in Toronto)', () => {
    expect(ontarioToday(new Date('2026-03-03T02:00:00Z'))).toBe('2026-03-02');
    expect(ontarioToday(new Date('2026-03-03T12:00:00Z'))).toBe('2026-03-03');
  });
});
