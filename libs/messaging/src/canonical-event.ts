import { CONTRACT_EVENTS, type CloudEvent, type ContractEventType } from '@passerelle/contracts';
import { CONTENT_TYPE } from './cloud-event';
import { deterministicEventId } from './event-id';

/** What an event's deterministic `ce_id` derives from: the record it comes from and that record's version. */
export interface EventIdSource {
  /** The system the record came from, e.g. `sams:toronto`, `cams:<provider>`, `passerelle:referral-tracker`. */
  sourceSystem: string;
  recordId: string;
  version: string | number;
  /** Tells apart several events of one type from one record version (e.g. one per array entry). */
  discriminator?: string;
}

/** Everything of a canonical event that is not fixed by the contract. */
export interface CanonicalEventInit<T> {
  type: ContractEventType;
  /** The record the deterministic id derives from, or an id already derived (a name-based id of the domain). */
  id: EventIdSource | string;
  source: string;
  time: string;
  subject?: string;
  correlationid?: string;
  causationid?: string;
  /** Kafka key: the canonical clientId (or, before linking, the source's own person id). */
  partitionkey?: string;
  data: T;
}

/**
 * The one place a CloudEvent envelope is built: spec version, content type and `ce_dataschema`
 * (as asyncapi.yaml pins it for the type) come from the contract, the id from the source record.
 * One object literal and no copy or validation of the data: adapters call it per event.
 */
export function canonicalEvent<T>(init: CanonicalEventInit<T>): CloudEvent<T> {
  const { id, type } = init;
  return {
    specversion: '1.0',
    id:
      typeof id === 'string'
        ? id
        : deterministicEventId({
            sourceSystem: id.sourceSystem,
            recordId: id.recordId,
            version: id.version,
            type: id.discriminator === undefined ? type : `${type}:${id.discriminator}`,
          }),
    source: init.source,
    type,
    time: init.time,
    subject: init.subject,
    dataschema: CONTRACT_EVENTS[type].dataschema,
    correlationid: init.correlationid,
    causationid: init.causationid,
    partitionkey: init.partitionkey,
    datacontenttype: CONTENT_TYPE,
    data: init.data,
  };
}
