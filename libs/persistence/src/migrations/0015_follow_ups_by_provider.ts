import { sql, type Kysely } from 'kysely';

/**
 * A provider lists its outcome follow-ups due (`GET /v1/provider/follow-ups?due=`): the index
 * holds only follow-up timers not cancelled (fired ones stay until an outcome answers them), by
 * provider then due date, in the order pages are read.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`create index timer_follow_up_by_provider on timer ((payload->>'provider'), (payload->>'dueOn'), id)
    where kind = 'follow-up-due' and cancelled_at is null`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop index timer_follow_up_by_provider`.execute(db);
}
