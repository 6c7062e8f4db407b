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
import { PersonalDataVault } from '@passerelle/crypto';
import { EventPublisher, TopicNames, canonicalEvent, type InboundEvent } from '@passerelle/messaging';
import {
  ClientLinkRegistry,
  type DatabaseHandle,
  type LinkOrigin,
  type LinkResolution,
  type SourceIdentity,
} from '@passerelle/persistence';
import { TranslationError, TranslationErrorCode } from './translation.error';
import { ERASED_RECORD, erasedRecordStandIn, openRawRecords, sealOutgoingPersonal } from './personal-data-edge';

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
  /**
   * A schema-valid stand-in for the `personal` member of a record about an erased client (its own
   * is unreadable), so the record's de-identified events still flow: the mapping stays as it is,
   * and every `personal` member built from the stand-in is dropped before emitting. None: such
   * records publish nothing.
   */
  erasedPersonal?: unknown;
}

export type TranslationOutcome =
  | { outcome: 'published'; clientId: string; events: number }
  | { outcome: 'link-conflict'; conflicts: number }
  /** The record's client was erased and its source has no `erasedPersonal`: nothing is published from it. */
  | { outcome: 'erased' };

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
    /** Opens raw records' and seals canonical events' `personal` (crypto-shredding); none: left as they are. */
    private readonly vault?: PersonalDataVault,
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
    const datas = await openRawRecords(this.vault, inbounds);
    // About an erased client: linked to the client its sealed member names, mapped from the stand-in.
    const erasedClients = inbounds.map((inbound, n) =>
      datas[n] === ERASED_RECORD ? (inbound.event.data as { personal: { keyId: string } }).personal.keyId : undefined,
    );
    const { erasedPersonal } = definition;
    if (erasedPersonal !== undefined) {
      const standIns = datas.map((data, n) =>
        data === ERASED_RECORD ? erasedRecordStandIn(inbounds[n].event.data, erasedPersonal) : data,
      );
      return this.translateOpened(definition, inbounds, standIns, erasedClients);
    }
    const live = inbounds.flatMap((_, n) => (datas[n] === ERASED_RECORD ? [] : [n]));
    if (live.length === inbounds.length) return this.translateOpened(definition, inbounds, datas);
    const outcomes = await this.translateOpened(
      definition,
      live.map((n) => inbounds[n]),
      live.map((n) => datas[n]),
    );
    return inbounds.map((_, n) => (live.includes(n) ? outcomes[live.indexOf(n)] : { outcome: 'erased' }));
  }

  /** {@link translateBatch} of records whose `personal` is open (`datas`: each record's data). */
  private async translateOpened<R>(
    definition: SourceDefinition<R>,
    inbounds: InboundEvent[],
    datas: unknown[],
    /** The client of each record already known (an erased one), not to be linked again. */
    knownClients: Array<string | undefined> = [],
  ): Promise<TranslationOutcome[]> {
    const registry = schemaRegistry();
    const records = inbounds.map((_inbound, n) => {
      const validation = registry.validate<R>(definition.schemaId, datas[n]);
      if (!validation.ok) {
        throw new TranslationError(
          TranslationErrorCode.SchemaViolation,
          validation.errors.map((e) => `${e.pointer || '/'}: ${e.message}`),
        );
      }
      return validation.value;
    });
    const identities = records.map((record) => definition.identities(record));
    // Origins: the links remember whose record made them, and a conflict is kept for those involved.
    const origins = records.map((record) => recordOrigin(definition, record));
    const resolutions = await this.resolveLinks(identities, origins, knownClients);

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

    await sealOutgoingPersonal(this.vault, [...byTopic.values()].flat());
    await this.publisher.publishAll([...byTopic].map(([topic, events]) => ({ topic: this.names.of(topic), events })));
    return outcomes;
  }

  /** Each record's link resolution: those of a known client as they are (its links were purged on erasure). */
  private async resolveLinks(
    identities: SourceIdentity[][],
    origins: LinkOrigin[],
    knownClients: Array<string | undefined>,
  ): Promise<LinkResolution[]> {
    const toLink = identities.flatMap((_, n) => (knownClients[n] === undefined ? [n] : []));
    if (toLink.length === identities.length) return this.links.resolveMany(identities, undefined, origins);
    const linked = await this.links.resolveMany(
      toLink.map((n) => identities[n]),
      undefined,
      toLink.map((n) => origins[n]),
    );
    const byRecord = new Map(toLink.map((n, at) => [n, linked[at]]));
    return identities.map(
      (_, n): LinkResolution =>
        byRecord.get(n) ?? { outcome: 'linked', clientId: knownClients[n] ?? '', created: false, newLinks: [] },
    );
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
 * Whose record it is and which: the organization is `<network>:<code>` of the record's
 * `ce_source` (`/ow/sams/toronto` is `ow:toronto`, `/odsp/central` `odsp:central`,
 * `/eo/cams/provider-1` `eo:provider-1`), the ids every event of the record names its issuer by.
 */
export function recordOrigin<R>(definition: SourceDefinition<R>, record: R): LinkOrigin {
  const { recordId, recordedAt, ceSource } = definition.describe(record);
  const segments = ceSource.split('/').filter((segment) => segment !== '');
  if (segments.length < 2) throw new Error(`ce_source ${ceSource} names no organization`);
  return { org: `${segments[0]}:${segments[segments.length - 1]}`, system: definition.system, recordId, recordedAt };
}

/**
 * The Nest provider of the translator, for an adapter module: built from the app's database
 * handle (under `databaseToken`), its publisher, its topic names and the process's personal data vault.
 */
export function sourceRecordTranslatorProvider(databaseToken: symbol): FactoryProvider<SourceRecordTranslator> {
  return {
    provide: SourceRecordTranslator,
    useFactory: (database: DatabaseHandle, publisher: EventPublisher, names: TopicNames, vault: PersonalDataVault) =>
      new SourceRecordTranslator(new ClientLinkRegistry(database.db), publisher, names, vault),
    inject: [databaseToken, EventPublisher, TopicNames, PersonalDataVault],
  };
}
