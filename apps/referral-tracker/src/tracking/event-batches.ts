import type { Kysely, Transaction } from 'kysely';
import type { PersonalDataVault } from '@passerelle/crypto';
import { schemaRegistry } from '@passerelle/contracts';
import type { CloudEvent, InboundEvent } from '@passerelle/messaging';
import { afterCommit, ambientTransaction, beforeCommit, type Database, type Inbox } from '@passerelle/persistence';
import { mergeKeys } from '../ledger/ledger-keys';
import type { LedgerStore } from '../ledger/ledger-store';
import type { TrackedEventType, TrackedEvents } from './tracked-events';
import { TrackerError, TrackerErrorCode } from './tracker.error';
import type { Cause } from './tracker-events';
import { openInboundPersonal, sealOutboxPersonal } from './tracker-personal-data';

/** A validated inbound event waiting for the rest of its batch. */
interface PendingEvent {
  inbound: InboundEvent;
  tracked: TrackedEventType;
  data: never;
  cause: Cause;
}

/**
 * Applies the events of a Kafka batch together, set-based: the handlers hand each event over
 * (validated at once, so a bad one fails the batch before anything runs), and just before the
 * batch's transaction commits, {@link applyAll} claims every ce_id in the inbox in one insert,
 * loads every ledger row the new ones read in one select per table (locks included), applies
 * them one after the other in memory, in offset order, and writes what changed with one statement
 * per table. A refused event throws, the whole batch rolls back, and the consumer runner retries
 * its events one by one, each then a batch of one, so only the refused one reaches the DLQ.
 */
export class EventBatches {
  private readonly pending = new WeakMap<Transaction<Database>, PendingEvent[]>();

  constructor(
    private readonly db: Kysely<Database>,
    private readonly inbox: Inbox,
    private readonly store: LedgerStore,
    private readonly events: TrackedEvents,
    /** Called once a batch that applied something committed (wakes the outbox relay and the timers). */
    private readonly onApplied: () => void,
    /** Opens inbound and seals outgoing `personal` members (crypto-shredding); none: left as they are. */
    private readonly vault?: PersonalDataVault,
  ) {}

  /**
   * Takes inbound events: inside a unit of work (a whole Kafka batch in one transaction) they
   * are applied with the batch before the commit; outside one, in a transaction of their own now.
   */
  async submit(inbound: readonly InboundEvent[]): Promise<void> {
    const events = (await openInboundPersonal(this.vault, inbound)).map((e) => this.validated(e));
    const trx = ambientTransaction();
    if (!trx) {
      const applied = await this.db.transaction().execute((own) => this.applyAll(own, events));
      if (applied > 0) this.onApplied();
      return;
    }
    let batch = this.pending.get(trx);
    if (!batch) {
      const collected: PendingEvent[] = [];
      this.pending.set(trx, (batch = collected));
      beforeCommit(async (own) => {
        this.pending.delete(trx);
        if ((await this.applyAll(own, collected)) > 0) afterCommit(this.onApplied);
      });
    }
    batch.push(...events);
  }

  /** Applies the events not applied before (inbox), in order, in `trx`; returns how many it applied. */
  async applyAll(trx: Transaction<Database>, events: readonly PendingEvent[]): Promise<number> {
    const claimed = await this.inbox.claim(
      trx,
      events.map(({ inbound }) => ({
        eventId: inbound.event.id,
        eventType: inbound.event.type,
        topic: inbound.topic,
        partition: inbound.partition,
        offset: inbound.offset,
      })),
    );
    // The first delivery of each id claimed now; a redelivery (same ce_id) changes nothing.
    const fresh = events.filter((e) => claimed.delete(e.inbound.event.id));
    if (fresh.length === 0) return 0;
    const ledger = await this.store.load(trx, mergeKeys(fresh.map((e) => e.tracked.keys(e.data))), (parked) =>
      this.events.keysOfParked(parked),
    );
    for (const e of fresh) e.tracked.apply(ledger, e.data, e.cause);
    const changes = ledger.changes();
    await sealOutboxPersonal(this.vault, changes.outbox);
    await this.store.write(trx, changes);
    return fresh.length;
  }

  private validated(inbound: InboundEvent): PendingEvent {
    const { event } = inbound;
    const tracked = this.events.types[event.type];
    if (!tracked) throw new Error(`no tracked event type ${event.type}`);
    const valid = schemaRegistry().validate<never>(tracked.schemaId, event.data);
    if (!valid.ok) {
      throw new TrackerError(
        TrackerErrorCode.InvalidEvent,
        valid.errors.map((e) => `${e.pointer || '/'}: ${e.message}`).join('; '),
      );
    }
    return { inbound, tracked, data: valid.value, cause: causeOf(event) };
  }
}

function causeOf(event: CloudEvent): Cause {
  return {
    eventId: event.id,
    ...(event.correlationid !== undefined && { correlationId: event.correlationid }),
    occurredAt: event.time ?? new Date().toISOString(),
  };
}
