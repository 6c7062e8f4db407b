import type { CloudEvent } from './cloud-event';
import type { ContractTopicName } from './generated/asyncapi';

/** One canonical event and the contract topic (name as in asyncapi.yaml, no prefix) it goes to. */
export interface MappedEvent {
  topic: ContractTopicName;
  event: CloudEvent;
}

export interface MappingContext {
  /** Canonical client id resolved by the identity links (the Kafka key of every event). */
  clientId: string;
  /** ce_id of the raw record being mapped (becomes ce_causationid). */
  sourceEventId: string;
  /** ce_correlationid of the raw record, if any (else the source event id is used). */
  correlationId?: string;
}

export type MappingResult = { ok: true; events: MappedEvent[] } | { ok: false; reasons: string[] };
