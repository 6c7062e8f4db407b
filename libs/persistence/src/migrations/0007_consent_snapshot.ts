import type { Kysely } from 'kysely';

/** The canonical Consent as last received, so a withdrawal requested through the API can be told in full. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('consent').addColumn('snapshot', 'jsonb').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('consent').dropColumn('snapshot').execute();
}
