import {
  schemaIdForPath,
  schemaRegistry,
  type EoServiceRecord,
  type FieldError,
  type components,
} from '@passerelle/contracts';
import { encodeCloudEvent } from '@passerelle/messaging';
import { AuditLog, type DatabaseHandle } from '@passerelle/persistence';
import type { RecordSink } from '../ingest/case-record-ingest';
import { receivedRecordEvent, unmappedCodeErrors } from '../ingest/received-record';

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

export type ServiceRecordsResult = { ok: true; accepted: ServiceRecordsAccepted } | { ok: false; errors: FieldError[] };

/**
 * A provider's EO service records over HTTP: every record checked the way the eo-adapter and the
 * tracker would check it (so a refusal is an immediate `400` naming the field, not a DLQ record
 * the provider never sees), then produced to `eo.service-records.v1` with acks=all. All or
 * nothing: a batch with one bad record stores none.
 */
export class ProviderServiceRecords {
  constructor(
    private readonly database: DatabaseHandle,
    private readonly sink: RecordSink,
    private readonly topic: string,
  ) {}

  /** `provider`: the caller's organization (`eo:<provider id>`); `subject`: the token's subject, for the audit log. */
  async record(provider: string, subject: string, body: unknown): Promise<ServiceRecordsResult> {
    const batch = typeof body === 'object' && body !== null && !Array.isArray(body) && 'records' in body;
    const valid = batch
      ? schemaRegistry().validate<{ records: EoServiceRecord[] }>(BATCH_SCHEMA_ID, body)
      : schemaRegistry().validate<EoServiceRecord>(EO_SERVICE_RECORD_SCHEMA_ID, body);
    if (!valid.ok) return { ok: false, errors: valid.errors };
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
    if (errors.length > 0) return { ok: false, errors };

    const events = records.map((record) =>
      receivedRecordEvent({
        type: EO_SERVICE_RECORD_RECEIVED,
        schemaId: EO_SERVICE_RECORD_SCHEMA_ID,
        // Record ids are the provider's own: two providers may use the same one.
        recordId: `${record.provider.providerId}/${record.sourceRecordId}`,
        version: record.recordVersion,
        recordedAt: record.recordedAt,
        personKey: record.personal.clientReferenceNumber,
        data: record,
      }),
    );
    await new AuditLog(this.database.db).append(
      records.map((record) => ({
        org: provider,
        subject,
        action: 'write' as const,
        resource: `service-record/${record.provider.providerId}/${record.sourceRecordId}`,
        purpose: 'service-delivery',
      })),
    );
    await this.sink.send(this.topic, events.map(encodeCloudEvent));
    return {
      ok: true,
      accepted: {
        accepted: records.length,
        records: records.map((record, n) => ({
          sourceRecordId: record.sourceRecordId,
          recordVersion: record.recordVersion,
          eventId: events[n].id,
        })),
      },
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
    if (ids.length === 0) return [];
    const routed = new Set(
      (
        await this.database.db
          .selectFrom('referral')
          .select('referral_id')
          .where('provider', '=', provider)
          .where('referral_id', 'in', ids)
          .execute()
      ).map((r) => r.referral_id),
    );
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
