import { sql, type Transaction } from 'kysely';
import type { OutcomeMilestone } from '@passerelle/contracts';
import type { Database } from '@passerelle/persistence';

type Trx = Transaction<Database>;

/** What the ministry report needs of a referral, de-identified facts included. */
export interface ReferralFacts {
  referralId: string;
  clientId: string;
  referrer: string;
  provider: string | null;
  status: string;
  requestedAt: Date;
  acceptedAt: Date | null;
  catchment: string | null;
  providerType: string | null;
  ageBand: string | null;
  stream: string | null;
  snapshot: unknown;
}

export interface SupportRow {
  benefitId: string;
  clientId: string;
  network: string;
  issuedBy: string;
  benefitType: string;
  periodStart: string;
  periodEnd: string | null;
  referralId: string | null;
}

const day = (d: Date | null): string | null => (d === null ? null : d.toISOString().slice(0, 10));

/**
 * PostgreSQL side of outcome correlation: employment spells, the latest word on each milestone,
 * supports issued, and the referral facts reports need. Runs in the caller's transaction.
 */
export class OutcomeLedger {
  async referralFacts(trx: Trx, referralId: string): Promise<ReferralFacts | undefined> {
    const row = await trx
      .selectFrom('referral')
      .select(['referral_id', 'client_id', 'referrer', 'provider', 'status', 'requested_at', 'accepted_at', 'catchment', 'provider_type', 'age_band', 'stream', 'snapshot'])
      .where('referral_id', '=', referralId)
      .executeTakeFirst();
    if (!row) return undefined;
    return {
      referralId: row.referral_id,
      clientId: row.client_id,
      referrer: row.referrer,
      provider: row.provider,
      status: row.status,
      requestedAt: row.requested_at,
      acceptedAt: row.accepted_at,
      catchment: row.catchment,
      providerType: row.provider_type,
      ageBand: row.age_band,
      stream: row.stream,
      snapshot: row.snapshot,
    };
  }

  /**
   * The referral an event of `provider` about `clientId` belongs to when the event does not say:
   * the latest referral of that client the provider took.
   */
  async referralServedBy(trx: Trx, clientId: string, provider: string): Promise<string | undefined> {
    const row = await trx
      .selectFrom('referral')
      .select('referral_id')
      .where('client_id', '=', clientId)
      .where('provider', '=', provider)
      .where('status', 'in', ['accepted', 'in-progress', 'on-hold', 'completed', 'failed'])
      .orderBy('requested_at', 'desc')
      .limit(1)
      .executeTakeFirst();
    return row?.referral_id;
  }

  async saveSpell(trx: Trx, spell: { employmentSpellId: string; clientId: string; referralId?: string; reportedBy: string; startDate: string; eventTime: string }): Promise<void> {
    await trx
      .insertInto('employment_spell')
      .values({
        employment_spell_id: spell.employmentSpellId,
        client_id: spell.clientId,
        referral_id: spell.referralId ?? null,
        reported_by: spell.reportedBy,
        start_date: spell.startDate,
        event_time: spell.eventTime,
      })
      .onConflict((oc) =>
        oc
          .column('employment_spell_id')
          .doUpdateSet((eb) => ({ start_date: eb.ref('excluded.start_date'), event_time: eb.ref('excluded.event_time') }))
          .where((eb) => eb('employment_spell.event_time', '<', eb.ref('excluded.event_time'))),
      )
      .execute();
  }

  async spellStart(trx: Trx, employmentSpellId: string): Promise<string | undefined> {
    const row = await trx.selectFrom('employment_spell').select('start_date').where('employment_spell_id', '=', employmentSpellId).executeTakeFirst();
    return row ? day(row.start_date)! : undefined;
  }

