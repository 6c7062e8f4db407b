import type { PipeTransform } from '@nestjs/common';
import { schemaIdForPath, schemaRegistry } from '@passerelle/contracts';
import { problem } from '../problem/problem';
import { PlatformErrorCode } from './platform.error';

/**
 * A request body checked against `schemas/<schemaPath>`: its typed value, or a `400` with
 * `detail` naming each invalid field:
 * `@Body(new ValidBodyPipe('api/referral-cancel.json', 'a cancellation needs its reason')) body: Cancel`.
 */
export class ValidBodyPipe<T> implements PipeTransform<unknown, T> {
  private readonly schemaId: string;

  constructor(
    schemaPath: string,
    private readonly detail: string,
  ) {
    this.schemaId = schemaIdForPath(schemaPath);
  }

  transform(body: unknown): T {
    const valid = schemaRegistry().validate<T>(this.schemaId, body);
    if (!valid.ok) throw problem(400, this.detail, { code: PlatformErrorCode.InvalidBody, errors: valid.errors });
    return valid.value;
  }
}
