/**
 * The mapping both OW (SAMS) case records and ODSP employment records go through. The two
 * source schemas share every part (`$ref`s to the same files) except the organization, the
 * deferrals (OW only) and the outcome list (`outcomes` / ODSP `milestones`), so each record is
 * first read into a `SourceView` (./ow-case-record.mapping.ts, ./odsp-employment-record.mapping.ts)
 * and mapped here once. Pure: the same view and context always give the same events, ids
 * included; no clock, no randomness, no I/O (code tables are read once from schemas/ by
 * @passerelle/codes).
 */
import { unmappedSourceCodes } from '@passerelle/codes';
import type { Client, Consent, MappingContext, MappingResult, Referral } from '@passerelle/contracts';
import { SourceCodeMapper, canonicalContact, canonicalConsentId, canonicalReferralId } from '@passerelle/translation';
import { OW_EVENT_KINDS } from './event-kinds';
import { mapOutcomes } from './outcomes.mapping';
import { mapActivities, mapBenefits, mapDeferrals, mapExit, mapPlan, mapPlanEnd } from './participation.mapping';
import { OwRecordEvents, type Common, type Program, type SourceView } from './source-view';

export type { SourceView } from './source-view';

/**
 * Maps a record read into `view` to its canonical events, or says why it cannot: source codes
 * with no canonical mapping (checked first, each reason naming the field and the code), entry
 * ids repeated inside one list (they would give two events one `ce_id`), or a referral naming a
 * consent the record does not hold.
 */
export function mapSourceView(view: SourceView, context: MappingContext): MappingResult {
  const unmapped = unmappedSourceCodes(view.schemaId, view.record);
  if (unmapped.length > 0) return { ok: false, reasons: unmapped.map((u) => u.reason) };
  const inconsistent = consistencyProblems(view);
  if (inconsistent.length > 0) return { ok: false, reasons: inconsistent };

  const codes = new SourceCodeMapper(view.issuer.system);
  const out = new OwRecordEvents(view, context);
  const program = codes.map<Program>('programs', '/programCode', view.programCode);
  const common: Common = { clientId: context.clientId, program };
  const personal = canonicalPersonal(view);

  mapClient(out, program, personal);
  mapConsentsAndReferral(out, codes, common, personal);
  mapPlan(out, codes, common);
  mapActivities(out, codes, common);
  mapDeferrals(out, codes, common);
  mapBenefits(out, codes, common);
  mapPlanEnd(out, codes, common);
  mapExit(out, codes, common);
  mapOutcomes(out, codes, common);

  if (codes.reasons.length > 0) return { ok: false, reasons: codes.reasons };
  return { ok: true, events: out.events };
}

/** The words of each consistency problem: the refusal of the referral (../refusal) reads its code from them. */
export const REPEATED_ENTRY_ID = '(entry ids must be unique in a record)';
export const CONSENT_NOT_IN_RECORD = 'is not the consentId of any consent in /consents';

/** Repeated entry ids in one list, and a referral whose `consentId` is not among the record's consents. */
function consistencyProblems(view: SourceView): string[] {
  const problems: string[] = [];
  const unique = <T>(pointer: string, entries: readonly T[], idOf: (entry: T) => string, idName: string): void => {
    const first = new Map<string, number>();
    entries.forEach((entry, i) => {
      const id = idOf(entry);
      const seen = first.get(id);
      if (seen === undefined) first.set(id, i);
      else
        problems.push(`${pointer}/${i}/${idName}: "${id}" repeats ${pointer}/${seen}/${idName} ${REPEATED_ENTRY_ID}`);
    });
  };
  unique('/activities', view.activities, (a) => a.activityId, 'activityId');
  unique('/deferrals', view.deferrals, (d) => d.deferralId, 'deferralId');
  unique('/benefitsIssued', view.benefits, (b) => b.benefitId, 'benefitId');
  unique('/consents', view.consents, (c) => c.consentId, 'consentId');
  unique(view.outcomes.pointer, view.outcomes.values, (o) => o.outcomeId, 'outcomeId');
  const referral = view.referralRequest;
  if (referral !== undefined && !view.consents.some((c) => c.consentId === referral.consentId)) {
    problems.push(
      `/referralRequest/consentId: "${referral.consentId}" ${CONSENT_NOT_IN_RECORD} (the referral needs the consent covering it)`,
    );
  }
  return problems;
}

