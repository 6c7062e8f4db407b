import { sql } from 'kysely';
import { isCode } from '@passerelle/codes';
import type { Referral } from '@passerelle/contracts';
import type { DatabaseHandle } from '@passerelle/persistence';
import { problem } from '../problem/problem';

/** Filters and position of a page of referrals (`?status=&updatedSince=&cursor=&limit=`). */
export interface ReferralPageQuery {
  status?: string;
  updatedSince?: string;
  /** After this change of this referral (`changed_at` in UTC, to the microsecond). */
  cursor?: { changedAt: string; referralId: string };
  limit: number;
}

/** The query string of a referral list, as received. */
export interface ReferralListParams {
  status?: string;
  updatedSince?: string;
  cursor?: string;
  limit?: string;
}

/** The query parameters of a referral list, checked: a problem naming each bad one. */
export function referralPageQuery(raw: ReferralListParams): ReferralPageQuery {
  const errors = [
    ...(raw.status !== undefined && !isCode('referral-statuses', raw.status)
      ? [{ pointer: '/status', code: 'enum', message: 'is not a referral status' }]
      : []),
    ...(raw.updatedSince !== undefined && Number.isNaN(Date.parse(raw.updatedSince))
      ? [{ pointer: '/updatedSince', code: 'format', message: 'must be a date-time' }]
      : []),
    ...(raw.limit !== undefined && !/^([1-9]\d?|1\d\d|200)$/.test(raw.limit)
      ? [{ pointer: '/limit', code: 'maximum', message: 'must be an integer from 1 to 200' }]
      : []),
  ];
  const cursor = raw.cursor === undefined ? undefined : decodeCursor(raw.cursor);
  if (cursor === null) errors.push({ pointer: '/cursor', code: 'format', message: 'is not a cursor this API gave' });
  if (errors.length > 0) throw problem(400, 'invalid query parameters', { errors });
  return {
    ...(raw.status !== undefined && { status: raw.status }),
    ...(raw.updatedSince !== undefined && { updatedSince: new Date(raw.updatedSince).toISOString() }),
    ...(cursor && { cursor }),
    limit: raw.limit === undefined ? 50 : Number(raw.limit),
  };
}

/**
 * A page of the tracker's referrals of one organization, as their referrer or their provider,
 * in the order the ledger changed them (`changed_at`, the database clock: a change reported late
 * with an old event time still comes after what a poller already saw), keyset-paged on
 * (changed_at, referral_id) so pages never skip or repeat. `updatedSince` filters on the same clock.
 */
export async function referralPage(
  database: DatabaseHandle,
  role: 'referrer' | 'provider',
  org: string,
  query: ReferralPageQuery,
): Promise<{ referrals: Referral[]; next?: string }> {
  let select = database.db
    .selectFrom('referral')
    .select([
      'referral_id',
      'snapshot',
      sql<string>`to_char(changed_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`.as('changed'),
    ])
    .where(role, '=', org);
  if (query.status !== undefined) select = select.where('status', '=', query.status);
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
      last && { next: Buffer.from(`${last.changed}|${last.referral_id}`).toString('base64url') }),
  };
}

/** A `changed_at` of a cursor: ISO 8601 to the microsecond. */
const TIMESTAMP = /^\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d(\.\d{1,6})?(Z|[+-]\d\d(:?\d\d)?)$/;
const UUID_TEXT = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function decodeCursor(cursor: string): { changedAt: string; referralId: string } | null {
  const [changedAt, referralId, ...rest] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  if (rest.length > 0 || !changedAt || !referralId || !TIMESTAMP.test(changedAt) || !UUID_TEXT.test(referralId))
    return null;
  return { changedAt, referralId };
}
