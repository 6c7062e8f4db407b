import { sql, type Kysely } from 'kysely';

/**
 * Per-client data keys of the `personal` member (crypto-shredding): each client's random data
 * key, wrapped by the master key `master_key_id`. Erasing a client nulls the wrapped key and
 * keeps the row as a tombstone (`erased_at`), so no new key is ever created for that client.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('client_key')
    .addColumn('client_id', 'uuid', (c) => c.primaryKey())
    .addColumn('wrapped_key', 'text')
    .addColumn('master_key_id', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('erased_at', 'timestamptz')
    .addCheckConstraint('client_key_live_or_erased', sql`(erased_at is null) = (wrapped_key is not null)`)
    .execute();
  // What `npm run keys:rotate` pages through: live keys by wrapping key.
  await sql`create index client_key_live_by_master on client_key (master_key_id, client_id) where erased_at is null`.execute(
    db,
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('client_key').execute();
}
