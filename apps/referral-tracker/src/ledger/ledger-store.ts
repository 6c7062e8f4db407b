import { sql, type Transaction } from 'kysely';
import type { Referral } from '@passerelle/contracts';
import {
  addJsonToOutbox,
  cancelTimers,
  insertRows,
  scheduleTimers,
  type ColumnOf,
  type Database,
  type MultiRowInsert,
} from '@passerelle/persistence';
import { TrackerError, TrackerErrorCode } from '../tracking/tracker.error';
import {
  WorkingSet,
  uuidKey,
  type LedgerChanges,
  type LedgerKeys,
  type LoadedConsent,
  type LoadedLedger,
  type LoadedOutcome,
  type LoadedParkedEvent,
  type LoadedReferral,
  type LoadedSpell,
  type ParkedCause,
  type ParkedEvent,
  type ReferralWrite,
  type SupportRow,
} from './working-set';

type Trx = Transaction<Database>;

/** `timestamptz` as microseconds since the epoch, exactly (PostgreSQL's precision). */
const micros = (column: string) => sql<string>`(extract(epoch from ${sql.ref(column)}) * 1000000)::int8`;

/**
 * The tracker's tables, a batch at a time: {@link load} locks and reads every row a batch of
 * events may touch (one statement per table), {@link write} writes what the batch changed (one
 * statement per table). Both run in the caller's transaction, the one that also holds the
 * batch's inbox rows.
 */
export class LedgerStore {
  /**
   * Locks and loads the rows of `keys`. Referrals are serialized as the row-at-a-time ledger did:
   * an advisory lock per referral id asked for (taken in id order, in one statement; it holds
   * even before the row exists, so recording a referral and parking an event for it never
   * interleave), and FOR UPDATE on every referral row read. Events parked for those referrals
   * are loaded too, and the rows they in turn read (`keysOfParked`).
   */
  async load(trx: Trx, keys: LedgerKeys, keysOfParked: (event: ParkedEvent) => LedgerKeys): Promise<WorkingSet> {
    const scope = {
      referralIds: new Set<string>(),
      clientReferrals: new Set<string>(),
      consentIds: new Set<string>(),
      spellIds: new Set<string>(),
      outcomeClients: new Set<string>(),
      supportClients: new Set<string>(),
    };
    const referrals = new Map<string, LoadedReferral>();
    const parked: LoadedParkedEvent[] = [];
    const parkedLoaded = new Set<string>();
    const addKeys = (k: LedgerKeys): void => {
      for (const id of k.consentIds) scope.consentIds.add(uuidKey(id));
      for (const id of k.spellIds) scope.spellIds.add(uuidKey(id));
      for (const id of k.outcomeClients) scope.outcomeClients.add(uuidKey(id));
      for (const id of k.supportClients) scope.supportClients.add(uuidKey(id));
    };

    let pending: LedgerKeys = keys;
    for (;;) {
      addKeys(pending);
      const ids = [...new Set([...pending.referralIds].map(uuidKey))].filter((id) => !scope.referralIds.has(id)).sort();
      const clients = [...new Set([...pending.clientReferrals].map(uuidKey))]
        .filter((id) => !scope.clientReferrals.has(id))
        .sort();
      if (ids.length === 0 && clients.length === 0) break;
      if (ids.length > 0) await this.lockReferrals(trx, ids);
      for (const row of await this.selectReferrals(trx, ids, clients))
        if (!referrals.has(row.referralId)) referrals.set(row.referralId, row);
      for (const id of ids) scope.referralIds.add(id);
      for (const id of clients) scope.clientReferrals.add(id);

      const parkFor = [...new Set([...ids, ...referrals.keys()])].filter((id) => !parkedLoaded.has(id));
      const found = parkFor.length === 0 ? [] : await this.selectParked(trx, parkFor);
      for (const id of parkFor) parkedLoaded.add(id);
      parked.push(...found);
      // What the parked events will read once applied (their referral is loaded already, as a rule).
      pending = mergeKeys(found.map((p) => keysOfParked(p)));
    }

    for (const r of referrals.values()) scope.consentIds.add(r.consentId);
    const loaded: LoadedLedger = {
      scope,
      referrals: [...referrals.values()],
      parked,
      consents: await this.selectConsents(trx, [...scope.consentIds]),
      spells: await this.selectSpells(trx, [...scope.spellIds]),
      outcomes: await this.selectOutcomes(trx, [...scope.outcomeClients]),
      supports: await this.selectSupports(trx, [...scope.supportClients]),
    };
    return new WorkingSet(loaded);
  }

