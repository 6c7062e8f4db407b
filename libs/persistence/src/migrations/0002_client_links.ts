import { sql, type Kysely } from 'kysely';

/**
 * One row per source identifier (SAMS member id, ODSP member id, CaMS client reference number)
 * and the canonical client it belongs to. Records are linked, never merged: a source id belongs
 * to exactly one client, and a record whose ids point at two clients is a conflict for a person.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('client_link')
    .addColumn('source_system', 'text', (c) => c.notNull())
    .addColumn('source_id', 'text', (c) => c.notNull())
    .addColumn('client_id', 'uuid', (c) => c.notNull())
    .addColumn('linked_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('client_link_pk', ['source_system', 'source_id'])
    .execute();
  await db.schema.createIndex('client_link_by_client').on('client_link').column('client_id').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('client_link').execute();
}
