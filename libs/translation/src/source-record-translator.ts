import type {
  CloudEvent,
  ClientLinkConflict,
  ContractEventType,
  ContractTopicName,
  MappingContext,
  MappingResult,
} from '@passerelle/contracts';
import { schemaRegistry } from '@passerelle/contracts';
import type { FactoryProvider } from '@nestjs/common';
import { EventPublisher, TopicNames, canonicalEvent, type InboundEvent } from '@passerelle/messaging';
import { ClientLinkRegistry, type DatabaseHandle, type SourceIdentity } from '@passerelle/persistence';
import { TranslationError, TranslationErrorCode } from './translation.error';

/** What an adapter knows about one kind of source record. Everything here is pure. */
export interface SourceDefinition<R> {
  /** `ce_type` of the raw record on its topic. */
  rawType: ContractEventType;
  /** `$id` (or path under schemas/) of the source schema. */
  schemaId: string;
  system: 'sams' | 'odsp' | 'cams';
  /** Record id, version and time: the inputs of deterministic ids. */
  describe(record: R): { recordId: string; version: number; recordedAt: string; ceSource: string };
  /** Every identifier of the person the record carries (links across networks). */
  identities(record: R): SourceIdentity[];
  map(record: R, context: MappingContext): MappingResult;
}

export type TranslationOutcome =
  { outcome: 'published'; clientId: string; events: number } | { outcome: 'link-conflict'; conflicts: number };

/**
 * Raw source record in, canonical events out: source-schema validation, identity links, the
 * adapter's pure mapping, canonical-schema validation of every event, publication (acks=all)
 * keyed by clientId. Re-running it on the same record publishes the same ce_ids, so a
 * redelivery is harmless to every consumer.
 */
export class SourceRecordTranslator {
  constructor(
    private readonly links: ClientLinkRegistry,
    private readonly publisher: EventPublisher,
    private readonly names: TopicNames,
  ) {}

  async translate<R>(definition: SourceDefinition<R>, inbound: InboundEvent): Promise<TranslationOutcome> {
    const [outcome] = await this.translateBatch(definition, [inbound]);
    return outcome;
  }

  /**
   * Several raw records of one kind at once, with what one record costs in I/O: one PostgreSQL
   * transaction resolves every record's links, one acks=all request publishes every event. The
   * first record that fails validation or mapping throws (nothing of the batch is published);
   * the consumer runner then retries record by record, so only that record reaches the DLQ.
   */
  async translateBatch<R>(definition: SourceDefinition<R>, inbounds: InboundEvent[]): Promise<TranslationOutcome[]> {
    const registry = schemaRegistry();
    const records = inbounds.map((inbound) => {
      const validation = registry.validate<R>(definition.schemaId, inbound.event.data);
      if (!validation.ok) {
        throw new TranslationError(
          TranslationErrorCode.SchemaViolation,
          validation.errors.map((e) => `${e.pointer || '/'}: ${e.message}`),
        );
      }
      return validation.value;
    });
    const identities = records.map((record) => definition.identities(record));
    const resolutions = await this.links.resolveMany(identities);

    const byTopic = new Map<ContractTopicName, CloudEvent[]>();
    const emit = (topic: ContractTopicName, event: CloudEvent): void => {
      const events = byTopic.get(topic);
      if (events) events.push(event);
      else byTopic.set(topic, [event]);
    };
    const outcomes = records.map((record, n): TranslationOutcome => {
      const resolution = resolutions[n];
      if (resolution.outcome === 'conflict') {
        const conflicts = this.conflictEvents(definition, record, identities[n], resolution.candidates);
        for (const event of conflicts) emit('clients.v1', event);
        return { outcome: 'link-conflict', conflicts: conflicts.length };
      }
      const inbound = inbounds[n];
      const mapped = definition.map(record, {
        clientId: resolution.clientId,
        sourceEventId: inbound.event.id,
        correlationId: inbound.event.correlationid,
      });
      if (!mapped.ok) throw new TranslationError(TranslationErrorCode.MappingRefused, mapped.reasons);
      const invalid = mapped.events.flatMap(({ event }) => {
        const result = registry.validate(event.dataschema ?? '', event.data);
        return result.ok ? [] : result.errors.map((e) => `${event.type} ${e.pointer || '/'}: ${e.message}`);
      });
      if (invalid.length > 0) throw new TranslationError(TranslationErrorCode.CanonicalViolation, invalid);
      for (const { topic, event } of mapped.events) emit(topic, event);
      return { outcome: 'published', clientId: resolution.clientId, events: mapped.events.length };
    });

    await this.publisher.publishAll([...byTopic].map(([topic, events]) => ({ topic: this.names.of(topic), events })));
    return outcomes;
  }

  /** One `client.link-conflict` per other client the record's ids point at: for a person to resolve. */
  private conflictEvents<R>(
    definition: SourceDefinition<R>,
    record: R,
    identities: SourceIdentity[],
    candidates: Array<{ clientId: string; identities: SourceIdentity[] }>,
  ): CloudEvent<ClientLinkConflict>[] {
    const { recordId, version, recordedAt, ceSource } = definition.describe(record);
    const [kept, ...others] = candidates;
    return others.map((other) => {
      const link = kept.identities[0];
      const data: ClientLinkConflict = {
        clientId: kept.clientId,
        conflictingClientId: other.clientId,
        source: { system: definition.system, recordId, recordVersion: version },
        personal: {
          link: { system: link.system as 'sams' | 'odsp' | 'cams', sourceId: link.id, linkedAt: recordedAt },
        },
        detectedAt: recordedAt,
        reason: `record links ${identities.length} ids: ${kept.identities.length} belong to one client, ${other.identities.length} to another`,
      };
      return canonicalEvent({
        type: 'ca.on.passerelle.client.link-conflict',
        id: { sourceSystem: definition.system, recordId, version, discriminator: other.clientId },
        source: ceSource,
        time: recordedAt,
        subject: kept.clientId,
        partitionkey: kept.clientId,
        data,
      });
    });
  }
}

/**
 * The Nest provider of the translator, for an adapter module: built from the app's database
 * handle (under `databaseToken`), its publisher and its topic names.
 */
export function sourceRecordTranslatorProvider(databaseToken: symbol): FactoryProvider<SourceRecordTranslator> {
  return {
    provide: SourceRecordTranslator,
    useFactory: (database: DatabaseHandle, publisher: EventPublisher, names: TopicNames) =>
      new SourceRecordTranslator(new ClientLinkRegistry(database.db), publisher, names),
    inject: [databaseToken, EventPublisher, TopicNames],
  };
}
