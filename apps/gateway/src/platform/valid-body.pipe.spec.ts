import type { HttpException } from '@nestjs/common';
import { ValidBodyPipe } from './valid-body.pipe';

const bodyOf = (error: unknown) => (error as HttpException).getResponse();
const cancellation = new ValidBodyPipe<{ reason: string }>(
  'api/referral-cancel.json',
  'a cancellation needs its reason',
);

describe('ValidBodyPipe', () => {
  it('returns a valid body, and refuses an invalid one with a 400 naming each field', () => {
    expect(cancellation.transform({ reason: 'moved' })).toEqual({ reason: 'moved' });
    let thrown: unknown;
    try {
      cancellation.transform({ reason: '', extra: 1 });
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
