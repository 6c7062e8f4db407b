import { Injectable } from '@nestjs/common';
import type { CloudEvent } from '@passerelle/contracts';
import { PersonalDataVault } from '@passerelle/crypto';
import { decodeCloudEvent, encodeCloudEvent, EventPublisher, type EncodedCloudEvent } from '@passerelle/messaging';
import type { SourceIdentity } from '@passerelle/persistence';
import { RawRecordClients } from './raw-record-clients';
import type { RecordSink } from './source-record-ingest';

type SourcePersonal = {
  memberId?: string;
  clientReferenceNumber?: string;
  samsMemberId?: string;
  odspMemberId?: string;
};

/** The person's source ids of a raw record, by its type: what the adapter links it by. */
const IDENTITIES: Partial<Record<string, (personal: SourcePersonal) => SourceIdentity[]>> = {
  'ca.on.passerelle.ow-case-record.received': (p) => [{ system: 'sams', id: p.memberId ?? '' }],
  'ca.on.passerelle.odsp-employment-record.received': (p) => [{ system: 'odsp', id: p.memberId ?? '' }],
  'ca.on.passerelle.eo-service-record.received': (p) => [
    { system: 'cams', id: p.clientReferenceNumber ?? '' },
    ...(p.samsMemberId ? [{ system: 'sams', id: p.samsMemberId }] : []),
    ...(p.odspMemberId ? [{ system: 'odsp', id: p.odspMemberId }] : []),
  ],
};

/**
 * The gateway's producing edge of raw records (every `*.received` it sends: bulk syncs, referral
 * submissions, providers' service records): each record's `personal` member (names, birth date,
 * contact, the person's own source ids) is sealed with the data key of the client it is about,
 * and the record is keyed by that client's id instead of the person's source id, so no raw topic
 * holds anything of the person in clear. A record about an erased client is shredded (sealed with
 * a key no one keeps): the adapter learns from its `keyId` which client it is about and that it
 * was erased. Without a master key (development) records go as they are.
 */
@Injectable()
export class SealingRecordSink implements RecordSink {
  constructor(
    private readonly publisher: EventPublisher,
    private readonly vault: PersonalDataVault,
    private readonly clients: RawRecordClients,
  ) {}

  async send(topic: string, messages: EncodedCloudEvent[]): Promise<void> {
    if (!this.vault.sealing) return this.publisher.send(topic, messages);
    const events = messages.map((m) => decodeCloudEvent<{ personal: SourcePersonal }>(m));
    return this.publisher.send(topic, (await this.seal(events)).map(encodeCloudEvent));
  }

  /** The events with `personal` sealed and keyed by client id. */
  async seal<T extends { personal: SourcePersonal }>(events: CloudEvent<T>[]): Promise<CloudEvent<T>[]> {
    const identities = events.map((e) => {
      const of = IDENTITIES[e.type];
      if (!of) throw new Error(`${e.type} is not a raw record type the gateway seals`);
      return of(e.data.personal);
    });
    const clientIds = await this.clients.clientIdsOf(identities);
    const sealed = await this.vault.protectMany(
      events.map((e, n) => ({ clientId: clientIds[n], personal: e.data.personal })),
    );
    return events.map((e, n) => ({
      ...e,
      partitionkey: clientIds[n],
      data: { ...e.data, personal: sealed[n] ?? this.vault.shred(clientIds[n], e.data.personal) },
    }));
  }
}
