import { sql, type Kysely } from 'kysely';

/**
 * The gateway's own tables: idempotency keys (one row per org and key: the request's hash, then
 * the response to replay) and referral submissions (what a referrer's `202` promised, readable
 * at once, before the tracker has recorded the referral).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('idempotency_key')
    .addColumn('org', 'text', (c) => c.notNull())
    .addColumn('idempotency_key', 'text', (c) => c.notNull())
    .addColumn('request_hash', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('response_status', 'integer')
    .addColumn('response_body', 'jsonb')
    .addColumn('response_headers', 'jsonb')
    .addColumn('started_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('completed_at', 'timestamptz')
    .addPrimaryKeyConstraint('idempotency_key_pk', ['org', 'idempotency_key'])
    .execute();

  await db.schema
    .createTable('referral_submission')
    .addColumn('referral_id', 'uuid', (c) => c.primaryKey())
    .addColumn('referrer', 'text', (c) => c.notNull())
    .addColumn('source_referral_id', 'text', (c) => c.notNull())
    .addColumn('event_id', 'text', (c) => c.notNull())
    .addColumn('submitted_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('referral_submission').execute();
  await db.schema.dropTable('idempotency_key').execute();
}
