import { Injectable, type PipeTransform } from '@nestjs/common';
import { isCode } from '@passerelle/codes';
import { CANONICAL_ID } from '../platform/canonical-id.pipe';
import { problem } from '../problem/problem';
import { PlatformErrorCode } from '../platform/platform.error';

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
  if (errors.length > 0)
    throw problem(400, 'invalid query parameters', { code: PlatformErrorCode.InvalidQuery, errors });
  return {
    ...(raw.status !== undefined && { status: raw.status }),
    ...(raw.updatedSince !== undefined && { updatedSince: new Date(raw.updatedSince).toISOString() }),
    ...(cursor && { cursor }),
    limit: raw.limit === undefined ? 50 : Number(raw.limit),
  };
}

/** Checks a referral list's query string: `@Query(ReferralPageQueryPipe) query: ReferralPageQuery`. */
@Injectable()
export class ReferralPageQueryPipe implements PipeTransform<ReferralListParams, ReferralPageQuery> {
  transform(raw: ReferralListParams): ReferralPageQuery {
    return referralPageQuery(raw);
  }
}

/** The cursor of the page after the one that ended at this change. */
export function encodeCursor(position: { changedAt: string; referralId: string }): string {
  return Buffer.from(`${position.changedAt}|${position.referralId}`).toString('base64url');
}

/** A `changed_at` of a cursor: ISO 8601 to the microsecond. */
const TIMESTAMP = /^\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d(\.\d{1,6})?(Z|[+-]\d\d(:?\d\d)?)$/;

function decodeCursor(cursor: string): { changedAt: string; referralId: string } | null {
  const [changedAt, referralId, ...rest] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  if (rest.length > 0 || !changedAt || !referralId || !TIMESTAMP.test(changedAt) || !CANONICAL_ID.test(referralId))
    return null;
  return { changedAt, referralId };
}
