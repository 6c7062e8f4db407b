import { Injectable } from '@nestjs/common';
import type { components } from '@passerelle/contracts';
import { AuditLog } from '@passerelle/persistence';
import { problem } from '../problem/problem';
import { PlatformErrorCode } from '../platform/platform.error';

export type AuditPage = components['schemas']['AuditPage'];

const PAGE = 100;
/** The `seq` of an entry, as the `next` cursor gives it. */
const CURSOR = /^\d{1,18}$/;

/** `GET /v1/audit`: an organization reads its own entries of the personal-data audit log, and only those. */
@Injectable()
export class ReadAuditEntries {
  constructor(private readonly log: AuditLog) {}

  async execute(org: string, after: string | undefined): Promise<AuditPage> {
    if (after !== undefined && !CURSOR.test(after))
      throw problem(400, 'invalid cursor', {
        code: PlatformErrorCode.InvalidQuery,
        errors: [{ pointer: '/after', code: 'format', message: 'is not a cursor this API gave' }],
      });
    const items = await this.log.entriesOf(org, after, PAGE + 1);
    const page = items.slice(0, PAGE);
    const last = page.at(-1);
    return {
      items: page,
      ...(items.length > PAGE && last && { next: last.seq }),
    };
  }
}
