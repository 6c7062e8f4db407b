import { Module } from '@nestjs/common';
import { AuditController } from './audit.controller';
import { ReadAuditEntries } from './read-audit-entries';

/**
 * The personal-data audit log as organizations read it (`/v1/audit`). Its repository is the
 * `AuditLog` of `@passerelle/persistence`, provided once by the infrastructure module, which the
 * use cases that read or write personal data also inject.
 */
@Module({ controllers: [AuditController], providers: [ReadAuditEntries] })
export class AuditModule {}
