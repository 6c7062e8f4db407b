import { Logger, type FactoryProvider } from '@nestjs/common';
import { schemaRegistry } from '@passerelle/contracts';
import { PersonalDataVault } from '@passerelle/crypto';
import { EventPublisher, TopicNames, type InboundEvent } from '@passerelle/messaging';
import { ClientLinkRegistry, type DatabaseHandle } from '@passerelle/persistence';
import {
  ERASED_RECORD,
  TranslationError,
  openRawRecords,
  recordOrigin,
  type SourceDefinition,
} from '@passerelle/translation';
import type { SourceView } from '../mapping';
import { referralRefusalEvent } from './referral-refusal-event';
import { refusalReasonOf } from './refusal-reason';

/** A source the adapter maps, with how its records read into the shared view. */
export interface RefusableSource<R> {
  definition: SourceDefinition<R>;
  view(record: R): SourceView;
}

/**
 * Tells the referral tracker (`referral.refused` on `referrals.v1`, acks=all) that the adapter
 * refused a record carrying a referral the gateway had answered `202`: without it the referrer
 * would see `requested` forever while the record sat on the DLQ. Called before the record is
 * dead-lettered; the refusal's id derives from the record, so a retry publishes the same event.
 */
export class ReferralRefusals {
  private readonly logger = new Logger(ReferralRefusals.name);

  constructor(
    private readonly links: ClientLinkRegistry,
    private readonly publisher: EventPublisher,
    private readonly names: TopicNames,
    private readonly vault?: PersonalDataVault,
  ) {}

  /**
   * Publishes the refusal of `inbound`'s referral, refused by the translator with `error`. A
   * record that is not source-valid, carries no referral or whose client was erased has no
   * referral the tracker could know: nothing is published (the DLQ still has it). A failure to
   * publish throws (Kafka down: the runner retries the record, so the refusal is not lost).
   */
  async report<R>(source: RefusableSource<R>, inbound: InboundEvent, error: TranslationError): Promise<boolean> {
    const [data] = await openRawRecords(this.vault, [inbound]);
    if (data === ERASED_RECORD) return false;
    const validation = schemaRegistry().validate<R>(source.definition.schemaId, data);
    if (!validation.ok) return false;
    const record = validation.value;
    const view = source.view(record);
    if (view.referralRequest === undefined) return false;
    // The translator resolved these links before the mapping refused the record: the same client comes back.
    const [resolution] = await this.links.resolveMany([source.definition.identities(record)], undefined, [
      recordOrigin(source.definition, record),
    ]);
    if (resolution.outcome !== 'linked') return false;
    const reason = refusalReasonOf(error.code, error.reasons);
    const event = referralRefusalEvent(view, resolution.clientId, reason, inbound.event);
    if (event === undefined) return false;
    schemaRegistry().assert(event.dataschema ?? '', event.data);
    await this.publisher.publishAll([{ topic: this.names.of('referrals.v1'), events: [event] }]);
    this.logger.warn(
      `referral ${event.data.referralId} refused (${reason.code} at ${reason.field ?? '-'}): referrer told`,
    );
    return true;
  }
}

/** The Nest provider of the reporter, built like the translator's (same links, publisher, the process's vault). */
export function referralRefusalsProvider(databaseToken: symbol): FactoryProvider<ReferralRefusals> {
  return {
    provide: ReferralRefusals,
    useFactory: (database: DatabaseHandle, publisher: EventPublisher, names: TopicNames, vault: PersonalDataVault) =>
      new ReferralRefusals(new ClientLinkRegistry(database.db), publisher, names, vault),
    inject: [databaseToken, EventPublisher, TopicNames, PersonalDataVault],
  };
}
