import { Controller, Get, Inject, Query, Req } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type { components } from '@passerelle/contracts';
import { AuditLog, type DatabaseHandle } from '@passerelle/persistence';
import { Access } from '../auth/access';
import { principalOf } from '../auth/auth.guard';
import { problem } from '../problem/problem';
import { DATABASE } from '../tokens';

type AuditPage = components['schemas']['AuditPage'];
const PAGE = 100;

/** Every organization reads its own entries of the personal-data audit log, and only those. */
@Controller('audit')
export class AuditController {
  private readonly log: AuditLog;

  constructor(@Inject(DATABASE) database: DatabaseHandle) {
    this.log = new AuditLog(database.db);
  }

  @Get()
  @Access({ scopes: ['audit:read'], orgKinds: ['ow', 'odsp', 'eo', 'ministry'] })
  async entries(@Req() request: FastifyRequest, @Query('after') after?: string): Promise<AuditPage> {
    if (after !== undefined && !/^\d{1,18}$/.test(after))
      throw problem(400, 'invalid cursor', {
        errors: [{ pointer: '/after', code: 'format', message: 'is not a cursor this API gave' }],
      });
    const items = await this.log.entriesOf(principalOf(request).org, after, PAGE + 1);
    const page = items.slice(0, PAGE);
    return {
      items: page as AuditPage['items'],
      ...(items.length > PAGE && { next: page[page.length - 1].seq }),
    };
  }
}
