import type { PipeTransform } from '@nestjs/common';
import { problem } from '../problem/problem';

/** A canonical id (a UUID), as the gateway accepts one in a path or a cursor. */
export const CANONICAL_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * A canonical id path parameter, lower-cased. Anything that is not one cannot name an existing
 * thing, so it is `404` with the endpoint's own not-found detail, exactly like a missing one:
 * `@Param('referralId', new CanonicalIdPipe(ReferralErrorCode.NotFound, 'no such referral')) referralId: string`. Declared
 * before a checked `@Body()`, so that with both bad the body's `400` is the answer
 * (`bad-id-and-body.spec.ts`).
 */
export class CanonicalIdPipe implements PipeTransform<string, string> {
  constructor(
    /** The problem code of the endpoint's own 404. */
    private readonly code: string,
    private readonly notFound: string,
  ) {}

  transform(value: string): string {
    if (!CANONICAL_ID.test(value)) throw problem(404, this.notFound, { code: this.code });
    return value.toLowerCase();
  }
}
