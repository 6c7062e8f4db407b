import { sql, type Transaction } from 'kysely';
import type { Referral } from '@passerelle/contracts';
import type { Database } from '@passerelle/persistence';
import type {
  LoadedConsent,
  LoadedOutcome,
  LoadedParkedEvent,
  LoadedReferral,
  LoadedSpell,
  ParkedCause,
  SupportRow,
} from './ledger-rows';

/**
 * The SQL that loads a batch's ledger rows (one select per table) and locks its referrals: rows
 * come back as the pool returns them, with `timestamptz` columns also in microseconds.
 */

type Trx = Transaction<Database>;

/** `timestamptz` as microseconds since the epoch, exactly (PostgreSQL's precision). */
const micros = (column: string) => sql<string>`(extract(epoch from ${sql.ref(column)}) * 1000000)::int8`;

/** One advisory lock per referral id (lower case), in the order given (sorted: no two batches wait on each other in a cycle). */
export async function lockReferrals(trx: Trx, ids: string[]): Promise<void> {
  await sql`select pg_advisory_xact_lock(hashtextextended(id, 0)) from unnest(${ids}::text[]) with ordinality as t(id, n) order by n`.execute(
    trx,
  );
}

export async function selectReferrals(trx: Trx, ids: string[], clients: string[]): Promise<LoadedReferral[]> {
  const { rows } = await sql<{
    referral_id: string;
    client_id: string;
    referrer: string;
    provider: string | null;
    status: string;
    consent_id: string;
    requested_at: Date;
    requested_us: string;
    snapshot: Referral;
    age_band: string | null;
    region: string | null;
    catchment: string | null;
    provider_type: string | null;
    stream: string | null;
    accepted_at: Date | null;
  }>`
    select referral_id, client_id, referrer, provider, status, consent_id, requested_at, ${micros('requested_at')} as requested_us,
           snapshot, age_band, region, catchment, provider_type, stream, accepted_at
    from referral
    where referral_id = any(${ids}::uuid[]) or client_id = any(${clients}::uuid[])
    order by referral_id
    for update`.execute(trx);
  return rows.map((r) => ({
    referralId: r.referral_id,
    clientId: r.client_id,
    referrer: r.referrer,
    provider: r.provider,
    status: r.status,
    consentId: r.consent_id,
    requestedAt: r.requested_at,
    requestedAtUs: Number(r.requested_us),
    snapshot: r.snapshot,
    ageBand: r.age_band,
    region: r.region,
    catchment: r.catchment,
    providerType: r.provider_type,
    stream: r.stream,
    acceptedAt: r.accepted_at,
  }));
}

export async function selectParked(trx: Trx, referralIds: string[]): Promise<LoadedParkedEvent[]> {
  const rows = await trx
    .selectFrom('parked_event')
    .select(['id', 'referral_id', 'event_type', 'data', 'cause', 'event_time'])
    .where(sql<boolean>`referral_id = any(${referralIds}::uuid[])`)
    .execute();
  return rows.map((r) => ({
    id: r.id,
    referralId: r.referral_id,
    type: r.event_type,
    data: r.data,
    cause: r.cause as ParkedCause,
    eventTime: r.event_time,
  }));
}

export async function selectConsents(trx: Trx, ids: string[]): Promise<LoadedConsent[]> {
  if (ids.length === 0) return [];
  const { rows } = await sql<{
    consent_id: string;
    client_id: string;
    purpose: string;
    recipients: string[];
    granted_at: Date;
    expires_on: string | null;
    withdrawn_at: Date | null;
  }>`
    select consent_id, client_id, purpose, recipients, granted_at, expires_on::text as expires_on, withdrawn_at
    from consent where consent_id = any(${ids}::uuid[])`.execute(trx);
  return rows.map((r) => ({
    consentId: r.consent_id,
    clientId: r.client_id,
    purpose: r.purpose,
    recipients: r.recipients,
    grantedAt: r.granted_at,
    expiresOn: r.expires_on,
    withdrawnAt: r.withdrawn_at,
  }));
}

export async function selectSpells(trx: Trx, ids: string[]): Promise<LoadedSpell[]> {
  if (ids.length === 0) return [];
  const { rows } = await sql<{
    employment_spell_id: string;
    client_id: string;
    referral_id: string | null;
    reported_by: string;
    start_date: string;
    event_us: string;
  }>`
    select employment_spell_id, client_id, referral_id, reported_by, start_date::text as start_date, ${micros('event_time')} as event_us
    from employment_spell where employment_spell_id = any(${ids}::uuid[])`.execute(trx);
  return rows.map((r) => ({
    employmentSpellId: r.employment_spell_id,
    clientId: r.client_id,
    referralId: r.referral_id,
    reportedBy: r.reported_by,
    startDate: r.start_date,
    eventTimeUs: Number(r.event_us),
  }));
}

export async function selectOutcomes(trx: Trx, clients: string[]): Promise<LoadedOutcome[]> {
  if (clients.length === 0) return [];
  const { rows } = await sql<{
    client_id: string;
    outcome_type: string;
    employment_spell_id: string;
    event_us: string;
  }>`
    select client_id, outcome_type, employment_spell_id, ${micros('event_time')} as event_us
    from outcome where client_id = any(${clients}::uuid[])`.execute(trx);
  return rows.map((r) => ({
    clientId: r.client_id,
    outcomeType: r.outcome_type,
    employmentSpellId: r.employment_spell_id,
    eventTimeUs: Number(r.event_us),
  }));
}

export async function selectSupports(trx: Trx, clients: string[]): Promise<SupportRow[]> {
  if (clients.length === 0) return [];
  const { rows } = await sql<{
    benefit_id: string;
    client_id: string;
    network: string;
    issued_by: string;
    benefit_type: string;
    period_start: string;
    period_end: string | null;
    referral_id: string | null;
  }>`
    select benefit_id, client_id, network, issued_by, benefit_type, period_start::text as period_start, period_end::text as period_end, referral_id
    from support_issued where client_id = any(${clients}::uuid[])`.execute(trx);
  return rows.map((r) => ({
    benefitId: r.benefit_id,
    clientId: r.client_id,
    network: r.network,
    issuedBy: r.issued_by,
    benefitType: r.benefit_type,
    periodStart: r.period_start,
    periodEnd: r.period_end,
    referralId: r.referral_id,
  }));
}
