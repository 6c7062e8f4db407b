import { Injectable, type PipeTransform } from '@nestjs/common';
import type { ConflictPageQuery } from '@passerelle/persistence';
import { CANONICAL_ID } from '../platform/canonical-id.pipe';
import { PlatformErrorCode } from '../platform/platform.error';
import { problem } from '../problem/problem';

/** The query string of `GET /v1/clients/conflicts`, as received. */
export interface ConflictListParams {
  status?: string;
  cursor?: string;
  limit?: string;
}

/** The query parameters of a conflict list, checked: a problem naming each bad one. */
export function conflictPageQuery(raw: ConflictListParams): ConflictPageQuery {
  const errors = [
    ...(raw.status !== undefined && raw.status !== 'open' && raw.status !== 'resolved'
      ? [{ pointer: '/status', code: 'enum', message: 'must be open or resolved' }]
      : []),
    ...(raw.limit !== undefined && !/^([1-9]\d?|1\d\d|200)$/.test(raw.limit)
      ? [{ pointer: '/limit', code: 'maximum', message: 'must be an integer from 1 to 200' }]
      : []),
  ];
  const cursor = raw.cursor === undefined ? undefined : decodeConflictCursor(raw.cursor);
  if (cursor === null) errors.push({ pointer: '/cursor', code: 'format', message: 'is not a cursor this API gave' });
  if (errors.length > 0)
    throw problem(400, 'invalid query parameters', { code: PlatformErrorCode.InvalidQuery, errors });
  return {
    ...(raw.status !== undefined && { open: raw.status === 'open' }),
    ...(cursor && { cursor }),
    limit: raw.limit === undefined ? 50 : Number(raw.limit),
  };
}

/** Checks `GET /v1/clients/conflicts`'s query string. */
@Injectable()
export class ConflictPageQueryPipe implements PipeTransform<ConflictListParams, ConflictPageQuery> {
  transform(raw: ConflictListParams): ConflictPageQuery {
    return conflictPageQuery(raw);
  }
}

/** The cursor of the page after the one that ended at this conflict. */
export function encodeConflictCursor(position: { detectedAt: string; conflictId: string }): string {
  return Buffer.from(`${position.detectedAt}|${position.conflictId}`).toString('base64url');
}

const TIMESTAMP = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,6})?Z$/;

function decodeConflictCursor(cursor: string): { detectedAt: string; conflictId: string } | null {
  const [detectedAt, conflictId, ...rest] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  if (rest.length > 0 || !detectedAt || !conflictId || !TIMESTAMP.test(detectedAt) || !CANONICAL_ID.test(conflictId))
    return null;
  return { detectedAt, conflictId };
}
