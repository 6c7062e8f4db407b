import { sql, type Kysely } from 'kysely';
import { inBatches } from './retention-batches';
import type { PurgeCounts, RetentionDatabase } from './retention-purges';

/**
 * Destroys the data keys of dormant clients: a live key (an erased client's tombstone stays) not
 * used (to seal or open) since before `cutoff`, of a client none of whose referrals is open or
 * changed since then (de-identifying one is a change: the key outlives it by the whole period).
 * Every copy of what the key sealed (Kafka, backups) becomes unreadable. Unlike erasure no
 * tombstone is left: a person who comes back gets a new key. With the key go the client's
 * source-id links, and the source ids its link conflicts name (the conflicts stay, as erasure
 * leaves them).
 *
 * A key being loaded is locked by that load (`ClientKeyRepository.use`, which also marks it
 * used): it is skipped here, and once marked it is no longer due. If this delete
 * locks it first, the load finds no key and the vault creates a new one.
 */
export async function dormantClientKeys(
  db: Kysely<RetentionDatabase>,
  batchRows: number,
  cutoff: Date,
  openStatuses: readonly string[],
): Promise<PurgeCounts> {
  const at = cutoff.toISOString();
  const open = sql`${[...openStatuses]}::text[]`;
  let links = 0;
  const keys = await inBatches(batchRows, async () => {
    const { rows } = await sql<{ keys: number; links: number }>`
      with due as (
        select k.client_id from client_key k
        where k.erased_at is null and k.used_at < ${at}::timestamptz
          and not exists (
            select 1 from referral r
            where r.client_id = k.client_id and (r.status = any(${open}) or r.changed_at >= ${at}::timestamptz))
        limit ${batchRows} for update of k skip locked),
      gone_links as (delete from client_link where client_id in (select client_id from due) returning 1),
      blanked as (
        update client_link_conflict set identities = '[]'::jsonb
        where identities <> '[]'::jsonb
          and (client_id in (select client_id from due) or conflicting_client_id in (select client_id from due))
        returning 1),
      gone as (delete from client_key where client_id in (select client_id from due) returning 1)
      select (select count(*) from gone)::int as keys, (select count(*) from gone_links)::int as links`.execute(db);
    links += rows[0].links;
    return rows[0].keys;
  });
  return { keys, links };
}
