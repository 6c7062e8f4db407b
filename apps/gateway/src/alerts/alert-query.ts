import { Injectable, type PipeTransform } from '@nestjs/common';
import { isCode } from '@passerelle/codes';
import { CANONICAL_ID } from '../platform/canonical-id.pipe';
import { PlatformErrorCode } from '../platform/platform.error';
import { problem } from '../problem/problem';

/** Filters and position of a page of alerts (`?kind=&referralId=&cursor=&limit=`). */
export interface AlertPageQuery {
  kind?: string;
  referralId?: string;
  /** After this alert (`occurred_at` in UTC to the microsecond, then id), newest first. */
  cursor?: { occurredAt: string; alertId: string };
  limit: number;
}

/** The query string of `GET /v1/alerts`, as received. */
export interface AlertListParams {
  kind?: string;
  referralId?: string;
  cursor?: string;
  limit?: string;
}

/** The query parameters of an alert list, checked: a problem naming each bad one. */
export function alertPageQuery(raw: AlertListParams): AlertPageQuery {
  const errors = [
    ...(raw.kind !== undefined && !isCode('alert-kinds', raw.kind)
      ? [{ pointer: '/kind', code: 'enum', message: 'is not an alert kind' }]
      : []),
    ...(raw.referralId !== undefined && (typeof raw.referralId !== 'string' || !CANONICAL_ID.test(raw.referralId))
      ? [{ pointer: '/referralId', code: 'format', message: 'is not a referral id' }]
      : []),
    ...(raw.limit !== undefined && !/^([1-9]\d?|1\d\d|200)$/.test(raw.limit)
      ? [{ pointer: '/limit', code: 'maximum', message: 'must be an integer from 1 to 200' }]
      : []),
  ];
  const cursor = raw.cursor === undefined ? undefined : decodeAlertCursor(raw.cursor);
  if (cursor === null) errors.push({ pointer: '/cursor', code: 'format', message: 'is not a cursor this API gave' });
  if (errors.length > 0)
    throw problem(400, 'invalid query parameters', { code: PlatformErrorCode.InvalidQuery, errors });
  return {
    ...(raw.kind !== undefined && { kind: raw.kind }),
    ...(raw.referralId !== undefined && { referralId: raw.referralId.toLowerCase() }),
    ...(cursor && { cursor }),
    limit: raw.limit === undefined ? 50 : Number(raw.limit),
  };
}

/** Checks `GET /v1/alerts`'s query string: `@Query(AlertPageQueryPipe) query: AlertPageQuery`. */
@Injectable()
export class AlertPageQueryPipe implements PipeTransform<AlertListParams, AlertPageQuery> {
  transform(raw: AlertListParams): AlertPageQuery {
    return alertPageQuery(raw);
  }
}

/** The cursor of the page after the one that ended at this alert. */
export function encodeAlertCursor(position: { occurredAt: string; alertId: string }): string {
  return Buffer.from(`${position.occurredAt}|${position.alertId}`).toString('base64url');
}

/** An `occurred_at` of a cursor: ISO 8601 to the microsecond. */
const TIMESTAMP = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,6})?Z$/;

function decodeAlertCursor(cursor: string): { occurredAt: string; alertId: string } | null {
  const [occurredAt, alertId, ...rest] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  if (rest.length > 0 || !occurredAt || !alertId || !TIMESTAMP.test(occurredAt) || !CANONICAL_ID.test(alertId))
    return null;
  return { occurredAt, alertId };
}