  /** Writes a batch's changes: one statement per table (per 1,000 rows), rows in the order they arose. */
  async write(trx: Trx, changes: LedgerChanges): Promise<void> {
    await insertRows(trx, REFERRAL_INSERT, changes.insertedReferrals.map(referralValues));
    // Rows known to exist (loaded FOR UPDATE): the upsert updates each, in one statement.
    await insertRows(trx, REFERRAL_UPDATE, changes.updatedReferrals.map(referralValues));
    await insertRows(
      trx,
      HISTORY_INSERT,
      changes.history.map((h) => [
        h.referralId,
        h.fromStatus,
        h.toStatus,
        h.businessStatus,
        h.actor,
        h.actorOrg,
        h.reason === undefined ? null : JSON.stringify(h.reason),
        h.eventId,
        h.occurredAt,
      ]),
    );
    await insertRows(
      trx,
      CONSENT_UPSERT,
      changes.consents.map((c) => [
        c.consentId,
        c.clientId,
        c.purpose,
        c.recipients,
        c.grantedAt,
        c.expiresOn,
        c.withdrawnAt,
        c.snapshot,
      ]),
    );
    if (changes.parkedDeletes.length > 0) {
      await sql`delete from parked_event where id = any(${changes.parkedDeletes}::int8[])`.execute(trx);
    }
    await insertRows(
      trx,
      PARKED_INSERT,
      changes.parkedInserts.map((p) => [p.referralId, p.eventType, p.data, p.cause, p.eventTime]),
    );
    const spells = await insertRows<{ employment_spell_id: string }>(
      trx,
      SPELL_UPSERT,
      changes.spells.map((s) => [
        s.employmentSpellId,
        s.clientId,
        s.referralId,
        s.reportedBy,
        s.startDate,
        s.eventTime,
      ]),
    );
    const outcomes = await insertRows<{ client_id: string }>(
      trx,
      OUTCOME_UPSERT,
      changes.outcomes.map((o) => [
        o.clientId,
        o.outcomeType,
        o.employmentSpellId,
        o.outcomeId,
        o.referralId,
        o.achieved,
        o.observedOn,
        o.eventTime,
        o.reportedBy,
        o.snapshot,
      ]),
    );
    // The batch decided "latest by event time" on the rows it loaded; a transaction that wrote a
    // later word in between (another replica) makes the database disagree: retry the batch.
    if (spells.length !== changes.spells.length || outcomes.length !== changes.outcomes.length) {
      throw new TrackerError(
        TrackerErrorCode.ConcurrentChange,
        `${changes.spells.length - spells.length} employment spell(s), ${changes.outcomes.length - outcomes.length} outcome(s) changed by another transaction meanwhile`,
      );
    }
    await insertRows(
      trx,
      SUPPORT_INSERT,
      changes.supports.map((s) => [
        s.benefitId,
        s.clientId,
        s.network,
        s.issuedBy,
        s.benefitType,
        s.periodStart,
        s.periodEnd,
        s.referralId,
      ]),
    );
    await cancelTimers(trx, changes.timers.cancelFirst);
    await scheduleTimers(trx, changes.timers.schedule);
    await cancelTimers(trx, changes.timers.cancelAfter);
    await addJsonToOutbox(trx, changes.outbox);
  }

