import {
  schemaIdForPath,
  schemaRegistry,
  type EoServiceRecord,
  type FieldError,
  type components,
} from '@passerelle/contracts';
import { Inject, Injectable, type HttpException } from '@nestjs/common';
import type { Principal } from '@passerelle/auth';
import { TopicNames, encodeCloudEvent } from '@passerelle/messaging';
import { AuditLog } from '@passerelle/persistence';
import { SealingRecordSink } from '../ingest/raw-record-sealer';
import { receivedRecordEvent, unmappedCodeErrors } from '../ingest/received-record';
import type { RecordSink } from '../ingest/source-record-ingest';
import { ReferralReadModel } from '../ledger/referral-read-model';
import { problem } from '../problem/problem';
import { ProviderErrorCode } from './provider.error';

export type ServiceRecordsAccepted = components['schemas']['ProviderServiceRecordsAccepted'];

export const EO_SERVICE_RECORD_SCHEMA_ID = schemaIdForPath('sources/eo-service-record.json');
const BATCH_SCHEMA_ID = schemaIdForPath('api/provider-service-records.json');
export const EO_SERVICE_RECORD_RECEIVED = 'ca.on.passerelle.eo-service-record.received';

/** Codes of the refusals this endpoint adds to the JSON Schema keywords. */
export const ServiceRecordErrorCode = {
  /** The record names another provider than the caller's organization. */
  otherProvider: 'other-provider',
  /** The record answers a referral that is not routed to the caller (or does not exist: the same to the caller). */
  unknownReferral: 'unknown-referral',
} as const;

/**
 * `POST /v1/provider/service-records`: a provider's EO service records over HTTP, every record
 * checked the way the eo-adapter and the tracker would check it (so a refusal is an immediate
 * `400` naming the field, not a DLQ record the provider never sees), then produced to
 * `eo.service-records.v1` with acks=all. All or nothing: a batch with one bad record stores none.
 */
@Injectable()
export class RecordServiceRecords {
  private readonly topic: string;

  constructor(
    private readonly ledger: ReferralReadModel,
    private readonly audit: AuditLog,
    /** `SealingRecordSink`: the records' personal data goes to the raw topic sealed. */
    @Inject(SealingRecordSink) private readonly publisher: RecordSink,
    topics: TopicNames,
  ) {
    this.topic = topics.of('eo.service-records.v1');
  }

  /** The caller's organization is `eo:<provider id>`; its token's subject goes to the audit log. */
  async execute(caller: Principal, body: unknown): Promise<ServiceRecordsAccepted> {
    const { org: provider, subject } = caller;
    const batch = typeof body === 'object' && body !== null && !Array.isArray(body) && 'records' in body;
    const valid = batch
      ? schemaRegistry().validate<{ records: EoServiceRecord[] }>(BATCH_SCHEMA_ID, body)
      : schemaRegistry().validate<EoServiceRecord>(EO_SERVICE_RECORD_SCHEMA_ID, body);
    if (!valid.ok) throw invalid(valid.errors);
    const records = 'records' in valid.value ? valid.value.records : [valid.value];
    const at = (n: number): string => (batch ? `/records/${n}` : '');

    const providerId = provider.slice('eo:'.length);
    const errors: FieldError[] = [];
    records.forEach((record, n) => {
      if (record.provider.providerId !== providerId) {
        errors.push({
          pointer: `${at(n)}/provider/providerId`,
          code: ServiceRecordErrorCode.otherProvider,
          message: `the record belongs to another provider than ${provider}`,
        });
      }
      errors.push(...unmappedCodeErrors(EO_SERVICE_RECORD_SCHEMA_ID, record, at(n)));
    });
    errors.push(...(await this.unroutedAnswers(provider, records, at)));
    if (errors.length > 0) throw invalid(errors);

    const events = records.map((record) =>
      receivedRecordEvent({
        type: EO_SERVICE_RECORD_RECEIVED,
        // Record ids are the provider's own: two providers may use the same one.
        recordId: `${record.provider.providerId}/${record.sourceRecordId}`,
        version: record.recordVersion,
        recordedAt: record.recordedAt,
        personKey: record.personal.clientReferenceNumber,
        data: record,
      }),
    );
    await this.audit.append(
      records.map((record) => ({
        org: provider,
        subject,
        action: 'write' as const,
        resource: `service-record/${record.provider.providerId}/${record.sourceRecordId}`,
        purpose: 'service-delivery',
      })),
    );
    await this.publisher.send(this.topic, events.map(encodeCloudEvent));
    return {
      accepted: records.length,
      records: records.map((record, n) => ({
        sourceRecordId: record.sourceRecordId,
        recordVersion: record.recordVersion,
        eventId: events[n].id,
      })),
    };
  }

  /** Answers to referrals not routed to this provider, one query for the whole request. */
  private async unroutedAnswers(
    provider: string,
    records: EoServiceRecord[],
    at: (n: number) => string,
  ): Promise<FieldError[]> {
    const answered = records.map((r) => r.referralResponse?.referralId.toLowerCase());
    const ids = [...new Set(answered.filter((id): id is string => id !== undefined))];
    const routed = await this.ledger.routedTo(provider, ids);
    return answered.flatMap((id, n) =>
      id === undefined || routed.has(id)
        ? []
        : [
            {
              pointer: `${at(n)}/referralResponse/referralId`,
              code: ServiceRecordErrorCode.unknownReferral,
              message: 'no referral routed to you has this id',
            },
          ],
    );
  }
}

function invalid(errors: FieldError[]): HttpException {
  return problem(400, 'the service records are invalid: nothing was stored', {
    code: ProviderErrorCode.InvalidServiceRecords,
    errors,
  });
}
