import { sql, type Kysely, type Transaction } from 'kysely';
import { insertRows } from './multi-row-insert';
import { PollingLoop, type LoopFailureHandlers } from './polling-loop';
import type { Database } from './schema';

/** One event to emit: the topic (full name) and the whole CloudEvent as a JSON object. */
export interface OutboxMessage<E extends object = Record<string, unknown>> {
  topic: string;
  event: E;
}

/** Where relayed messages go (the Kafka producer, in the apps): resolves once they are durable. */
export interface OutboxSink {
  deliver(messages: OutboxMessage[]): Promise<void>;
}

/** Writes what a state change emits, in the transaction of that change. */
export async function addToOutbox(trx: Transaction<Database>, messages: OutboxMessage[]): Promise<void> {
  await addJsonToOutbox(
    trx,
    messages.map((m) => ({ topic: m.topic, json: JSON.stringify(m.event) })),
  );
}

/** An outbox message whose event is already serialized (JSON of the whole CloudEvent). */
export interface SerializedOutboxMessage {
  topic: string;
  json: string;
}

/**
 * Writes messages serialized when they were emitted (so later changes to the objects cannot
 * alter them), in order, with one insert per 1,000: rows are relayed in id order.
 */
export async function addJsonToOutbox(
  trx: Transaction<Database>,
  messages: readonly SerializedOutboxMessage[],
): Promise<void> {
  await insertRows(
    trx,
    { table: 'outbox', columns: ['topic', 'event'] },
    messages.map((m) => [m.topic, m.json]),
  );
}

export interface OutboxRelayOptions extends LoopFailureHandlers {
  /** Rows per delivery. */
  batchSize?: number;
  /** Wait between polls while the outbox is empty (a nudge ends it early). */
  idleMs?: number;
}

/**
 * Advisory lock of the relay: one relaying replica at a time keeps outbox order on Kafka.
 * Advisory locks are database-wide, so the key is the schema's own: deployments (or test suites)
 * sharing a database in different schemas relay side by side instead of taking turns.
 */
const RELAY_LOCK = sql<bigint>`hashtextextended(current_schema() || '.outbox-relay', 0)`;

/**
 * Moves outbox rows to the sink in id order and deletes them once delivered, in one transaction:
 * a crash between delivery and commit re-delivers (same ce_ids, so consumers deduplicate),
 * never loses. Replicas take turns through a transaction-scoped advisory lock, so two relays
 * never deliver the same rows concurrently or out of order.
 */
export class OutboxRelay {
  private readonly loop: PollingLoop;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly sink: OutboxSink,
    private readonly options: OutboxRelayOptions = {},
  ) {
    this.loop = new PollingLoop(() => this.relayOnce(), options.idleMs ?? 200, options);
  }

  /** Delivers one batch; returns how many rows it delivered (0 when empty or another replica holds the turn). */
  async relayOnce(): Promise<number> {
    return this.db.transaction().execute(async (trx) => {
      const { rows } = await sql<{
        locked: boolean | null;
      }>`select pg_try_advisory_xact_lock(${RELAY_LOCK}) as locked`.execute(trx);
      const locked = rows.at(0)?.locked;
      // No schema on the search_path makes the key null: say so rather than wait for a turn forever.
      if (locked === null || locked === undefined)
        throw new Error('the outbox schema does not exist (current_schema() is null)');
      if (!locked) return 0;
      const batch = await trx
        .selectFrom('outbox')
        .select(['id', 'topic', 'event'])
        .orderBy('id')
        .limit(this.options.batchSize ?? 1_000)
        .execute();
      if (batch.length === 0) return 0;
      await this.sink.deliver(batch.map((row) => ({ topic: row.topic, event: row.event as Record<string, unknown> })));
      await sql`delete from outbox where id = any(${batch.map((row) => row.id)}::int8[])`.execute(trx);
      return batch.length;
    });
  }

  start(): void {
    this.loop.start();
  }

  /** Something was just committed to the outbox: relay without waiting for the next poll. */
  nudge(): void {
    this.loop.nudge();
  }

  /** Stops polling after the batch in flight (what remains is relayed by the next start). */
  async stop(): Promise<void> {
    await this.loop.stop();
  }
}