  /**
   * Each referral if nobody else holds it right now (`busy` otherwise; absent: no such referral),
   * with three statements for all of them: for timers, which hold timer rows and must not wait
   * on an event's transaction that may want those rows. Keys are the ids in lower case.
   */
  async referralsIfFree(trx: Trx, referralIds: readonly string[]): Promise<Map<string, Referral | 'busy'>> {
    const found = new Map<string, Referral | 'busy'>();
    const ids = [...new Set(referralIds.map(uuidKey))];
    if (ids.length === 0) return found;
    const { rows: tries } = await sql<{ id: string; locked: boolean }>`
      select id, pg_try_advisory_xact_lock(hashtextextended(id, 0)) as locked from unnest(${ids}::text[]) as id`.execute(
      trx,
    );
    const free = tries.filter((t) => t.locked).map((t) => t.id);
    for (const t of tries) if (!t.locked) found.set(t.id, 'busy');
    if (free.length === 0) return found;
    const { rows } = await sql<{ referral_id: string; snapshot: Referral }>`
      select referral_id, snapshot from referral where referral_id = any(${free}::uuid[]) for update skip locked`.execute(
      trx,
    );
    for (const row of rows) found.set(row.referral_id, row.snapshot);
    // Not returned: absent, or its row is locked by another transaction.
    const unseen = free.filter((id) => !found.has(id));
    if (unseen.length > 0) {
      const { rows: existing } = await sql<{
        referral_id: string;
      }>`select referral_id from referral where referral_id = any(${unseen}::uuid[])`.execute(trx);
      for (const row of existing) found.set(row.referral_id, 'busy');
    }
    return found;
  }

  /** One advisory lock per referral id (lower case), in the order given (sorted: no two batches wait on each other in a cycle). */
  private async lockReferrals(trx: Trx, ids: string[]): Promise<void> {
    await sql`select pg_advisory_xact_lock(hashtextextended(id, 0)) from unnest(${ids}::text[]) with ordinality as t(id, n) order by n`.execute(
      trx,
    );
  }

