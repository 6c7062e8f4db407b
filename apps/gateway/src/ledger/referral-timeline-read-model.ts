import { Inject, Injectable } from '@nestjs/common';
import { sql } from 'kysely';
import type { DatabaseHandle, GatewayDatabase } from '@passerelle/persistence';
import { DATABASE } from '../tokens';

/** One change of a referral as the tracker recorded it (`referral_history`). */
export interface RecordedChange {
  fromStatus: string | null;
  toStatus: string;
  businessStatus: string;
  /** `referrer`, `provider` or `system`. */
  actor: string;
  actorOrg: string;
  /** As the tracker stored it: `{ declineReason, text }`, `{ code, text }` or `{ text }`; null when none. */
  reason: unknown;
  eventId: string;
  occurredAt: Date;
  recordedAt: Date;
}

/** One outcome milestone tied to a referral (`outcome`: the latest word on each milestone). */
export interface RecordedOutcome {
  outcomeId: string;
  outcomeType: string;
  achieved: boolean;
  /** YYYY-MM-DD (read as text: a `date` parsed to a Date would shift with the server's time zone). */
  observedOn: string;
  reportedBy: string;
  /** Time of the event that reported it. */
  reportedAt: Date;
  /** The canonical OutcomeMilestone as last received. */
  snapshot: unknown;
}

/**
 * Read-only port over what the tracker keeps of a referral's past (`referral_history`, `outcome`,
 * typed read-only in `GatewayDatabase`): the gateway never writes them and reads them only here.
 * Each read first finds the `referral` row of the given referrer, so another organization's
 * referral is `undefined`, exactly like one the tracker does not hold.
 */
@Injectable()
export class ReferralTimelineReadModel {
  constructor(@Inject(DATABASE) private readonly database: DatabaseHandle<GatewayDatabase>) {}

  /**
   * Every change of the referral in the order the tracker recorded them (each one's `fromStatus`
   * is the previous one's `toStatus`; `occurredAt` may go back where a change was reported late).
   */
  async history(referralId: string, referrer: string): Promise<RecordedChange[] | undefined> {
    if (!(await this.isReferrerOf(referralId, referrer))) return undefined;
    const rows = await this.database.db
      .selectFrom('referral_history')
      .selectAll()
      .where('referral_id', '=', referralId)
      .orderBy('id')
      .execute();
    return rows.map((row) => ({
      fromStatus: row.from_status,
      toStatus: row.to_status,
      businessStatus: row.business_status,
      actor: row.actor,
      actorOrg: row.actor_org,
      reason: row.reason,
      eventId: row.event_id,
      occurredAt: row.occurred_at,
      recordedAt: row.recorded_at,
    }));
  }

  /** The outcome milestones tied to the referral, oldest observation first. */
  async outcomes(referralId: string, referrer: string): Promise<RecordedOutcome[] | undefined> {
    if (!(await this.isReferrerOf(referralId, referrer))) return undefined;
    const rows = await this.database.db
      .selectFrom('outcome')
      .select([
        'outcome_id',
        'outcome_type',
        'achieved',
        sql<string>`to_char(observed_on, 'YYYY-MM-DD')`.as('observed'),
        'reported_by',
        'event_time',
        'snapshot',
      ])
      .where('referral_id', '=', referralId)
      .orderBy('observed_on')
      .orderBy('event_time')
      .orderBy('outcome_type')
      .execute();
    return rows.map((row) => ({
      outcomeId: row.outcome_id,
      outcomeType: row.outcome_type,
      achieved: row.achieved,
      observedOn: row.observed,
      reportedBy: row.reported_by,
      reportedAt: row.event_time,
      snapshot: row.snapshot,
    }));
  }

  private async isReferrerOf(referralId: string, referrer: string): Promise<boolean> {
    const row = await this.database.db
      .selectFrom('referral')
      .select('referral_id')
      .where('referral_id', '=', referralId)
      .where('referrer', '=', referrer)
      .executeTakeFirst();
    return row !== undefined;
  }
}
