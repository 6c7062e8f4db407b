import { sql, type Kysely } from 'kysely';

/**
 * What the referral tracker needs beyond the ledger: durable timers (overdue referrals, outcome
 * follow-ups) that fire once across replicas, employment spells and outcomes correlated to
 * referrals (latest by event time), supports issued (to spot duplicates across networks), and the
 * de-identified facts of a referral kept for the ministry after personal data is gone.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('timer')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    // One timer per purpose: scheduling the same thing again (a redelivered event) changes nothing.
    .addColumn('timer_key', 'text', (c) => c.notNull().unique())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('client_id', 'uuid', (c) => c.notNull())
    .addColumn('referral_id', 'uuid')
    .addColumn('due_at', 'timestamptz', (c) => c.notNull())
    .addColumn('payload', 'jsonb', (c) => c.notNull())
    .addColumn('fired_at', 'timestamptz')
    .addColumn('cancelled_at', 'timestamptz')
    .execute();
  await db.schema
    .createIndex('timer_pending')
    .on('timer')
    .column('due_at')
    .where(sql.ref('fired_at'), 'is', null)
    .execute();

  await db.schema
    .createTable('employment_spell')
    .addColumn('employment_spell_id', 'uuid', (c) => c.primaryKey())
    .addColumn('client_id', 'uuid', (c) => c.notNull())
    .addColumn('referral_id', 'uuid')
    .addColumn('reported_by', 'text', (c) => c.notNull())
    .addColumn('start_date', 'date', (c) => c.notNull())
    .addColumn('event_time', 'timestamptz', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('outcome')
    .addColumn('client_id', 'uuid', (c) => c.notNull())
    // Milestone identity: type, and the job it is about ('' when none).
    .addColumn('outcome_type', 'text', (c) => c.notNull())
    .addColumn('employment_spell_id', 'text', (c) => c.notNull())
    .addColumn('outcome_id', 'uuid', (c) => c.notNull())
    .addColumn('referral_id', 'uuid')
    .addColumn('achieved', 'boolean', (c) => c.notNull())
    .addColumn('observed_on', 'date', (c) => c.notNull())
    .addColumn('event_time', 'timestamptz', (c) => c.notNull())
    .addColumn('reported_by', 'text', (c) => c.notNull())
    .addColumn('snapshot', 'jsonb', (c) => c.notNull())
    .addPrimaryKeyConstraint('outcome_pk', ['client_id', 'outcome_type', 'employment_spell_id'])
    .execute();
  await db.schema.createIndex('outcome_by_referral').on('outcome').column('referral_id').execute();

  await db.schema
    .createTable('support_issued')
    .addColumn('benefit_id', 'uuid', (c) => c.primaryKey())
    .addColumn('client_id', 'uuid', (c) => c.notNull())
    .addColumn('network', 'text', (c) => c.notNull())
    .addColumn('issued_by', 'text', (c) => c.notNull())
    .addColumn('benefit_type', 'text', (c) => c.notNull())
    .addColumn('period_start', 'date', (c) => c.notNull())
    .addColumn('period_end', 'date')
    .addColumn('referral_id', 'uuid')
    .execute();
  await db.schema
    .createIndex('support_by_client')
    .on('support_issued')
    .columns(['client_id', 'benefit_type'])
    .execute();

  // De-identified facts of a referral for the ministry, kept when personal data is dropped.
  await db.schema
    .alterTable('referral')
    .addColumn('age_band', 'text')
    .addColumn('region', 'text')
    .addColumn('catchment', 'text')
    .addColumn('provider_type', 'text')
    .addColumn('stream', 'text')
    .addColumn('accepted_at', 'timestamptz')
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('referral')
    .dropColumn('age_band')
    .dropColumn('region')
    .dropColumn('catchment')
    .dropColumn('provider_type')
    .dropColumn('stream')
    .dropColumn('accepted_at')
    .execute();
  for (const table of ['support_issued', 'outcome', 'employment_spell', 'timer'])
    await db.schema.dropTable(table).execute();
}
