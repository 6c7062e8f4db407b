import { Inject, Injectable } from '@nestjs/common';
import { sql } from 'kysely';
import type { Referral } from '@passerelle/contracts';
import type { DatabaseHandle, GatewayDatabase } from '@passerelle/persistence';
import { encodeCursor, type ReferralPageQuery } from '../paging/referral-pages';
import { DATABASE } from '../tokens';

/** Whose side of a referral an organization reads: the referrer's or the provider's it is routed to. */
export type ReferralRole = 'referrer' | 'provider';

/**
 * Read-only port over the tracker's referral ledger (`referral`, typed read-only in
 * `GatewayDatabase`): the gateway never writes it and reads it only here. Every query is scoped to
 * one organization's side, so another organization's referral is simply not found.
 */
@Injectable()
export class ReferralReadModel {
  constructor(@Inject(DATABASE) private readonly database: DatabaseHandle<GatewayDatabase>) {}

  /**
   * When the tracker applied the change event `eventId` to the referral, if it did: a request
   * retried after its answer was lost (the event written, the answer not stored) finds its change
   * already made, rather than a status that no longer allows it.
   */
  async appliedAt(referralId: string, eventId: string): Promise<Date | undefined> {
    const row = await this.database.db
      .selectFrom('referral_history')
      .select('occurred_at')
      .where('referral_id', '=', referralId)
      .where('event_id', '=', eventId)
      .executeTakeFirst();
    return row?.occurred_at;
  }

  /** The referral as the tracker last recorded it, if `org` is its referrer (or its provider). */
  async find(referralId: string, role: ReferralRole, org: string): Promise<Referral | undefined> {
    const row = await this.database.db
      .selectFrom('referral')
      .select('snapshot')
      .where('referral_id', '=', referralId)
      .where(role, '=', org)
      .executeTakeFirst();
    return row?.snapshot as Referral | undefined;
  }

  /**
   * A page of one organization's referrals in the order the ledger changed them (`changed_at`,
   * the database clock: a change reported late with an old event time still comes after what a
   * poller already saw), keyset-paged on (changed_at, referral_id) so pages never skip or repeat.
   * `updatedSince` filters on the same clock; `sourceReferralId` on the referrer's own id.
   */
  async page(
    role: ReferralRole,
    org: string,
    query: ReferralPageQuery,
  ): Promise<{ referrals: Referral[]; next?: string }> {
    let select = this.database.db
      .selectFrom('referral')
      .select([
        'referral_id',
        'snapshot',
        sql<string>`to_char(changed_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`.as('changed'),
      ])
      .where(role, '=', org);
    if (query.status !== undefined) select = select.where('status', '=', query.status);
    // Within the organization's own rows (its index): a referrer finds its referral by its own id.
    if (query.sourceReferralId !== undefined)
      select = select.where(sql<string>`snapshot->>'sourceReferralId'`, '=', query.sourceReferralId);
    if (query.updatedSince !== undefined)
      select = select.where('changed_at', '>=', sql<Date>`${query.updatedSince}::timestamptz`);
    if (query.cursor)
      select = select.where(
        sql<boolean>`(changed_at, referral_id) > (${query.cursor.changedAt}::timestamptz, ${query.cursor.referralId}::uuid)`,
      );
    const rows = await select
      .orderBy('changed_at')
      .orderBy('referral_id')
      .limit(query.limit + 1)
      .execute();
    const page = rows.slice(0, query.limit);
    const last = page.at(-1);
    return {
      referrals: page.map((row) => row.snapshot as Referral),
      ...(rows.length > query.limit &&
        last && { next: encodeCursor({ changedAt: last.changed, referralId: last.referral_id }) }),
    };
  }

  /** Which of `referralIds` are routed to `provider`. */
  async routedTo(provider: string, referralIds: string[]): Promise<Set<string>> {
    if (referralIds.length === 0) return new Set();
    const rows = await this.database.db
      .selectFrom('referral')
      .select('referral_id')
      .where('provider', '=', provider)
      .where('referral_id', 'in', referralIds)
      .execute();
    return new Set(rows.map((row) => row.referral_id));
  }
}
