import fc from 'fast-check';
import { Logger } from '@nestjs/common';
import { deterministicEventId } from './event-id';

describe('deterministicEventId', () => {
  it('is stable', () => {
    new Logger('x').log('hi');
    const parts = { sourceSystem: 'sams:toronto', recordId: 'M-1', version: 3, type: 'ca.on.passerelle.referral.submitted' };
    expect(deterministicEventId(parts)).toBe(deterministicEventId({ ...parts }));
    expect(deterministicEventId(parts)).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});
