import { Inject, Injectable } from '@nestjs/common';
import type { Principal } from '@passerelle/auth';
import { schemaIdForPath, schemaRegistry, type OdspEmploymentRecord, type OwCaseRecord } from '@passerelle/contracts';
import { TopicNames, encodeCloudEvent } from '@passerelle/messaging';
import { canonicalReferralId } from '@passerelle/translation';
import { IdempotentAnswer } from '../idempotency/idempotent-answer';
import {
  ODSP_EMPLOYMENT_RECORDS,
  OW_CASE_RECORDS,
  ownerCodeOf,
  type SourceDefinition,
  type SourceReferralRequest,
} from '../ingest/source-definition';
import { unmappedCodeErrors } from '../ingest/received-record';
import { SealingRecordSink } from '../ingest/raw-record-sealer';
import type { RecordSink } from '../ingest/source-record-ingest';
import { problem } from '../problem/problem';
import { pendingStatus, type ReferralStatus } from './referral-status';
import { PlatformErrorCode } from '../platform/platform.error';
import { ReferralErrorCode } from './referral.error';

/**
 * A referrer's source record carrying a referral request (`SourceDefinition`: an OW delivery
 * agent's case record, an ODSP office's employment record). Checked as the adapter will check it
 * (source schema, every source code mapped, the caller's own client), produced to the source's
 * raw topic with acks=all, then recorded as submitted: only then is it `202`.
 */
export class SubmitSourceReferral<T> {
  private readonly topic: string;

  constructor(
    private readonly source: SourceDefinition<T>,
    /** The raw topic's producer: `SealingRecordSink` seals the record's personal data. */
    private readonly publisher: RecordSink,
    topics: TopicNames,
  ) {
    this.topic = topics.of(source.topic);
  }

  async execute(caller: Principal, body: unknown): Promise<IdempotentAnswer<ReferralStatus>> {
    const { org, subject } = caller;
    const { record, referralRequest, owner } = referralRecord(this.source, body, org);
    const referralId = canonicalReferralId({ system: this.source.system, orgCode: owner }, referralRequest.referralId);
    const event = this.source.event(record);
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

/** `POST /v1/referrals`: a delivery agent's OW case record, to `ow.case-records.v1`. */
@Injectable()
export class SubmitReferral extends SubmitSourceReferral<OwCaseRecord> {
  constructor(@Inject(SealingRecordSink) publisher: RecordSink, topics: TopicNames) {
    super(OW_CASE_RECORDS, publisher, topics);
  }
}

/** `POST /v1/odsp/referrals`: an ODSP office's employment record, to `odsp.employment-records.v1`. */
@Injectable()
export class SubmitOdspReferral extends SubmitSourceReferral<OdspEmploymentRecord> {
  constructor(@Inject(SealingRecordSink) publisher: RecordSink, topics: TopicNames) {
    super(ODSP_EMPLOYMENT_RECORDS, publisher, topics);
  }
}

interface ReferralRecord<T> {
  record: T;
  referralRequest: SourceReferralRequest;
  /** The caller's organization code, which is the record's. */
  owner: string;
}

/** The record, if it is one `org` may submit as a referral (else a `400` or `403` naming the fields). */
export function referralRecord<T>(source: SourceDefinition<T>, body: unknown, org: string): ReferralRecord<T> {
  const schemas =
    source.referralSchemaPath === undefined ? [source.schemaPath] : [source.referralSchemaPath, source.schemaPath];
  let record = body as T;
  for (const path of schemas) {
    const validation = schemaRegistry().validate<T>(schemaIdForPath(path), body);
    if (!validation.ok)
      throw problem(400, `the ${source.noun} does not match ${path}`, {
        code: PlatformErrorCode.InvalidBody,
        errors: validation.errors,
      });
    record = validation.value;
  }
  const referralRequest = source.referralRequest(record);
  if (referralRequest === undefined) {
    throw problem(400, 'a referral needs its referralRequest', {
      code: PlatformErrorCode.InvalidBody,
      errors: [{ pointer: '/referralRequest', code: 'required', message: 'is required to submit a referral' }],
    });
  }
  const unmapped = unmappedCodeErrors(source.schemaId, record);
  if (unmapped.length > 0)
    throw problem(400, 'some source codes have no canonical mapping', {
      code: ReferralErrorCode.UnmappedSourceCode,
      errors: unmapped,
    });
  const owner = ownerCodeOf(source, org);
  const recordOwner = source.owner(record);
  if (recordOwner.code !== owner) {
    const ow = source.orgKind === 'ow';
    throw problem(403, `${org} may refer only its own clients`, {
      code: ow ? ReferralErrorCode.OtherDeliveryAgent : ReferralErrorCode.OtherOdspOffice,
      errors: [
        {
          pointer: recordOwner.pointer,
          code: ow ? 'other-delivery-agent' : 'other-office',
          message: `is not ${owner}`,
        },
      ],
    });
  }
  return { record, referralRequest, owner };
}
