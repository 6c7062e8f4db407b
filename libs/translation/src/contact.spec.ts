import { schemaRegistry, schemaIdForPath } from '@passerelle/contracts';
import fc from 'fast-check';
import { canonicalContact, normalizePostalCode, phoneToE164 } from './contact';

const CANONICAL_PHONE = /^\+1[2-9][0-9]{2}[2-9][0-9]{6}$/;
const SOURCE_PHONE = /^(\+?1[ .-]?)?(\([2-9][0-9]{2}\)|[2-9][0-9]{2})[ .-]?[2-9][0-9]{2}[ .-]?[0-9]{4}$/;
const SOURCE_POSTAL = /^[ABCEGHJ-NPRSTVXY][0-9][ABCEGHJ-NPRSTV-Z] ?[0-9][ABCEGHJ-NPRSTV-Z][0-9]$/;

describe('phoneToE164', () => {
  it.each([
    ['416-555-0134', '+14165550134'],
    ['(705) 555 0199', '+17055550199'],
    ['(705) 555-0199', '+17055550199'],
    ['+1 613.555.0102', '+16135550102'],
    ['+1 807.555.0142', '+18075550142'],
    ['1 905 555 0177', '+19055550177'],
    ['9055550177', '+19055550177'],
  ])('%s -> %s', (source, e164) => expect(phoneToE164(source)).toBe(e164));

  it('turns every phone the source schema allows into the canonical E.164 form', () => {
    fc.assert(
      fc.property(fc.stringMatching(SOURCE_PHONE), (phone) => expect(phoneToE164(phone)).toMatch(CANONICAL_PHONE)),
      { numRuns: 500 },
    );
  });

  it('refuses what is not a North American number rather than guessing', () => {
    expect(() => phoneToE164('555-0134')).toThrow(/not a North American phone number/);
    expect(() => phoneToE164('+44 20 7946 0958')).toThrow(/not a North American phone number/);
  });
});

describe('normalizePostalCode', () => {
  it.each([
    ['P3C 1A1', 'P3C 1A1'],
    ['M1R3A5', 'M1R 3A5'],
    ['k1a 0b1', 'K1A 0B1'],
  ])('%s -> %s', (source, canonical) => expect(normalizePostalCode(source)).toBe(canonical));

  it('gives the canonical form for every postal code the source schema allows, idempotently', () => {
    fc.assert(
      fc.property(fc.stringMatching(SOURCE_POSTAL), (code) => {
        const canonical = normalizePostalCode(code);
        expect(canonical).toMatch(/^[ABCEGHJ-NPRSTVXY][0-9][ABCEGHJ-NPRSTV-Z] [0-9][ABCEGHJ-NPRSTV-Z][0-9]$/);
        expect(normalizePostalCode(canonical)).toBe(canonical);
      }),
      { numRuns: 300 },
    );
  });
});

describe('canonicalContact', () => {
  it('normalizes phone and postal code, keeps the rest as written, leaves absent members absent', () => {
    const contact = canonicalContact({
      phone: '(705) 555 0199',
      address: { line1: '12, rue Sainte-Anne', city: 'Trois-Rivières', province: 'QC', postalCode: 'G9A5H3' },
    });
    expect(contact).toEqual({
      phone: '+17055550199',
      address: { line1: '12, rue Sainte-Anne', city: 'Trois-Rivières', province: 'QC', postalCode: 'G9A 5H3' },
    });
    expect(schemaRegistry().validate(schemaIdForPath('canonical/contact.json'), contact).ok).toBe(true);
    expect(canonicalContact({})).toEqual({});
  });
});
