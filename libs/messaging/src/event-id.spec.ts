import fc from 'fast-check';
import { deterministicEventId, type EventIdParts } from './event-id';

const parts: fc.Arbitrary<EventIdParts> = fc.record({
  sourceSystem: fc.string({ maxLength: 20 }),
  recordId: fc.string({ maxLength: 20 }),
  version: fc.oneof(fc.nat(), fc.string({ maxLength: 10 })),
  type: fc.string({ maxLength: 30 }),
});

describe('deterministicEventId', () => {
  it('gives the same RFC 9562 version-5 UUID for the same source record version', () => {
    fc.assert(
      fc.property(parts, (p) => {
        const id = deterministicEventId(p);
        expect(deterministicEventId({ ...p })).toBe(id);
        expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      }),
    );
  });

  it('gives different ids when any part differs, even when parts could be re-split', () => {
    fc.assert(
      fc.property(parts, parts, (a, b) => {
        fc.pre(
          JSON.stringify([a.sourceSystem, a.recordId, String(a.version), a.type]) !==
            JSON.stringify([b.sourceSystem, b.recordId, String(b.version), b.type]),
        );
        expect(deterministicEventId(a)).not.toBe(deterministicEventId(b));
      }),
    );
    const base = { version: 1, type: 't' };
    expect(deterministicEventId({ ...base, sourceSystem: 'a|b', recordId: 'c' })).not.toBe(
      deterministicEventId({ ...base, sourceSystem: 'a', recordId: 'b|c' }),
    );
  });

  it('is pinned: a changed namespace or algorithm would re-identify every event ever emitted', () => {
    expect(
      deterministicEventId({
        sourceSystem: 'sams:toronto',
        recordId: 'M-1',
        version: 3,
        type: 'ca.on.passerelle.referral.submitted',
      }),
    ).toMatchInlineSnapshot(`"8d119e39-5747-5ae0-b66e-77af58c9860d"`);
  });
});
