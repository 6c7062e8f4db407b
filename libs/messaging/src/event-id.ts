import { nameBasedUuid, unambiguousName } from '@passerelle/contracts';

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
  return nameBasedUuid(
    PASSERELLE_NAMESPACE,
    unambiguousName([parts.sourceSystem, parts.recordId, parts.version, parts.type]),
  );
}
