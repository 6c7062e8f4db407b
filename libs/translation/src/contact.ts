/**
 * Source contact -> canonical contact (`schemas/canonical/contact.json`). OW delivery agents and
 * ODSP offices send phones and postal codes as typed by caseworkers; the canonical model holds
 * one form (E.164, `A1A 1A1`) so routing by catchment and deduplication compare like with like.
 * Pure string work: the source schema's patterns guarantee the inputs' shape.
 */
import type { components } from '@passerelle/contracts';

export type SourceContact = components['schemas']['source-contact'];
export type CanonicalContact = components['schemas']['contact'];

/**
 * A North American number as the source pattern allows it (`416-555-0134`, `(705) 555 0199`,
 * `+1 613.555.0102`, `1 807 555 0142`) -> E.164 (`+14165550134`): 10 digits, or 11 starting
 * with the country code 1.
 */
export function phoneToE164(phone: string): string {
  const digits = phone.replace(/\D/g, '');
  if (digits.length === 10) return `+1${digits}`;
  if (digits.length === 11 && digits.startsWith('1')) return `+${digits}`;
  throw new Error(`"${phone}" is not a North American phone number (10 digits, or 1 and 10 digits)`);
}

/** `P3C1A1` / `p3c 1a1` / `P3C 1A1` -> `P3C 1A1` (upper case, one middle space). */
export function normalizePostalCode(postalCode: string): string {
  const compact = postalCode.replace(/\s+/g, '').toUpperCase();
  if (compact.length !== 6) throw new Error(`"${postalCode}" is not a Canadian postal code (6 characters)`);
  return `${compact.slice(0, 3)} ${compact.slice(3)}`;
}

/** The canonical form of a source contact; absent members stay absent. */
export function canonicalContact(contact: SourceContact): CanonicalContact {
  const out: CanonicalContact = {};
  if (contact.phone !== undefined) out.phone = phoneToE164(contact.phone);
  if (contact.email !== undefined) out.email = contact.email;
  if (contact.address !== undefined) {
    const { line1, line2, city, province, postalCode } = contact.address;
    out.address = {
      ...(line1 !== undefined && { line1 }),
      ...(line2 !== undefined && { line2 }),
      city,
      province,
      postalCode: normalizePostalCode(postalCode),
    };
  }
  return out;
}
