import { randomUUID } from 'node:crypto';
import { sql, type Transaction } from 'kysely';
import type { Database } from '@passerelle/persistence';

const MS = 1;
const DAY = 86_400_000;
const at = (ms: number) => new Date(ms).toISOString();

/** Ids of the clients, timers, conflicts and alerts seeded, by whether the run must purge them. */
export interface SeededRecords {
  clients: {
    /** Dormant: key and links go. One had a closed referral, the other none. */
    dormant: string[];
    /** Each keeps key and links: a referral open, the key used at the cutoff, a referral changed at the cutoff. */
    open: string;
    usedAtCutoff: string;
    changedAtCutoff: string;
    /** Erased long ago: its tombstone stays. */
    erased: string;
    /** Referrals of these clients (no personal member, so no other purge touches them). */
    referrals: string[];
    /** Names a dormant client: its identities are blanked, the conflict stays. */
    conflictWithDormant: string;
  };
  timers: { due: string[]; kept: string[] };
  conflicts: { due: string[]; kept: string[] };
  alerts: { due: string[]; kept: string[] };
}

/**
 * Client keys and links around the client-key cutoff, and timers, conflicts and alerts around the
 * closed-record cutoff: each just before (due) and at (kept) its cutoff, plus what is not done.
 */
export async function seedRecords(
  trx: Transaction<Database>,
  cutoff: { clientKey: number; closedRecord: number },
): Promise<SeededRecords> {
  const referrals: string[] = [];
  const referral = async (clientId: string, status: string, changedAt: number) => {
    const id = randomUUID();
    referrals.push(id);
    await sql`insert into referral (referral_id, client_id, referrer, status, business_status, consent_id,
        requested_at, updated_at, snapshot, changed_at)
      values (${id}, ${clientId}, 'ow:toronto', ${status}, ${status}, ${randomUUID()}, ${at(changedAt - DAY)},
        ${at(changedAt)}, ${JSON.stringify({ referralId: id, status })}::jsonb, ${at(changedAt)})`.execute(trx);
    return id;
  };
  const client = async (usedAt: number, links: number, erasedAt?: number): Promise<string> => {
    const id = randomUUID();
    await sql`insert into client_key (client_id, wrapped_key, master_key_id, created_at, erased_at, used_at)
      values (${id}, ${erasedAt === undefined ? 'wrapped' : null}, ${erasedAt === undefined ? 'mk-1' : null},
        ${at(usedAt - 10 * DAY)}, ${erasedAt === undefined ? null : at(erasedAt)}, ${at(usedAt)})`.execute(trx);
    for (let n = 0; n < links; n += 1)
      await sql`insert into client_link (source_system, source_id, client_id, linked_at)
        values ('sams', ${randomUUID()}, ${id}, ${at(usedAt - DAY)})`.execute(trx);
    return id;
  };
  const old = cutoff.clientKey - 30 * DAY;
  const dormant = [await client(cutoff.clientKey - MS, 2), await client(old, 1)];
  await referral(dormant[0], 'completed', cutoff.clientKey - DAY);
  const open = await client(old, 1);
  await referral(open, 'accepted', old);
  const usedAtCutoff = await client(cutoff.clientKey, 1);
  await referral(usedAtCutoff, 'completed', old);
  const changedAtCutoff = await client(old, 1);
  await referral(changedAtCutoff, 'completed', old);
  await referral(changedAtCutoff, 'rejected', cutoff.clientKey);
  const erased = await client(old, 0, old);

  const conflict = async (
    clientId: string,
    other: string,
    resolution: 'linked' | 'kept-apart' | null,
    resolvedAt: number | null,
  ): Promise<string> => {
    const id = randomUUID();
    const identities = [
      { system: 'sams', id: randomUUID(), clientId },
      { system: 'odsp', id: randomUUID(), clientId: other },
    ];
    await sql`insert into client_link_conflict (conflict_id, involved_orgs, client_id, conflicting_client_id, identities,
        source_system, source_record_id, detected_at, resolution, resolved_to, resolved_by, resolved_at)
      values (${id}, array['ow:toronto'], ${clientId}, ${other}, ${JSON.stringify(identities)}::jsonb, 'sams', 'r1',
        ${at(cutoff.closedRecord - 200 * DAY)}, ${resolution}, ${resolution === 'linked' ? clientId : null},
        ${resolution === null ? null : 'u1'}, ${resolvedAt === null ? null : at(resolvedAt)})`.execute(trx);
    return id;
  };
  const conflictWithDormant = await conflict(open, dormant[0], null, null);
  const conflicts = {
    due: [await conflict(randomUUID(), randomUUID(), 'linked', cutoff.closedRecord - MS)],
    kept: [
      conflictWithDormant,
      await conflict(randomUUID(), randomUUID(), 'linked', cutoff.closedRecord),
      // The decision the link registry looks up: it stays however old.
      await conflict(randomUUID(), randomUUID(), 'kept-apart', cutoff.closedRecord - 100 * DAY),
    ],
  };

  const timer = async (
    kind: 'referral-overdue' | 'follow-up-due',
    done: { firedAt?: number; cancelledAt?: number },
    answered = false,
  ): Promise<string> => {
    const clientId = randomUUID();
    const spell = randomUUID();
    const payload = kind === 'follow-up-due' ? { employmentSpellId: spell, provider: 'eo:p1', months: 3 } : {};
    const { rows } = await sql<{
      id: string;
    }>`insert into timer (timer_key, kind, client_id, due_at, payload, fired_at, cancelled_at)
      values (${randomUUID()}, ${kind}, ${clientId}, ${at(cutoff.closedRecord - 300 * DAY)}, ${JSON.stringify(payload)}::jsonb,
        ${done.firedAt === undefined ? null : at(done.firedAt)}, ${done.cancelledAt === undefined ? null : at(done.cancelledAt)})
      returning id::text`.execute(trx);
    // The outcome that answers a follow-up, its spell id in another case (the read model compares it lower-cased).
    if (answered)
      await sql`insert into outcome (client_id, outcome_type, employment_spell_id, outcome_id, achieved, observed_on, event_time, reported_by, snapshot)
        values (${clientId}, 'ies-employed-3-months', ${spell.toUpperCase()}, ${randomUUID()}, true, '2025-01-01',
          ${at(cutoff.closedRecord - 300 * DAY)}, 'eo:p1', '{}'::jsonb)`.execute(trx);
    return rows[0].id;
  };
  const timers = {
    due: [
      await timer('referral-overdue', { firedAt: cutoff.closedRecord - MS }),
      await timer('follow-up-due', { cancelledAt: cutoff.closedRecord - DAY }),
      await timer('follow-up-due', { firedAt: cutoff.closedRecord - DAY }, true),
    ],
    kept: [
      await timer('referral-overdue', { firedAt: cutoff.closedRecord }),
      await timer('referral-overdue', {}),
      // Fired, not answered: the provider still lists it.
      await timer('follow-up-due', { firedAt: cutoff.closedRecord - 100 * DAY }),
    ],
  };

  const alert = async (acknowledgedAt?: number): Promise<string> => {
    const id = randomUUID();
    await sql`insert into referral_alert (alert_id, kind, recipient, client_id, occurred_at, details)
      values (${id}, 'no-show', 'ow:toronto', ${randomUUID()}, ${at(cutoff.closedRecord - 200 * DAY)}, '{}'::jsonb)`.execute(
      trx,
    );
    if (acknowledgedAt !== undefined)
      await sql`insert into alert_acknowledgement (alert_id, org, acknowledged_by, acknowledged_at)
        values (${id}, 'ow:toronto', 'u1', ${at(acknowledgedAt)})`.execute(trx);
    return id;
  };
  const alerts = {
    due: [await alert(cutoff.closedRecord - MS)],
    kept: [await alert(cutoff.closedRecord), await alert()],
  };

  return {
    clients: { dormant, open, usedAtCutoff, changedAtCutoff, erased, referrals, conflictWithDormant },
    timers,
    conflicts,
    alerts,
  };
}
