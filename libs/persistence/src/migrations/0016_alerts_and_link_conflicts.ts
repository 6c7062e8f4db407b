import { sql, type Kysely } from 'kysely';

/**
 * What caseworkers must see and act on:
 * - `referral_alert` (the tracker's ledger): duplicate supports and no-shows, one row per alert
 *   (ids derived from what raised it, so a replayed event raises nothing twice), for the referrer
 *   org it is addressed to; `details` holds ids and codes only, never personal data.
 * - `alert_acknowledgement` (the gateway's): who of the recipient acknowledged an alert, and when
 *   (the gateway never writes the tracker's ledger).
 * - `client_link_conflict` (the adapters'): a record whose source ids point at two clients, kept
 *   until a person of an organization involved (one whose record linked one of those ids) links
 *   them or keeps them apart.
 * - `client_link.linked_by`: the organization whose record attached the source id, which is how a
 *   conflict knows the organizations involved (null for links made before this migration).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('referral_alert')
    .addColumn('alert_id', 'uuid', (c) => c.primaryKey())
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('duplicate-support', 'no-show')`))
    .addColumn('recipient', 'text', (c) => c.notNull())
    .addColumn('referral_id', 'uuid')
    .addColumn('client_id', 'uuid', (c) => c.notNull())
    .addColumn('occurred_at', 'timestamptz', (c) => c.notNull())
    .addColumn('details', 'jsonb', (c) => c.notNull())
    .addColumn('recorded_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  // A recipient's alerts, newest first (GET /v1/alerts).
  await db.schema
    .createIndex('referral_alert_by_recipient')
    .on('referral_alert')
    .columns(['recipient', 'occurred_at desc', 'alert_id desc'])
    .execute();

  await db.schema
    .createTable('alert_acknowledgement')
    .addColumn('alert_id', 'uuid', (c) => c.primaryKey())
    .addColumn('org', 'text', (c) => c.notNull())
    .addColumn('acknowledged_by', 'text', (c) => c.notNull())
    .addColumn('acknowledged_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  await db.schema.alterTable('client_link').addColumn('linked_by', 'text').execute();
  await db.schema
    .createTable('client_link_conflict')
    .addColumn('conflict_id', 'uuid', (c) => c.primaryKey())
    .addColumn('involved_orgs', sql`text[]`, (c) => c.notNull())
    .addColumn('client_id', 'uuid', (c) => c.notNull())
    .addColumn('conflicting_client_id', 'uuid', (c) => c.notNull())
    // [{ system, id, clientId }]: the record's source ids and the client each pointed at.
    .addColumn('identities', 'jsonb', (c) => c.notNull())
    .addColumn('source_system', 'text', (c) => c.notNull())
    .addColumn('source_record_id', 'text', (c) => c.notNull())
    .addColumn('detected_at', 'timestamptz', (c) => c.notNull())
    .addColumn('resolution', 'text', (c) => c.check(sql`resolution in ('linked', 'kept-apart')`))
    .addColumn('resolved_to', 'uuid')
    .addColumn('resolved_by', 'text')
    .addColumn('resolved_at', 'timestamptz')
    .execute();
  // An organization's conflicts: `involved_orgs @> array[org]`.
  await sql`create index client_link_conflict_by_org on client_link_conflict using gin (involved_orgs)`.execute(db);
  // "Kept apart" is looked up by the pair when a record links the two clients again.
  await db.schema
    .createIndex('client_link_conflict_by_pair')
    .on('client_link_conflict')
    .columns(['client_id', 'conflicting_client_id'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('client_link_conflict').execute();
  await db.schema.alterTable('client_link').dropColumn('linked_by').execute();
  await db.schema.dropTable('alert_acknowledgement').execute();
  await db.schema.dropTable('referral_alert').execute();
}