/** The person as the canonical `personal` member holds it: names as written, contact normalized, the member id as a link. */
function canonicalPersonal(view: SourceView): Client['personal'] {
  const { personal, issuer, recordedAt } = view;
  return {
    name: { ...personal.name },
    birthDate: personal.birthDate,
    ...(personal.preferredLanguage !== undefined && { preferredLanguage: personal.preferredLanguage }),
    ...(personal.contact !== undefined && { contact: canonicalContact(personal.contact) }),
    links: [{ system: issuer.system, sourceId: personal.memberId, linkedAt: recordedAt }],
  };
}

/**
 * `client.linked` for the first version of a record (its member id becomes a link of the client),
 * `client.updated` for every later version (identity and contact as the source now holds them).
 * Whether a link is new to Passerelle only the identity registry knows, not this pure mapping.
 */
function mapClient(out: OwRecordEvents, program: Program, personal: Client['personal']): void {
  const { view, context } = out;
  const data: Client = {
    clientId: context.clientId,
    program,
    source: out.source(),
    personal,
    updatedAt: view.recordedAt,
  };
  out.add(
    view.recordVersion === 1 ? OW_EVENT_KINDS.clientLinked : OW_EVENT_KINDS.clientUpdated,
    context.clientId,
    data,
  );
}

/**
 * Consents and the referral request, on `referrals.v1` in this order: `consent.granted` for every
 * consent of the record (each was granted; a withdrawn one too, without `withdrawnAt`), then
 * `referral.submitted` (status `requested`, business status `created`), then `consent.withdrawn`
 * for every withdrawn consent. A consumer meeting the record for the first time thus sees the
 * consent, the referral it covers, and the withdrawal that cancels it, in that order.
 */
function mapConsentsAndReferral(
  out: OwRecordEvents,
  codes: SourceCodeMapper,
  common: Common,
  personal: Client['personal'],
): void {
  const { view } = out;
  const consents = view.consents.map((c, i): Consent => ({
    consentId: canonicalConsentId(view.issuer, c.consentId),
    ...common,
    source: out.source(c.consentId),
    grantedBy: view.org,
    purpose: codes.map('consent-purposes', `/consents/${i}/purposeCode`, c.purposeCode),
    recipients: [...c.recipients],
    grantedAt: c.grantedAt,
    ...(c.expiresOn !== undefined && { expiresOn: c.expiresOn }),
  }));
  consents.forEach((data, i) =>
    out.add(OW_EVENT_KINDS.consentGranted, data.consentId, data, view.consents[i].consentId),
  );

  const request = view.referralRequest;
  if (request !== undefined) {
    const referralId = canonicalReferralId(view.issuer, request.referralId);
    const data: Referral = {
      referralId,
      ...common,
      source: out.source(request.referralId),
      referrer: view.org,
      sourceReferralId: request.referralId,
      pathway: codes.map('referral-pathways', '/referralRequest/pathwayCode', request.pathwayCode),
      serviceWanted: codes.map('service-types', '/referralRequest/serviceWantedCode', request.serviceWantedCode),
      ...(request.preferredProviderId !== undefined && { preferredProvider: request.preferredProviderId }),
      consentId: canonicalConsentId(view.issuer, request.consentId),
      status: 'requested',
      businessStatus: 'created',
      requestedAt: request.requestedAt,
      updatedAt: request.requestedAt,
      personal: { ...personal, ...(request.notes !== undefined && { notes: request.notes }) },
    };
    out.add(OW_EVENT_KINDS.referralSubmitted, referralId, data);
  }

  view.consents.forEach((c, i) => {
    if (c.withdrawnAt === undefined) return;
    const data: Consent = { ...consents[i], withdrawnAt: c.withdrawnAt };
    out.add(OW_EVENT_KINDS.consentWithdrawn, data.consentId, data, c.consentId);
  });
}
