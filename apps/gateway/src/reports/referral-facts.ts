import { Inject, Injectable } from '@nestjs/common';
import { sql, type RawBuilder } from 'kysely';
import type { DatabaseHandle, GatewayDatabase } from '@passerelle/persistence';
import { DATABASE } from '../tokens';
import type { ReportDimension } from './report-params';

/** Milestone measures and the outcome types (schemas/codes/outcome-types.json) that count for each. */
export const MILESTONE_TYPES = {
  employedAt1Month: ['ies-employed-1-month'],
  employedAt3Months: ['ies-employed-3-months'],
  employedAt6Months: ['ies-employed-6-months'],
  employedAt12Months: ['ies-employed-12-months'],
  retention: ['employment-retention', 'odsp-job-retention'],
  increasedEarnings: ['increased-earnings'],
  exitsToEmployment: ['exit-to-employment'],
} as const satisfies Record<string, readonly string[]>;
export type MilestoneMeasure = keyof typeof MILESTONE_TYPES;
export const MILESTONE_MEASURES = Object.keys(MILESTONE_TYPES) as MilestoneMeasure[];

/**
 * What the report needs of one referral of the cohort, read from the tracker's ledger. De-identified:
 * the client appears only by its canonical id (to count distinct clients; it never leaves the
 * gateway), nothing of the `personal` member is read.
 */
export interface ReferralFact {
  clientId: string;
  group: Record<ReportDimension, string | null>;
  routedAt: Date | null;
  acceptedAt: Date | null;
  /** A provider declined it (a referral the gateway refused after its 202 is not a decline). */
  rejected: boolean;
  /** Coded reason of the first decline; null when not rejected (or, against the lifecycle, uncoded). */
  declineReason: string | null;
  inService: boolean;
  completed: boolean;
  employed: boolean;
  milestones: Record<MilestoneMeasure, boolean>;
  duplicateSupports: number;
}

interface FactRow {
  client_id: string;
  program: string | null;
  delivery_agent: string;
  catchment: string | null;
  provider_type: string | null;
  stream: string | null;
  region: string | null;
  month: string;
  routed_at: Date | null;
  accepted_at: Date | null;
  rejected: boolean | null;
  decline_reason: string | null;
  in_service: boolean | null;
  completed: boolean | null;
  employed: boolean | null;
  m_employed_at_1_month: boolean | null;
  m_employed_at_3_months: boolean | null;
  m_employed_at_6_months: boolean | null;
  m_employed_at_12_months: boolean | null;
  m_retention: boolean | null;
  m_increased_earnings: boolean | null;
  m_exits_to_employment: boolean | null;
  duplicate_supports: number | null;
}

const columnOf = (measure: MilestoneMeasure): string =>
  `m_${measure.replace(/[A-Z0-9]+/g, (m) => `_${m.toLowerCase()}`)}`;

/**
 * Read-only port over the referral tracker's ledger (`referral`, `referral_history`, `outcome`,
 * `employment_spell`, `support_issued`): the tracker owns and writes those tables, the reports
 * only read them, here and nowhere else in the gateway.
 */
@Injectable()
export class ReferralFacts {
  constructor(@Inject(DATABASE) private readonly database: DatabaseHandle<GatewayDatabase>) {}

  /**
   * The facts of every referral made from `from` to `to` (days of America/Toronto, both
   * included). One statement, set-based: the cohort, then per referral its history (first
   * routing, first acceptance, first decline and its reason, service started, completed), job
   * starts, achieved milestones and duplicate supports, each joined on the client (the ledger has
   * no index on a spell's or a support's referral, and an untied record counts by client and date).
   */
  async madeBetween(from: string, to: string): Promise<ReferralFact[]> {
    const { rows } = await factsQuery(from, to).execute(this.database.db);
    return rows.map(toFact);
  }
}

