import { sql, type Kysely } from 'kysely';

/**
 * The referral tracker's ledger: one row per referral (its current canonical snapshot), the
 * history of every status change (who, when, why), the consents that allow routing, and the
 * outbox of events the tracker emits (relayed to Kafka after the state change committed).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('referral')
    .addColumn('referral_id', 'uuid', (c) => c.primaryKey())
    .addColumn('client_id', 'uuid', (c) => c.notNull())
    .addColumn('referrer', 'text', (c) => c.notNull())
    .addColumn('provider', 'text')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('business_status', 'text', (c) => c.notNull())
    .addColumn('consent_id', 'uuid', (c) => c.notNull())
    .addColumn('requested_at', 'timestamptz', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    // The canonical Referral as last emitted; `personal` is dropped when consent is withdrawn.
    .addColumn('snapshot', 'jsonb', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .execute();
  await db.schema.createIndex('referral_by_client').on('referral').column('client_id').execute();
  await db.schema.createIndex('referral_by_provider').on('referral').columns(['provider', 'status']).execute();
  await db.schema.createIndex('referral_by_referrer').on('referral').columns(['referrer', 'updated_at']).execute();

  await db.schema
    .createTable('referral_history')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('referral_id', 'uuid', (c) => c.notNull().references('referral.referral_id'))
    .addColumn('from_status', 'text')
    .addColumn('to_status', 'text', (c) => c.notNull())
    .addColumn('business_status', 'text', (c) => c.notNull())
    .addColumn('actor', 'text', (c) => c.notNull())
    .addColumn('actor_org', 'text', (c) => c.notNull())
    .addColumn('reason', 'jsonb')
    .addColumn('event_id', 'text', (c) => c.notNull())
    .addColumn('occurred_at', 'timestamptz', (c) => c.notNull())
    .addColumn('recorded_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema
    .createIndex('referral_history_by_referral')
    .on('referral_history')
    .columns(['referral_id', 'id'])
    .execute();

  await db.schema
    .createTable('consent')
    .addColumn('consent_id', 'uuid', (c) => c.primaryKey())
    .addColumn('client_id', 'uuid', (c) => c.notNull())
    .addColumn('purpose', 'text', (c) => c.notNull())
    .addColumn('recipients', sql`text[]`, (c) => c.notNull())
    .addColumn('granted_at', 'timestamptz', (c) => c.notNull())
    .addColumn('expires_on', 'date')
    .addColumn('withdrawn_at', 'timestamptz')
    .execute();
  await db.schema.createIndex('consent_by_client').on('consent').column('client_id').execute();

  await db.schema
    .createTable('outbox')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('topic', 'text', (c) => c.notNull())
    .addColumn('event', 'jsonb', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['outbox', 'consent', 'referral_history', 'referral']) await db.schema.dropTable(table).execute();
}
