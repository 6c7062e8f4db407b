import { HttpException } from '@nestjs/common';
import { problem, refusal, statusTitle, validBody } from './problem';

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
    expect(bodyOf(refusal({ status: 409, detail: 'already withdrawn' }))).toMatchObject({
      status: 409,
      title: 'Conflict',
      detail: 'already withdrawn',
    });
  });

  it('returns a valid body, and refuses an invalid one with a 400 naming each field', () => {
    expect(
      validBody<{ reason: string }>('api/referral-cancel.json', { reason: 'moved' }, 'a cancellation needs its reason'),
    ).toEqual({ reason: 'moved' });
    let thrown: unknown;
    try {
      validBody('api/referral-cancel.json', { reason: '', extra: 1 }, 'a cancellation needs its reason');
    } catch (error) {
      thrown = error;
    }
    expect((thrown as HttpException).getStatus()).toBe(400);
    expect(bodyOf(thrown)).toMatchObject({ detail: 'a cancellation needs its reason' });
    expect((bodyOf(thrown) as { errors: Array<{ pointer: string }> }).errors.map((e) => e.pointer).sort()).toEqual([
      '/extra',
      '/reason',
    ]);
  });
});
