import { sql, type Kysely } from 'kysely';

/**
 * When the ledger last changed each referral, by the database's clock: `updated_at` is the time of
 * the event that changed it (a provider's record can report a change weeks late), so a referrer
 * polling `updatedSince` would miss late changes; `changed_at` only moves forward. A trigger sets
 * it on every insert and update, whoever writes the row.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('referral')
    .addColumn('changed_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`clock_timestamp()`))
    .execute();
  await sql`
    create function referral_changed_at() returns trigger language plpgsql as $$
    begin
      new.changed_at := clock_timestamp();
      return new;
    end $$`.execute(db);
  await sql`create trigger referral_changed_at before insert or update on referral for each row execute function referral_changed_at()`.execute(
    db,
  );
  await db.schema
    .createIndex('referral_by_referrer_change')
    .on('referral')
    .columns(['referrer', 'changed_at', 'referral_id'])
    .execute();
  await db.schema
    .createIndex('referral_by_provider_change')
    .on('referral')
    .columns(['provider', 'changed_at', 'referral_id'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop trigger referral_changed_at on referral`.execute(db);
  await sql`drop function referral_changed_at()`.execute(db);
  await db.schema.alterTable('referral').dropColumn('changed_at').execute();
}
