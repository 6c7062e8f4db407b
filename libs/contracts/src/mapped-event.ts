/**
 * What a pure source -> canonical mapping returns. `CanonicalEvent` is structurally the
 * CloudEvent of libs/messaging (contracts must not depend on messaging), so adapters publish it
 * as is.
 */
export interface CanonicalEvent<T = unknown> {
  specversion: '1.0';
  id: string;
  source: string;
  type: string;
  time?: string;
  subject?: string;
  dataschema?: string;
  correlationid?: string;
  causationid?: string;
  partitionkey?: string;
  datacontenttype: 'application/json';
  data: T;
}

/** One canonical event and the contract topic (name as in asyncapi.yaml, no prefix) it goes to. */
export interface MappedEvent {
  topic: string;
  event: CanonicalEvent;
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
