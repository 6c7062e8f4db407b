import { Injectable } from '@nestjs/common';
import type { Principal } from '@passerelle/auth';
import { schemaRegistry, type OwCaseRecord } from '@passerelle/contracts';
import { EventPublisher, TopicNames, encodeCloudEvent } from '@passerelle/messaging';
import { canonicalReferralId } from '@passerelle/translation';
import { IdempotentAnswer } from '../idempotency/idempotent-answer';
import { caseRecordEvent, OW_CASE_RECORD_SCHEMA_ID } from '../ingest/case-record-ingest';
import { unmappedCodeErrors } from '../ingest/received-record';
import { problem } from '../problem/problem';
import { pendingStatus, type ReferralStatus } from './referral-status';
import { PlatformErrorCode } from '../platform/platform.error';
import { ReferralErrorCode } from './referral.error';

/**
 * `POST /v1/referrals`: a delivery agent's case record carrying a referral request. Checked as
 * the adapter will check it (source schema, every source code mapped), produced to
 * `ow.case-records.v1` with acks=all, then recorded as submitted: only then is it `202`.
 */
@Injectable()
export class SubmitReferral {
  private readonly topic: string;

  constructor(
    private readonly publisher: EventPublisher,
    topics: TopicNames,
  ) {
    this.topic = topics.of('ow.case-records.v1');
  }

  async execute(caller: Principal, body: unknown): Promise<IdempotentAnswer<ReferralStatus>> {
    const { org, subject } = caller;
    const record = referralRecord(body, org);
    const { referralRequest } = record;
    const agent = record.deliveryAgent.code;
    const referralId = canonicalReferralId({ system: 'sams', orgCode: agent }, referralRequest.referralId);
    const event = caseRecordEvent(record);
    // Kafka first (acks=all); the interceptor then commits the answer with the submission row and
    // audit entry: a 202 means all are durable.
    await this.publisher.send(this.topic, [encodeCloudEvent(event)]);
    const status = pendingStatus(referralId, referralRequest.referralId, org);
    return new IdempotentAnswer(status, {
      headers: { location: status.links.self },
      effects: {
        referralSubmissions: [
          {
            referral_id: referralId,
            referrer: org,
            source_referral_id: referralRequest.referralId,
            event_id: event.id,
          },
        ],
        audit: [{ org, subject, action: 'write', resource: `referral/${referralId}`, purpose: 'referral' }],
      },
    });
  }
}

/** A case record that carries a referral request. */
type ReferralRecord = OwCaseRecord & { referralRequest: NonNullable<OwCaseRecord['referralRequest']> };

/** The case record, if it is one `org` may submit as a referral (else a `400` or `403` naming the fields). */
function referralRecord(body: unknown, org: string): ReferralRecord {
  const validation = schemaRegistry().validate<OwCaseRecord>(OW_CASE_RECORD_SCHEMA_ID, body);
  if (!validation.ok)
    throw problem(400, 'the case record does not match sources/ow-case-record.json', {
      code: PlatformErrorCode.InvalidBody,
      errors: validation.errors,
    });
  const record = validation.value;
  if (!hasReferralRequest(record)) {
    throw problem(400, 'a referral needs its referralRequest', {
      code: PlatformErrorCode.InvalidBody,
      errors: [{ pointer: '/referralRequest', code: 'required', message: 'is required to submit a referral' }],
    });
  }
  const unmapped = unmappedCodeErrors(OW_CASE_RECORD_SCHEMA_ID, record);
  if (unmapped.length > 0)
    throw problem(400, 'some source codes have no canonical mapping', {
      code: ReferralErrorCode.UnmappedSourceCode,
      errors: unmapped,
    });
  const agent = org.slice('ow:'.length);
  if (record.deliveryAgent.code !== agent) {
    throw problem(403, `${org} may refer only its own clients`, {
      code: ReferralErrorCode.OtherDeliveryAgent,
      errors: [{ pointer: '/deliveryAgent/code', code: 'other-delivery-agent', message: `is not ${agent}` }],
    });
  }
  return record;
}

function hasReferralRequest(record: OwCaseRecord): record is ReferralRecord {
  return record.referralRequest !== undefined;
}
