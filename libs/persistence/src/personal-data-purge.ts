import { sql, type Kysely, type Transaction } from 'kysely';

/**
 * What erasing a client removes from the database, besides its data key: the personal member of
 * its referrals' ledger snapshots and of events parked for them, its source-id links and the ids
 * its link conflicts name. Whatever else is kept about the client (statuses, dates, codes, the
 * clientId itself) is de-identified.
 * Idempotent: a second purge finds nothing left to remove.
 */
export async function purgeClientPersonalData(
  db: Kysely<unknown> | Transaction<unknown>,
  clientId: string,
): Promise<{ referrals: number; links: number }> {
  const referrals = await sql`
    update referral set snapshot = snapshot - 'personal'
    where client_id = ${clientId} and snapshot ? 'personal'`.execute(db);
  await sql`
    update parked_event set data = data - 'personal'
    where data ? 'personal' and referral_id in (select referral_id from referral where client_id = ${clientId})`.execute(
    db,
  );
  const links = await sql`delete from client_link where client_id = ${clientId}`.execute(db);
  // Link conflicts (migration 0016) name the source ids involved: the ids go, the conflict stays.
  const conflicts = await sql<{
    name: string | null;
  }>`select to_regclass('client_link_conflict')::text as name`.execute(db);
  if (conflicts.rows[0]?.name)
    await sql`
      update client_link_conflict set identities = '[]'::jsonb
      where ${clientId}::uuid in (client_id, conflicting_client_id) and identities <> '[]'::jsonb`.execute(db);
  return { referrals: Number(referrals.numAffectedRows ?? 0n), links: Number(links.numAffectedRows ?? 0n) };
}
