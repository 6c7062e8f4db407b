import { sql, type Kysely } from 'kysely';

/**
 * Events that name a referral the tracker has not seen yet (topics are ordered per client, but
 * not across topics: a provider's service event may overtake the referral). They wait here and
 * are applied, in event-time order, in the transaction that records the referral.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('parked_event')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('referral_id', 'uuid', (c) => c.notNull())
    .addColumn('event_type', 'text', (c) => c.notNull())
    .addColumn('data', 'jsonb', (c) => c.notNull())
    .addColumn('cause', 'jsonb', (c) => c.notNull())
    .addColumn('event_time', 'timestamptz', (c) => c.notNull())
    .addColumn('parked_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema
    .createIndex('parked_event_by_referral')
    .on('parked_event')
    .columns(['referral_id', 'event_time', 'id'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('parked_event').execute();
}
