import { sql, type Kysely } from 'kysely';
import { followUpMilestoneSql } from '../follow-up-milestone';
import { affected, inBatches } from './retention-batches';
import type { PurgeCounts, RetentionDatabase } from './retention-purges';

/**
 * Deletes operational rows done before `cutoff` that nothing reads any more:
 * - timers fired or cancelled; but a fired follow-up stays until an outcome answers it, as the
 *   provider's follow-up list (`FollowUpReadModel`, the gateway) shows it until then;
 * - link conflicts resolved by linking. One resolved `kept-apart` stays: it is the decision the
 *   link registry looks up so the pair never conflicts again;
 * - acknowledged alerts, each with its acknowledgement (`GET /v1/alerts` reads the pair).
 * A row recorded again later (a replayed event) could only come from a topic, which no longer
 * holds what raised it: the inbox outlives every topic.
 */
export async function closedRecords(
  db: Kysely<RetentionDatabase>,
  batchRows: number,
  cutoff: Date,
): Promise<PurgeCounts> {
  const at = cutoff.toISOString();
  const timers = await inBatches(batchRows, async () =>
    affected(
      await sql`
        delete from timer where id in (
          select t.id from timer t
          where (t.fired_at is not null or t.cancelled_at is not null)
            and coalesce(t.fired_at, t.cancelled_at) < ${at}::timestamptz
            and (t.kind <> 'follow-up-due' or t.cancelled_at is not null or exists (
              select 1 from outcome o
              where o.client_id = t.client_id and o.outcome_type = ${followUpMilestoneSql('t')}
                and lower(o.employment_spell_id) = lower(t.payload->>'employmentSpellId')))
          limit ${batchRows} for update of t skip locked)`.execute(db),
    ),
  );
  const conflicts = await inBatches(batchRows, async () =>
    affected(
      await sql`
        delete from client_link_conflict where conflict_id in (
          select conflict_id from client_link_conflict
          where resolution = 'linked' and resolved_at < ${at}::timestamptz
          limit ${batchRows} for update skip locked)`.execute(db),
    ),
  );
  let alerts = 0;
  await inBatches(batchRows, async () => {
    const { rows } = await sql<{ acknowledgements: number; alerts: number }>`
      with due as (
        select alert_id from alert_acknowledgement where acknowledged_at < ${at}::timestamptz
        limit ${batchRows} for update skip locked),
      gone_alerts as (delete from referral_alert where alert_id in (select alert_id from due) returning 1),
      gone as (delete from alert_acknowledgement where alert_id in (select alert_id from due) returning 1)
      select (select count(*) from gone)::int as acknowledgements, (select count(*) from gone_alerts)::int as alerts`.execute(
      db,
    );
    alerts += rows[0].alerts;
    return rows[0].acknowledgements;
  });
  return { timers, conflicts, alerts };
}
