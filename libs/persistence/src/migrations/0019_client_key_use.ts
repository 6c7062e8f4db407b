import { sql, type Kysely } from 'kysely';

/**
 * Retention of dormant clients' data keys and of finished operational rows (README, "Retention"):
 * - `client_key.used_at`: when the key was last loaded to seal or open personal data. The
 *   vault's key load sets it in the statement that reads the key, so retention (which deletes keys unused since
 *   its cutoff) never deletes one between that load and the record being opened. Not indexed:
 *   the touch stays a HOT update; retention scans `client_key`.
 * - Partial indexes matching the `where` of the closed-records purges, so they read only what is
 *   done: timers fired or cancelled, conflicts resolved by linking, acknowledgements by time.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('client_key')
    .addColumn('used_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await sql`create index timer_done on timer ((coalesce(fired_at, cancelled_at)))
    where fired_at is not null or cancelled_at is not null`.execute(db);
  await sql`create index client_link_conflict_linked on client_link_conflict (resolved_at)
    where resolution = 'linked'`.execute(db);
  await sql`create index alert_acknowledgement_by_time on alert_acknowledgement (acknowledged_at)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const index of ['alert_acknowledgement_by_time', 'client_link_conflict_linked', 'timer_done'])
    await sql`drop index ${sql.ref(index)}`.execute(db);
  await db.schema.alterTable('client_key').dropColumn('used_at').execute();
}
