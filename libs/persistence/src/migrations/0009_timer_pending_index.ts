import { sql, type Kysely } from 'kysely';

/**
 * Due timers are looked for at every poll (and after every batch the tracker applies): the index
 * holds only timers still waiting (neither fired nor cancelled), in the order they are claimed.
 * The first version also held cancelled ones (every overdue timer of an accepted referral), so
 * each poll read more of them as the ledger grew.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`drop index timer_pending`.execute(db);
  await sql`create index timer_pending on timer (due_at, id) where fired_at is null and cancelled_at is null`.execute(
    db,
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop index timer_pending`.execute(db);
  await sql`create index timer_pending on timer (due_at) where fired_at is null`.execute(db);
}
