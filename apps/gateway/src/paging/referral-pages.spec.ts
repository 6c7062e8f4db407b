import { HttpException } from '@nestjs/common';
import { ReferralPageQueryPipe, ReferrerPageQueryPipe, encodeCursor, referralPageQuery } from './referral-pages';

/** The field errors of the 400 a query gets, or [] when it passes. */
function errorsOf(query: () => unknown): unknown[] {
  try {
    query();
    return [];
  } catch (error) {
    if (!(error instanceof HttpException)) throw error;
    return (error.getResponse() as { errors: unknown[] }).errors;
  }
}

describe('referral list queries', () => {
  it('takes the defaults, and every filter it knows', () => {
    expect(referralPageQuery({})).toEqual({ limit: 50 });
    const cursor = encodeCursor({ changedAt: '2025-09-18T10:15:00.123456Z', referralId: crypto.randomUUID() });
    expect(
      referralPageQuery(
        {
          status: 'accepted',
          updatedSince: '2025-09-18T06:00:00-04:00',
          sourceReferralId: 'SUD-REF-1',
          cursor,
          limit: '20',
        },
        { bySourceReferralId: true },
      ),
    ).toMatchObject({
      status: 'accepted',
      updatedSince: '2025-09-18T10:00:00.000Z',
      sourceReferralId: 'SUD-REF-1',
      cursor: { changedAt: '2025-09-18T10:15:00.123456Z' },
      limit: 20,
    });
  });

  it('finds by sourceReferralId only in a referrer’s list (a provider’s ignores it)', () => {
    const raw = { sourceReferralId: 'SUD-REF-2025-0917' };
    expect(new ReferrerPageQueryPipe().transform(raw)).toEqual({ sourceReferralId: 'SUD-REF-2025-0917', limit: 50 });
    expect(new ReferralPageQueryPipe().transform(raw)).toEqual({ limit: 50 });
  });

  it('names each bad parameter in one 400: a sourceReferralId that no record can have, or given twice', () => {
    const pipe = new ReferrerPageQueryPipe();
    expect(errorsOf(() => pipe.transform({ sourceReferralId: 'has space', status: 'lost', limit: '0' }))).toEqual([
      { pointer: '/status', code: 'enum', message: 'is not a referral status' },
      { pointer: '/sourceReferralId', code: 'pattern', message: 'is not a source referral id' },
      { pointer: '/limit', code: 'maximum', message: 'must be an integer from 1 to 200' },
    ]);
    for (const bad of ['', '-lead', 'x'.repeat(129), ['A-1', 'A-2']])
      expect(errorsOf(() => pipe.transform({ sourceReferralId: bad }))).toEqual([
        expect.objectContaining({ pointer: '/sourceReferralId' }),
      ]);
    expect(errorsOf(() => pipe.transform({ sourceReferralId: 'x'.repeat(128) }))).toEqual([]);
  });
});