function factsQuery(from: string, to: string): RawBuilder<FactRow> {
  const milestoneColumns = sql.join(
    MILESTONE_MEASURES.map(
      (m) =>
        sql`bool_or(o.outcome_type in (${sql.join(MILESTONE_TYPES[m].map((t) => sql.lit(t)))})) as ${sql.ref(columnOf(m))}`,
    ),
  );
  const milestoneSelect = sql.join(MILESTONE_MEASURES.map((m) => sql`o.${sql.ref(columnOf(m))}`));
  return sql<FactRow>`
    with cohort as (
      select r.referral_id, r.client_id,
             (r.requested_at at time zone 'America/Toronto')::date as requested_on,
             r.snapshot->>'program' as program,
             r.referrer as delivery_agent, r.catchment, r.provider_type, r.stream, r.region,
             to_char(r.requested_at at time zone 'America/Toronto', 'YYYY-MM') as month
        from referral r
       where r.requested_at >= (${from}::date)::timestamp at time zone 'America/Toronto'
         and r.requested_at < (${to}::date + 1)::timestamp at time zone 'America/Toronto'
    ),
    history as (
      select h.referral_id,
             min(h.occurred_at) filter (where h.business_status = 'routed') as routed_at,
             min(h.occurred_at) filter (where h.to_status = 'accepted' and h.from_status is distinct from 'accepted') as accepted_at,
             bool_or(h.to_status = 'rejected' and h.from_status is distinct from 'rejected' and h.actor = 'provider') as rejected,
             (array_agg(h.reason->>'declineReason' order by h.id) filter (where h.to_status = 'rejected' and h.from_status is distinct from 'rejected' and h.actor = 'provider'))[1] as decline_reason,
             bool_or(h.to_status = 'in-progress' and h.from_status is distinct from 'in-progress') as in_service,
             bool_or(h.to_status = 'completed' and h.from_status is distinct from 'completed') as completed
        from referral_history h
        join cohort c on c.referral_id = h.referral_id
       group by h.referral_id
    ),
    spells as (
      select c.referral_id, true as employed
        from cohort c
        join employment_spell s on s.client_id = c.client_id
       where s.referral_id = c.referral_id or (s.referral_id is null and s.start_date >= c.requested_on)
       group by c.referral_id
    ),
    outcomes as (
      select c.referral_id, ${milestoneColumns}
        from cohort c
        join outcome o on o.client_id = c.client_id
       where o.achieved and (o.referral_id = c.referral_id or (o.referral_id is null and o.observed_on >= c.requested_on))
       group by c.referral_id
    ),
    duplicates as (
      select c.referral_id, count(*)::int as duplicate_supports
        from cohort c
        join support_issued e on e.client_id = c.client_id and e.network = 'eo'
        join support_issued i on i.client_id = e.client_id and i.network <> 'eo' and i.benefit_type = e.benefit_type
                              and i.period_start <= coalesce(e.period_end, e.period_start)
                              and coalesce(i.period_end, i.period_start) >= e.period_start
       where e.referral_id = c.referral_id or (e.referral_id is null and e.period_start >= c.requested_on)
       group by c.referral_id
    )
    select c.client_id, c.program, c.delivery_agent, c.catchment, c.provider_type, c.stream, c.region, c.month,
           h.routed_at, h.accepted_at, h.rejected, h.decline_reason, h.in_service, h.completed,
           s.employed, ${milestoneSelect}, d.duplicate_supports
      from cohort c
      left join history h on h.referral_id = c.referral_id
      left join spells s on s.referral_id = c.referral_id
      left join outcomes o on o.referral_id = c.referral_id
      left join duplicates d on d.referral_id = c.referral_id
  `;
}

function toFact(row: FactRow): ReferralFact {
  return {
    clientId: row.client_id,
    group: {
      program: row.program,
      deliveryAgent: row.delivery_agent,
      catchment: row.catchment,
      providerType: row.provider_type,
      stream: row.stream,
      region: row.region,
      month: row.month,
    },
    routedAt: row.routed_at,
    acceptedAt: row.accepted_at,
    rejected: row.rejected === true,
    declineReason: row.rejected === true ? row.decline_reason : null,
    inService: row.in_service === true,
    completed: row.completed === true,
    employed: row.employed === true,
    milestones: Object.fromEntries(
      MILESTONE_MEASURES.map((m) => [m, row[columnOf(m) as keyof FactRow] === true]),
    ) as Record<MilestoneMeasure, boolean>,
    duplicateSupports: row.duplicate_supports ?? 0,
  };
}
