import { Injectable } from '@nestjs/common';
import type { CloudEvent } from '@passerelle/contracts';
import { PersonalDataVault } from '@passerelle/crypto';
import { decodeCloudEvent, encodeCloudEvent, EventPublisher, type EncodedCloudEvent } from '@passerelle/messaging';
import { sealRawRecords } from '@passerelle/translation';
import { GroupCommit, type SourceIdentity } from '@passerelle/persistence';
import { RawRecordClients } from './raw-record-clients';
import type { RecordSink } from './source-record-ingest';

type SourcePersonal = {
  memberId?: string;
  clientReferenceNumber?: string;
  samsMemberId?: string;
  odspMemberId?: string;
};

/** What the sealer reads of a raw record: whose it is, and the members that identify the person. */
interface RawRecord {
  personal: SourcePersonal;
  referralRequest?: { notes?: unknown };
}

/** One send's records: sealed by the group they were sealed with. */
interface SealJob {
  events: CloudEvent<RawRecord>[];
  sealed: CloudEvent<RawRecord>[];
}

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
 * contact, the person's own source ids) and a referral request's free-text `notes` (which may
 * name or describe the person) are sealed with the data key of the client it is about,
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

  /**
   * Sends that arrive while a group is being sealed are sealed together by the next group: one
   * link lookup and one key load (and creation) for many concurrent submissions, not one each.
   */
  private readonly sealing = new GroupCommit<SealJob>((jobs) => this.sealJobs(jobs), { maxItems: 64 });

  async send(topic: string, messages: EncodedCloudEvent[]): Promise<void> {
    if (!this.vault.sealing) return this.publisher.send(topic, messages);
    const job: SealJob = { events: messages.map((m) => decodeCloudEvent<RawRecord>(m)), sealed: [] };
    await this.sealing.submit(job);
    return this.publisher.send(topic, job.sealed.map(encodeCloudEvent));
  }

  private async sealJobs(jobs: SealJob[]): Promise<void> {
    const sealed = await this.seal(jobs.flatMap((job) => job.events));
    let at = 0;
    for (const job of jobs) {
      job.sealed = sealed.slice(at, at + job.events.length);
      at += job.events.length;
    }
  }

  /** The events with `personal` (and a referral request's free-text `notes`) sealed and keyed by the client each is about. */
  private async seal<T extends RawRecord>(events: CloudEvent<T>[]): Promise<CloudEvent<T>[]> {
    const identities = events.map((e) => {
      const of = IDENTITIES[e.type];
      if (!of) throw new Error(`${e.type} is not a raw record type the gateway seals`);
      return of(e.data.personal);
    });
    return sealRawRecords(this.vault, events, await this.clients.clientIdsOf(identities));
  }
}
