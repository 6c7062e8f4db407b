import { Injectable, type PipeTransform } from '@nestjs/common';
import { problem } from '../problem/problem';
import { PlatformErrorCode } from '../platform/platform.error';

/** Which follow-ups and where in the list (`?due=&cursor=&limit=`). */
export interface FollowUpPageQuery {
  /** Due on or before this day (YYYY-MM-DD). */
  due: string;
  /** After this follow-up (its due day and timer id). */
  cursor?: FollowUpPosition;
  limit: number;
}

/** Where a page ended: the last follow-up's due day and its timer's id. */
export interface FollowUpPosition {
  dueOn: string;
  timerId: string;
}

/** The query string as received (a repeated parameter is an array). */
export interface FollowUpListParams {
  due?: string | string[];
  cursor?: string | string[];
  limit?: string | string[];
}

const DATE = /^(\d{4})-(\d\d)-(\d\d)$/;
const TIMER_ID = /^[1-9]\d{0,17}$/;

/** A real calendar day written YYYY-MM-DD (2025-02-30 is not one). */
export function isCalendarDate(value: string): boolean {
  const parts = DATE.exec(value);
  if (!parts) return false;
  const [year, month, day] = parts.slice(1).map(Number);
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

/** Today in Ontario (follow-ups fall due on Ontario days). */
export function ontarioToday(now: Date = new Date()): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'America/Toronto' }).format(now);
}

export function encodeFollowUpCursor(position: FollowUpPosition): string {
  return Buffer.from(`${position.dueOn}|${position.timerId}`).toString('base64url');
}

function decodeFollowUpCursor(cursor: string): FollowUpPosition | null {
  const [dueOn, timerId, ...rest] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  if (rest.length > 0 || !dueOn || !timerId || !isCalendarDate(dueOn) || !TIMER_ID.test(timerId)) return null;
  return { dueOn, timerId };
}

/** The query parameters of a provider's follow-up list, checked: a problem naming each bad one. */
export function followUpPageQuery(raw: FollowUpListParams, today: string): FollowUpPageQuery {
  const errors: { pointer: string; code: string; message: string }[] = [];
  const one = (name: keyof FollowUpListParams): string | undefined => {
    const value = raw[name];
    if (!Array.isArray(value)) return value;
    errors.push({ pointer: `/${name}`, code: 'type', message: 'must be given once' });
    return undefined;
  };
  const due = one('due');
  const limit = one('limit');
  const cursorText = one('cursor');
  if (due !== undefined && !isCalendarDate(due))
    errors.push({ pointer: '/due', code: 'format', message: 'must be a calendar date YYYY-MM-DD' });
  if (limit !== undefined && !/^([1-9]\d?|1\d\d|200)$/.test(limit))
    errors.push({ pointer: '/limit', code: 'maximum', message: 'must be an integer from 1 to 200' });
  const cursor = cursorText === undefined ? undefined : decodeFollowUpCursor(cursorText);
  if (cursor === null) errors.push({ pointer: '/cursor', code: 'format', message: 'is not a cursor this API gave' });
  if (errors.length > 0)
    throw problem(400, 'invalid query parameters', { code: PlatformErrorCode.InvalidQuery, errors });
  return {
    due: due ?? today,
    ...(cursor && { cursor }),
    limit: limit === undefined ? 50 : Number(limit),
  };
}

/** Checks the query string: `@Query(FollowUpPageQueryPipe) query: FollowUpPageQuery` (default due: today in Ontario). */
@Injectable()
export class FollowUpPageQueryPipe implements PipeTransform<FollowUpListParams, FollowUpPageQuery> {
  transform(raw: FollowUpListParams): FollowUpPageQuery {
    return followUpPageQuery(raw, ontarioToday());
  }
}
