import { Controller, Get, Query } from '@nestjs/common';
import type { Principal } from '@passerelle/auth';
import { Access } from '../auth/access';
import { Caller } from '../auth/caller.decorator';
import { ReadAuditEntries, type AuditPage } from './read-audit-entries';

/** Every organization reads its own entries of the personal-data audit log, and only those. */
@Controller('audit')
export class AuditController {
  constructor(private readonly readAuditEntries: ReadAuditEntries) {}

  @Get()
  @Access({ scopes: ['audit:read'], orgKinds: ['ow', 'odsp', 'eo', 'ministry'] })
  entries(@Caller() caller: Principal, @Query('after') after?: string): Promise<AuditPage> {
    return this.readAuditEntries.execute(caller.org, after);
  }
}
