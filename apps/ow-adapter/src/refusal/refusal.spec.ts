import { schemaRegistry, type MappingResult, type OwCaseRecord } from '@passerelle/contracts';
import { TranslationErrorCode } from '@passerelle/translation';
import { baseContext, validFixtures } from '../../../../test/support/source-mapping';
import { canonicalConsentId, canonicalReferralId, mapOwCaseRecord, owCaseRecordView } from '../mapping';
import { REFERRAL_REFUSED_TYPE, referralRefusalEvent } from './referral-refusal-event';
import { REFERRAL_REFUSED, refusalReasonOf } from './refusal-reason';

const fixture = (): OwCaseRecord =>
  structuredClone(validFixtures('ow-case-record').find((f) => f.name === 'eloise-cote-tremblay-referral')!.record);
/** The reasons the real mapping gives for `record`: the classification reads exactly these. */
const reasonsOf = (record: OwCaseRecord): string[] => {
  const result: MappingResult = mapOwCaseRecord(record, baseContext);
  if (result.ok) throw new Error('the mapping took the record');
  return result.reasons;
};
const refused = TranslationErrorCode.MappingRefused;
const CLIENT = '0f8fad5b-d9cb-469f-a165-70867728950e';
const RAW = { id: '1b4e28ba-2fa1-4d3b-a3f5-ef19b5a7633b' };

describe('refusalReasonOf', () => {
  it('names a consent missing from the record, with its field', () => {
    const record = fixture();
    record.referralRequest!.consentId = 'CON-0000';
    expect(refusalReasonOf(refused, reasonsOf(record))).toEqual({
      code: 'CONSENT_NOT_FOUND',
      field: '/referralRequest/consentId',
      message: expect.stringContaining('"CON-0000" is not the consentId of any consent in /consents') as string,
    });
  });

  it('names the first repeated entry id, and keeps the others in the message', () => {
    const record = fixture();
    record.activities![2].activityId = 'ACT-77812';
    record.benefitsIssued![1].benefitId = 'BEN-90011';
    const reason = refusalReasonOf(refused, reasonsOf(record));
    expect(reason).toMatchObject({ code: 'DUPLICATE_ENTRY_ID', field: '/activities/2/activityId' });
    expect(reason.message).toMatch(/\(and 1 more: \/benefitsIssued\/1\/benefitId: /);
  });

  it('names a source code with no canonical mapping', () => {
    const record = fixture();
    record.referralRequest!.pathwayCode = 'ZZ';
    expect(refusalReasonOf(refused, reasonsOf(record))).toMatchObject({
      code: 'UNMAPPED_SOURCE_CODE',
      field: '/referralRequest/pathwayCode',
    });
  });

  it('gives the general code to a reason of a kind it does not know, or to another refusal than the mapping', () => {
    expect(refusalReasonOf(refused, ['/exit/exitDate: comes before /participationPlan/startDate'])).toEqual({
      code: REFERRAL_REFUSED,
      field: '/exit/exitDate',
      message: '/exit/exitDate: comes before /participationPlan/startDate',
    });
    expect(
      refusalReasonOf(TranslationErrorCode.CanonicalViolation, ['ca.on.passerelle.referral.submitted /x: bad']),
    ).toEqual({
      code: REFERRAL_REFUSED,
      message: 'ca.on.passerelle.referral.submitted /x: bad',
    });
    // No reason at all: the error code is all there is to say.
    expect(refusalReasonOf(refused, [])).toEqual({ code: REFERRAL_REFUSED, message: refused });
  });

  it('keeps the message within what the event carries', () => {
    const reason = refusalReasonOf(refused, [`/activities/0/activityId: ${'x'.repeat(5000)}`]);
    expect(reason.message).toHaveLength(2000);
  });
});

describe('referralRefusalEvent', () => {
  const reason = { code: 'CONSENT_NOT_FOUND', field: '/referralRequest/consentId', message: 'not in /consents' };

  it('describes the refused referral by the ids the 202 gave, valid against its schema, with no personal data', () => {
    const record = fixture();
    record.referralRequest!.consentId = 'CON-0000';
    const event = referralRefusalEvent(owCaseRecordView(record), CLIENT, reason, RAW)!;
    const issuer = { system: 'sams' as const, orgCode: record.deliveryAgent.code };
    expect(event).toMatchObject({
      type: REFERRAL_REFUSED_TYPE,
      subject: canonicalReferralId(issuer, record.referralRequest!.referralId),
      partitionkey: CLIENT,
      causationid: RAW.id,
      correlationid: RAW.id,
      data: {
        referralId: canonicalReferralId(issuer, record.referralRequest!.referralId),
        clientId: CLIENT,
        referrer: `ow:${record.deliveryAgent.code}`,
        sourceReferralId: record.referralRequest!.referralId,
        program: 'OW',
        pathway: 'caseworker',
        serviceWanted: 'employment-services',
        consentId: canonicalConsentId(issuer, 'CON-0000'),
        reason,
        occurredAt: record.recordedAt,
      },
    });
    expect(schemaRegistry().validate(event.dataschema!, event.data)).toMatchObject({ ok: true });
    expect(JSON.stringify(event)).not.toContain(record.personal.memberId);
    expect(JSON.stringify(event)).not.toContain(record.personal.name.familyName);
    // Deterministic: the same refusal of the same record has the same id (consumers deduplicate on it).
    expect(referralRefusalEvent(owCaseRecordView(structuredClone(record)), CLIENT, reason, RAW)!.id).toBe(event.id);
  });

  it('leaves out the codes that do not map, and has nothing to say of a record without a referral', () => {
    const record = fixture();
    record.referralRequest!.pathwayCode = 'ZZ';
    const event = referralRefusalEvent(owCaseRecordView(record), CLIENT, reason, RAW)!;
    expect(event.data).not.toHaveProperty('pathway');
    expect(schemaRegistry().validate(event.dataschema!, event.data)).toMatchObject({ ok: true });
    delete record.referralRequest;
    expect(referralRefusalEvent(owCaseRecordView(record), CLIENT, reason, RAW)).toBeUndefined();
  });
});
