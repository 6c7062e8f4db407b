import { schemaRegistry, type FieldError, type OwCaseRecord } from '@passerelle/contracts';
import { encodeCloudEvent, type EventPublisher } from '@passerelle/messaging';
import type { AnswerEffects } from '@passerelle/persistence';
import { canonicalReferralId } from '@passerelle/translation';
import { caseRecordEvent, OW_CASE_RECORD_SCHEMA_ID } from '../ingest/case-record-ingest';
import { unmappedCodeErrors } from '../ingest/received-record';
import { pendingStatus, type ReferralStatus } from './referral-status';

export type SubmissionResult =
  /** `effects`: the submission row and audit entry, to commit with the request's kept answer. */
  | { ok: true; status: ReferralStatus; effects: AnswerEffects }
  | { ok: false; status: 400 | 403; detail: string; errors: FieldError[] };

/**
 * `POST /v1/referrals`: a delivery agent's case record carrying a referral request. Checked as
 * the adapter will check it (source schema, every source code mapped), produced to
 * `ow.case-records.v1` with acks=all, then recorded as submitted: only then is it `202`.
 */
export class SubmitReferral {
  constructor(
    private readonly publisher: EventPublisher,
    private readonly topic: string,
  ) {}

  async submit(body: unknown, org: string, subject: string): Promise<SubmissionResult> {
    const validation = schemaRegistry().validate<OwCaseRecord>(OW_CASE_RECORD_SCHEMA_ID, body);
    if (!validation.ok)
      return {
        ok: false,
        status: 400,
        detail: 'the case record does not match sources/ow-case-record.json',
        errors: validation.errors,
      };
    const record = validation.value;
    if (record.referralRequest === undefined) {
      return {
        ok: false,
        status: 400,
        detail: 'a referral needs its referralRequest',
        errors: [{ pointer: '/referralRequest', code: 'required', message: 'is required to submit a referral' }],
      };
    }
    const unmapped = unmappedCodeErrors(OW_CASE_RECORD_SCHEMA_ID, record);
    if (unmapped.length > 0)
      return { ok: false, status: 400, detail: 'some source codes have no canonical mapping', errors: unmapped };
    const agent = org.slice('ow:'.length);
    if (record.deliveryAgent.code !== agent) {
      return {
        ok: false,
        status: 403,
        detail: `${org} may refer only its own clients`,
        errors: [{ pointer: '/deliveryAgent/code', code: 'other-delivery-agent', message: `is not ${agent}` }],
      };
    }
    const referralId = canonicalReferralId({ system: 'sams', orgCode: agent }, record.referralRequest.referralId);
    const event = caseRecordEvent(record);
    // Kafka first (acks=all); the caller then commits the answer with the submission row and
    // audit entry: a 202 means all are durable.
    await this.publisher.send(this.topic, [encodeCloudEvent(event)]);
    return {
      ok: true,
      status: pendingStatus(referralId, record.referralRequest.referralId, org as ReferralStatus['referrer']),
      effects: {
        referralSubmissions: [
          {
            referral_id: referralId,
            referrer: org,
            source_referral_id: record.referralRequest.referralId,
            event_id: event.id,
          },
        ],
        audit: [{ org, subject, action: 'write', resource: `referral/${referralId}`, purpose: 'referral' }],
      },
    };
  }
}
