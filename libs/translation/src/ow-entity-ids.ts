/**
 * Deterministic canonical entity ids (RFC 9562 v5 UUIDs) for what OW and ODSP records carry.
 * Two lifetimes, as the canonical schemas describe them:
 * - stable ids (referral, consent, benefit, employment spell) come from the source entry id
 *   alone, so every version of the record, and every other component deriving them (the
 *   gateway answering `POST /v1/referrals`), names the same entity;
 * - occurrence ids (service event, outcome) also include the record id and version ("derived
 *   from its source record, version and entry").
 * The issuing organization is part of every name: a source entry id is unique only within the
 * delivery agent or office that made it.
 */
import { nameBasedUuid, unambiguousName } from '@passerelle/contracts';

/** UUID namespace of the OW adapter's entity ids (a fixed random v4: never change it, ids would change). */
const OW_ENTITY_NAMESPACE = Buffer.from('c3a1e7d25b8f4a06b9e4d17f2a6c8e31', 'hex');

/** Who issued a source entry: the source system and the organization's code (`sams` + `toronto`, `odsp` + `central`). */
export interface EntryIssuer {
  readonly system: 'sams' | 'odsp';
  readonly orgCode: string;
}

export type StableEntity = 'referral' | 'consent' | 'benefit' | 'employment';

/** Id of an entity that keeps its identity across record versions. */
export function stableEntityId(issuer: EntryIssuer, entity: StableEntity, entryId: string): string {
  return nameBasedUuid(OW_ENTITY_NAMESPACE, unambiguousName([issuer.system, issuer.orgCode, entity, entryId]));
}

/** Id of an entity that is one occurrence in one record version (a service event, an outcome). */
export function occurrenceEntityId(
  issuer: EntryIssuer,
  recordId: string,
  recordVersion: number,
  kind: string,
  entryId: string,
): string {
  return nameBasedUuid(
    OW_ENTITY_NAMESPACE,
    unambiguousName([issuer.system, issuer.orgCode, recordId, recordVersion, kind, entryId]),
  );
}

/** Canonical `referralId` of a referral an OW delivery agent (`sams`) or ODSP office (`odsp`) made with its own id. */
export function canonicalReferralId(issuer: EntryIssuer, sourceReferralId: string): string {
  return stableEntityId(issuer, 'referral', sourceReferralId);
}

/** Canonical `consentId` of a consent recorded by an OW delivery agent or ODSP office. */
export function canonicalConsentId(issuer: EntryIssuer, sourceConsentId: string): string {
  return stableEntityId(issuer, 'consent', sourceConsentId);
}
