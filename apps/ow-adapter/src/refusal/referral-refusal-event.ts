/**
 * The `referral.refused` event of a record the adapter refused, when the record carries a
 * referral: the referrer was answered `202` for it and must learn of the refusal (DESIGN.md,
 * reliability rules). Pure: the same record, client and reason give the same event, id included.
 */
import { mapSourceCode } from '@passerelle/codes';
import type { CloudEvent, ContractEventType, Referral, ReferralRefusal } from '@passerelle/contracts';
import type { RefusalReason } from '@passerelle/lifecycle';
import { canonicalEvent } from '@passerelle/messaging';
import { canonicalConsentId, canonicalReferralId } from '@passerelle/translation';
import type { SourceView } from '../mapping';

export const REFERRAL_REFUSED_TYPE = 'ca.on.passerelle.referral.refused' satisfies ContractEventType;

/**
 * The refusal of the referral `view` carries (none if it carries none, or if even its program
 * has no canonical code: the gateway refuses such a record before its 202). Codes that do not map
 * are left out; the tracker needs them only for a referral it never saw.
 */
export function referralRefusalEvent(
  view: SourceView,
  clientId: string,
  reason: RefusalReason,
  /** The refused raw record's event: the cause of the refusal, and its correlation. */
  raw: { id: string; correlationid?: string },
): CloudEvent<ReferralRefusal> | undefined {
  const request = view.referralRequest;
  if (request === undefined) return undefined;
  const { system } = view.issuer;
  const program = mapSourceCode('programs', system, view.programCode);
  if (!program.ok) return undefined;
  const pathway = mapSourceCode('referral-pathways', system, request.pathwayCode);
  const service = mapSourceCode('service-types', system, request.serviceWantedCode);
  const referralId = canonicalReferralId(view.issuer, request.referralId);
  const data: ReferralRefusal = {
    referralId,
    clientId,
    referrer: view.org,
    sourceReferralId: request.referralId,
    program: program.code as ReferralRefusal['program'],
    source: { system, recordId: view.recordId, recordVersion: view.recordVersion, entryId: request.referralId },
    ...(pathway.ok && { pathway: pathway.code as Referral['pathway'] }),
    ...(service.ok && { serviceWanted: service.code as Referral['serviceWanted'] }),
    consentId: canonicalConsentId(view.issuer, request.consentId),
    requestedAt: request.requestedAt,
    reason,
    occurredAt: view.recordedAt,
  };
  return canonicalEvent({
    type: REFERRAL_REFUSED_TYPE,
    id: { sourceSystem: `${system}:${view.issuer.orgCode}`, recordId: view.recordId, version: view.recordVersion },
    source: view.ceSource,
    time: view.recordedAt,
    subject: referralId,
    correlationid: raw.correlationid ?? raw.id,
    causationid: raw.id,
    partitionkey: clientId,
    data,
  });
}
