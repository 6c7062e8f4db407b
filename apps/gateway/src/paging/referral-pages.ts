import { Injectable, type PipeTransform } from '@nestjs/common';
import { isCode } from '@passerelle/codes';
import { schemaIdForPath, schemaRegistry } from '@passerelle/contracts';
import { CANONICAL_ID } from '../platform/canonical-id.pipe';
import { problem } from '../problem/problem';
import { PlatformErrorCode } from '../platform/platform.error';

/** Filters and position of a page of referrals (`?status=&updatedSince=&sourceReferralId=&cursor=&limit=`). */
export interface ReferralPageQuery {
  status?: string;
  updatedSince?: string;
  /** The referrer's own id of the referral (referrers' lists only). */
  sourceReferralId?: string;
  /** After this change of this referral (`changed_at` in UTC, to the microsecond). */
  cursor?: { changedAt: string; referralId: string };
  limit: number;
}

/** The query string of a referral list, as received. */
export interface ReferralListParams {
  status?: string;
  updatedSince?: string;
  /** An array when the parameter is repeated. */
  sourceReferralId?: string | string[];
  cursor?: string;
  limit?: string;
}

/** What a list takes beyond status, time and paging. */
export interface ReferralListFilters {
  /** `sourceReferralId`: a referrer's lists (a provider does not know the referrer's ids; ignored there). */
  bySourceReferralId?: boolean;
}

/** What a referrer's own id of a referral can be (the schema its records carry it under). */
const SOURCE_RECORD_ID = schemaIdForPath('sources/source-record-id.json');
const isSourceRecordId = (value: string): boolean => schemaRegistry().validate(SOURCE_RECORD_ID, value).ok;

/** The query parameters of a referral list, checked: a problem naming each bad one. */
export function referralPageQuery(raw: ReferralListParams, filters: ReferralListFilters = {}): ReferralPageQuery {
  const sourceReferralId = filters.bySourceReferralId === true ? raw.sourceReferralId : undefined;
  const errors = [
    ...(raw.status !== undefined && !isCode('referral-statuses', raw.status)
      ? [{ pointer: '/status', code: 'enum', message: 'is not a referral status' }]
      : []),
    ...(raw.updatedSince !== undefined && Number.isNaN(Date.parse(raw.updatedSince))
      ? [{ pointer: '/updatedSince', code: 'format', message: 'must be a date-time' }]
      : []),
    ...(sourceReferralId !== undefined && (typeof sourceReferralId !== 'string' || !isSourceRecordId(sourceReferralId))
      ? [{ pointer: '/sourceReferralId', code: 'pattern', message: 'is not a source referral id' }]
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
    ...(typeof sourceReferralId === 'string' && { sourceReferralId }),
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

/** The same for a referrer's list, which also finds a referral by the referrer's own id (`sourceReferralId`). */
@Injectable()
export class ReferrerPageQueryPipe implements PipeTransform<ReferralListParams, ReferralPageQuery> {
  transform(raw: ReferralListParams): ReferralPageQuery {
    return referralPageQuery(raw, { bySourceReferralId: true });
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
