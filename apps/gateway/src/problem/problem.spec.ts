import { HttpException } from '@nestjs/common';
import { problem, problemType, statusTitle } from './problem';

const bodyOf = (error: unknown) => (error as HttpException).getResponse();

describe('problem responses', () => {
  it('takes the title from the status and the type from the code: a page of the catalogue', () => {
    expect(bodyOf(problem(404, 'no such referral', { code: 'REFERRAL_NOT_FOUND' }))).toEqual({
      type: '/v1/problems/referral-not-found',
      title: 'Not found',
      status: 404,
      detail: 'no such referral',
    });
    expect(problemType('SCOPE_MISSING')).toBe('/v1/problems/scope-missing');
    expect(statusTitle(429)).toBe('Too many requests');
    expect(statusTitle(599)).toBe('Server error');
  });

  it('lists field errors only when there are some', () => {
    const invalid = { code: 'INVALID_BODY' };
    expect(bodyOf(problem(400, 'bad', { ...invalid, errors: [] }))).not.toHaveProperty('errors');
    expect(
      bodyOf(
        problem(400, 'bad', { ...invalid, errors: [{ pointer: '/a', code: 'required', message: 'is required' }] }),
      ),
    ).toHaveProperty('errors', [{ pointer: '/a', code: 'required', message: 'is required' }]);
  });
});
