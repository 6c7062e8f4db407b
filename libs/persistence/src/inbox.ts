import type { Kysely, Transaction } from 'kysely';
import type { Database } from './schema';
import { insertRows, type MultiRowInsert } from './multi-row-insert';
import { ambientTransaction } from './unit-of-work';

export interface InboxEntry {
  eventId: string;
  eventType: string;
  topic: string;
  partition: number;
  offset: string;
}

const CLAIM: MultiRowInsert<'inbox'> = {
  table: 'inbox',
  columns: ['consumer', 'event_id', 'event_type', 'topic', 'partition', 'offset'],
  suffix: 'on conflict (consumer, event_id) do nothing returning event_id',
};

/**
 * Exactly-once application of events: the inbox row and the event's effect commit in one
 * transaction, so a redelivered event (same ce_id) finds its row and changes nothing.
 */
export class Inbox {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly consumer: string,
  ) {}

  /** Runs `effect` unless this consumer already applied the event. Returns whether it ran. */
  async applyOnce(entry: InboxEntry, effect: (trx: Transaction<Database>) => Promise<void>): Promise<boolean> {
    // Inside a unit of work (a whole batch in one transaction) the event joins it.
    const ambient = ambientTransaction();
    if (ambient) return this.applyIn(ambient, entry, effect);
    return this.db.transaction().execute((trx) => this.applyIn(trx, entry, effect));
  }

  /**
   * Claims a whole batch's events in `trx` with one insert per 1,000 events: returns the ids
   * this consumer had not applied yet, whose effects the caller then applies in the same
   * transaction. An id listed twice is claimed once (a redelivery within the batch).
   */
  async claim(trx: Transaction<Database>, entries: readonly InboxEntry[]): Promise<Set<string>> {
    const seen = new Set<string>();
    const unique = entries.filter((e) => !seen.has(e.eventId) && seen.add(e.eventId));
    const rows = await insertRows<{ event_id: string }>(
      trx,
      CLAIM,
      unique.map((e) => [this.consumer, e.eventId, e.eventType, e.topic, e.partition, e.offset]),
    );
    return new Set(rows.map((r) => r.event_id));
  }

  private async applyIn(
    trx: Transaction<Database>,
    entry: InboxEntry,
    effect: (trx: Transaction<Database>) => Promise<void>,
  ): Promise<boolean> {
    const inserted = await trx
      .insertInto('inbox')
      .values({
        consumer: this.consumer,
        event_id: entry.eventId,
        event_type: entry.eventType,
        topic: entry.topic,
        partition: entry.partition,
        offset: entry.offset,
      })
      .onConflict((oc) => oc.columns(['consumer', 'event_id']).doNothing())
      .returning('event_id')
      .executeTakeFirst();
    if (!inserted) return false;
    await effect(trx);
    return true;
  }
}
