import {
  CONTRACT_EVENTS,
  type ContractEventType,
  type ContractTopicName,
  type MappedEvent,
  type MappingContext,
} from '@passerelle/contracts';
import { canonicalEvent } from '@passerelle/messaging';

/** A kind of canonical event a mapping emits: its `ce_type`, and the topic and `ce_dataschema` asyncapi.yaml gives it. */
export interface EventKind {
  readonly type: ContractEventType;
  readonly topic: ContractTopicName;
  readonly dataschema: string;
}

export const eventKind = (type: ContractEventType): EventKind => ({ type, ...CONTRACT_EVENTS[type] });

/** What every event of one source record version shares: what its ids derive from, `ce_source` and `ce_time`. */
export interface RecordOrigin {
  /** The system qualified by the issuer, e.g. `sams:toronto`, `cams:<provider>`. */
  sourceSystem: string;
  recordId: string;
  version: number;
  source: string;
  time: string;
}

/**
 * The canonical events of one source record, in the order a mapping adds them. Adapters extend it
 * with their own entity ids; the envelope is the same for every network.
 */
export class RecordEvents {
  readonly events: MappedEvent[] = [];
  constructor(
    private readonly origin: RecordOrigin,
    readonly context: MappingContext,
  ) {}

  /**
   * Adds one event. `discriminator` tells apart the events of one type a record can hold several
   * of (array entries); it is given for those even when the array has one entry, so an event
   * keeps its id when another entry is added.
   */
  add(kind: EventKind, subject: string, data: unknown, discriminator?: string): void {
    const { origin, context } = this;
    const event = canonicalEvent({
      type: kind.type,
      id: { sourceSystem: origin.sourceSystem, recordId: origin.recordId, version: origin.version, discriminator },
      source: origin.source,
      time: origin.time,
      subject,
      correlationid: context.correlationId ?? context.sourceEventId,
      causationid: context.sourceEventId,
      partitionkey: context.clientId,
      data,
    });
    this.events.push({ topic: kind.topic, event });
  }
}