  /**
   * Records a milestone unless a later word on it (by event time) is already kept: a late or
   * replayed update never overwrites a later one. Returns whether this one is now the latest.
   */
  async recordOutcome(trx: Trx, outcome: OutcomeMilestone, referralId: string | undefined, eventTime: string): Promise<boolean> {
    const result = await trx
      .insertInto('outcome')
      .values({
        client_id: outcome.clientId,
        outcome_type: outcome.outcomeType,
        employment_spell_id: outcome.employmentSpellId ?? '',
        outcome_id: outcome.outcomeId,
        referral_id: referralId ?? null,
        achieved: outcome.achieved,
        observed_on: outcome.observedOn,
        event_time: eventTime,
        reported_by: outcome.reportedBy,
        snapshot: JSON.stringify({ ...outcome, ...(referralId !== undefined && { referralId }) }),
      })
      .onConflict((oc) =>
        oc
          .columns(['client_id', 'outcome_type', 'employment_spell_id'])
          .doUpdateSet((eb) => ({
            outcome_id: eb.ref('excluded.outcome_id'),
            referral_id: eb.ref('excluded.referral_id'),
            achieved: eb.ref('excluded.achieved'),
            observed_on: eb.ref('excluded.observed_on'),
            event_time: eb.ref('excluded.event_time'),
            reported_by: eb.ref('excluded.reported_by'),
            snapshot: eb.ref('excluded.snapshot'),
          }))
          .where((eb) => eb('outcome.event_time', '<', eb.ref('excluded.event_time'))),
      )
      .executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0n) > 0;
  }

  /** Outcome types already recorded for a job. */
  async reportedMilestones(trx: Trx, clientId: string, employmentSpellId: string): Promise<Set<string>> {
    const rows = await trx
      .selectFrom('outcome')
      .select('outcome_type')
      .where('client_id', '=', clientId)
      .where('employment_spell_id', '=', employmentSpellId)
      .execute();
    return new Set(rows.map((r) => r.outcome_type));
  }

  /** Saves a support issued; returns the supports of the same type to the same client by another network whose periods overlap. */
  async saveSupport(trx: Trx, support: SupportRow): Promise<SupportRow[]> {
    await trx
      .insertInto('support_issued')
      .values({
        benefit_id: support.benefitId,
        client_id: support.clientId,
        network: support.network,
        issued_by: support.issuedBy,
        benefit_type: support.benefitType,
        period_start: support.periodStart,
        period_end: support.periodEnd,
        referral_id: support.referralId,
      })
      .onConflict((oc) => oc.column('benefit_id').doNothing())
      .execute();
    const end = support.periodEnd ?? support.periodStart;
    const rows = await trx
      .selectFrom('support_issued')
      .selectAll()
      .where('client_id', '=', support.clientId)
      .where('benefit_type', '=', support.benefitType)
      .where('benefit_id', '!=', support.benefitId)
      .where('network', support.network === 'eo' ? '!=' : '=', 'eo')
      .where('period_start', '<=', sql<Date>`${end}::date`)
      .where(sql<boolean>`coalesce(period_end, period_start) >= ${support.periodStart}::date`)
      .orderBy('benefit_id')
      .execute();
    return rows.map((r) => ({
      benefitId: r.benefit_id,
      clientId: r.client_id,
      network: r.network,
      issuedBy: r.issued_by,
      benefitType: r.benefit_type,
      periodStart: day(r.period_start)!,
      periodEnd: day(r.period_end),
      referralId: r.referral_id,
    }));
  }

  /** Keeps what reports need when a referral is routed (region, catchment, provider type, age band) or assessed (stream). */
  async setReferralFacts(trx: Trx, referralId: string, facts: { catchment?: string; providerType?: string; ageBand?: string; region?: string; stream?: string; acceptedAt?: string }): Promise<void> {
    const set: Record<string, string> = {};
    if (facts.catchment !== undefined) set.catchment = facts.catchment;
    if (facts.providerType !== undefined) set.provider_type = facts.providerType;
    if (facts.ageBand !== undefined) set.age_band = facts.ageBand;
    if (facts.region !== undefined) set.region = facts.region;
    if (facts.stream !== undefined) set.stream = facts.stream;
    if (facts.acceptedAt !== undefined) set.accepted_at = facts.acceptedAt;
    if (Object.keys(set).length === 0) return;
    await trx.updateTable('referral').set(set).where('referral_id', '=', referralId).execute();
  }
}
