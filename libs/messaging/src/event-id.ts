import { createHash } from 'node:crypto';

/** UUID namespace of Passerelle event ids (a fixed random v4, never change it: ids would change). */
const PASSERELLE_NAMESPACE = Buffer.from('4f9c6c1e8d2a4b7e9a53c0d1e2f3a4b5', 'hex');

export interface EventIdParts {
  /** The system the record came from, e.g. `sams:toronto`, `cams`, `passerelle:referral-tracker`. */
  sourceSystem: string;
  /** The source record's own id. */
  recordId: string;
  /** The source record's version (revision, update timestamp or sequence). */
  version: string | number;
  /** One source record may yield several events: the type keeps their ids apart. */
  type: string;
}

/**
 * Deterministic event id (RFC 9562 UUID version 5 over the parts): reprocessing the same source
 * record version yields the same `ce_id`, so every consumer can deduplicate on it.
 */
export function deterministicEventId(parts: EventIdParts): string {
  const name = [parts.sourceSystem, parts.recordId, String(parts.version), parts.type]
    .map((p) => `${p.length}:${p}`) // length-prefixed so ("a|b","c") never collides with ("a","b|c")
    .join('|');
  const hash = createHash('sha1').update(PASSERELLE_NAMESPACE).update(name, 'utf8').digest();
  const bytes = hash.subarray(0, 16);
  bytes[6] = (bytes[6] & 0x0f) | 0x50;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