  private async selectReferrals(trx: Trx, ids: string[], clients: string[]): Promise<LoadedReferral[]> {
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

  private async selectParked(trx: Trx, referralIds: string[]): Promise<LoadedParkedEvent[]> {
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

  private async selectConsents(trx: Trx, ids: string[]): Promise<LoadedConsent[]> {
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

  private async selectSpells(trx: Trx, ids: string[]): Promise<LoadedSpell[]> {
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

  private async selectOutcomes(trx: Trx, clients: string[]): Promise<LoadedOutcome[]> {
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

  private async selectSupports(trx: Trx, clients: string[]): Promise<SupportRow[]> {
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
}

const REFERRAL_COLUMNS: readonly ColumnOf<'referral'>[] = [
  'referral_id',
  'client_id',
  'referrer',
  'provider',
  'status',
  'business_status',
  'consent_id',
  'requested_at',
  'updated_at',
  'snapshot',
  'version',
  'age_band',
  'region',
  'catchment',
  'provider_type',
  'stream',
  'accepted_at',
];
const REFERRAL_INSERT: MultiRowInsert<'referral'> = { table: 'referral', columns: REFERRAL_COLUMNS };
/** `version` carries how many updates to add; facts columns left null keep what the row holds. */
const REFERRAL_UPDATE: MultiRowInsert<'referral'> = {
  table: 'referral',
  columns: REFERRAL_COLUMNS,
  suffix: `on conflict (referral_id) do update set
    provider = excluded.provider, status = excluded.status, business_status = excluded.business_status,
    updated_at = excluded.updated_at, snapshot = excluded.snapshot, version = referral.version + excluded.version,
    age_band = coalesce(excluded.age_band, referral.age_band), region = coalesce(excluded.region, referral.region),
    catchment = coalesce(excluded.catchment, referral.catchment), provider_type = coalesce(excluded.provider_type, referral.provider_type),
    stream = coalesce(excluded.stream, referral.stream), accepted_at = coalesce(excluded.accepted_at, referral.accepted_at)`,
};
const HISTORY_INSERT: MultiRowInsert<'referral_history'> = {
  table: 'referral_history',
  columns: [
    'referral_id',
    'from_status',
    'to_status',
    'business_status',
    'actor',
    'actor_org',
    'reason',
    'event_id',
    'occurred_at',
  ],
};
/** A grant never undoes a withdrawal already recorded; who and when it was granted stay as first recorded. */
const CONSENT_UPSERT: MultiRowInsert<'consent'> = {
  table: 'consent',
  columns: ['consent_id', 'client_id', 'purpose', 'recipients', 'granted_at', 'expires_on', 'withdrawn_at', 'snapshot'],
  suffix: `on conflict (consent_id) do update set
    purpose = excluded.purpose, recipients = excluded.recipients, expires_on = excluded.expires_on,
    withdrawn_at = coalesce(consent.withdrawn_at, excluded.withdrawn_at), snapshot = excluded.snapshot`,
};
const PARKED_INSERT: MultiRowInsert<'parked_event'> = {
  table: 'parked_event',
  columns: ['referral_id', 'event_type', 'data', 'cause', 'event_time'],
};
/** A later word on a job (by event time) moves its start date; returns the rows written. */
const SPELL_UPSERT: MultiRowInsert<'employment_spell'> = {
  table: 'employment_spell',
  columns: ['employment_spell_id', 'client_id', 'referral_id', 'reported_by', 'start_date', 'event_time'],
  suffix: `on conflict (employment_spell_id) do update set start_date = excluded.start_date, event_time = excluded.event_time
    where employment_spell.event_time < excluded.event_time returning employment_spell_id`,
};
/** A milestone is replaced only by a later word on it (by event time); returns the rows written. */
const OUTCOME_UPSERT: MultiRowInsert<'outcome'> = {
  table: 'outcome',
  columns: [
    'client_id',
    'outcome_type',
    'employment_spell_id',
    'outcome_id',
    'referral_id',
    'achieved',
    'observed_on',
    'event_time',
    'reported_by',
    'snapshot',
  ],
  suffix: `on conflict (client_id, outcome_type, employment_spell_id) do update set
    outcome_id = excluded.outcome_id, referral_id = excluded.referral_id, achieved = excluded.achieved, observed_on = excluded.observed_on,
    event_time = excluded.event_time, reported_by = excluded.reported_by, snapshot = excluded.snapshot
    where outcome.event_time < excluded.event_time returning client_id`,
};
const SUPPORT_INSERT: MultiRowInsert<'support_issued'> = {
  table: 'support_issued',
  columns: [
    'benefit_id',
    'client_id',
    'network',
    'issued_by',
    'benefit_type',
    'period_start',
    'period_end',
    'referral_id',
  ],
  suffix: 'on conflict (benefit_id) do nothing',
};

function referralValues(r: ReferralWrite): unknown[] {
  return [
    r.referralId,
    r.clientId,
    r.referrer,
    r.provider,
    r.status,
    r.businessStatus,
    r.consentId,
    r.requestedAt,
    r.updatedAt,
    r.snapshot,
    r.version,
    r.ageBand,
    r.region,
    r.catchment,
    r.providerType,
    r.stream,
    r.acceptedAt,
  ];
}

/** The union of several events' keys. */
export function mergeKeys(all: readonly LedgerKeys[]): LedgerKeys {
  const merged = {
    referralIds: new Set<string>(),
    clientReferrals: new Set<string>(),
    consentIds: new Set<string>(),
    spellIds: new Set<string>(),
    outcomeClients: new Set<string>(),
    supportClients: new Set<string>(),
  };
  for (const keys of all) {
    for (const name of Object.keys(merged) as Array<keyof LedgerKeys>)
      for (const id of keys[name]) merged[name].add(id);
  }
  return merged;
}
