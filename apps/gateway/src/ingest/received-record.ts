import { unmappedSourceCodes } from '@passerelle/codes';
import type { CloudEvent, ContractEventType, FieldError } from '@passerelle/contracts';
import { canonicalEvent } from '@passerelle/messaging';
import { IngestErrorCode } from './line-result';

/** `ce_source` of the raw records the gateway produces. */
export const GATEWAY_EVENT_SOURCE = '/passerelle/gateway';
/** Source system of the deterministic event ids the gateway derives. */
export const GATEWAY_SOURCE_SYSTEM = 'gateway';

/** A source record the gateway received, as it goes on its raw topic. */
export interface ReceivedRecord<T> {
  /** `ca.on.passerelle.<source>.received`. */
  type: ContractEventType;
  /** Id of the record in its source system, qualified enough to be unique there. */
  recordId: string;
  version: number;
  recordedAt: string;
  /** The source's own person id: raw topics are keyed by it (per-person ordering before linking). */
  personKey: string;
  data: T;
}

/**
 * The CloudEvent of a received source record: its id derives from the record's id and version, so
 * a record sent twice (a retried upload or request) is the same event, which consumers drop.
 */
export function receivedRecordEvent<T>(record: ReceivedRecord<T>): CloudEvent<T> {
  return canonicalEvent({
    type: record.type,
    id: { sourceSystem: GATEWAY_SOURCE_SYSTEM, recordId: record.recordId, version: record.version },
    source: GATEWAY_EVENT_SOURCE,
    time: record.recordedAt,
    partitionkey: record.personKey,
    data: record.data,
  });
}

/** The source codes of a record with no canonical mapping, as field errors (the adapter would dead-letter them). */
export function unmappedCodeErrors(schemaId: string, record: unknown, pointerPrefix = ''): FieldError[] {
  return unmappedSourceCodes(schemaId, record).map((u) => ({
    pointer: `${pointerPrefix}${u.pointer}`,
    code: IngestErrorCode.unmappedCode,
    message: u.reason.slice(u.pointer.length + 2),
  }));
}
