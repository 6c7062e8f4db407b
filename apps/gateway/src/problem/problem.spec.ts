import { HttpException } from '@nestjs/common';
import { problem, statusTitle } from './problem';

const bodyOf = (error: unknown) => (error as HttpException).getResponse();

describe('problem responses', () => {
  it('takes the title from the status and the type from a module error code', () => {
    expect(bodyOf(problem(404, 'no such referral'))).toEqual({
      type: 'about:blank',
      title: 'Not found',
      status: 404,
      detail: 'no such referral',
    });
    expect(bodyOf(problem(403, 'the token lacks the scope x', { code: 'SCOPE_MISSING' }))).toMatchObject({
      type: 'https://schemas.passerelle.ontario.ca/problems/scope-missing',
      title: 'Forbidden',
    });
    expect(statusTitle(429)).toBe('Too many requests');
    expect(statusTitle(599)).toBe('Server error');
  });

  it('lists field errors only when there are some', () => {
    expect(bodyOf(problem(400, 'bad', { errors: [] }))).not.toHaveProperty('errors');
    expect(
      bodyOf(problem(400, 'bad', { errors: [{ pointer: '/a', code: 'required', message: 'is required' }] })),
    ).toHaveProperty('errors', [{ pointer: '/a', code: 'required', message: 'is required' }]);
    expect(bodyOf(problem(409, 'already withdrawn'))).toMatchObject({
      status: 409,
      title: 'Conflict',
      detail: 'already withdrawn',
    });
  });
});
