import { Module } from '@nestjs/common';

/**
 * Maps Ontario Works (SAMS) and ODSP employment-supports source records to canonical events.
 * The mappings arrive with the canonical-model issue; until then every raw record is parked on
 * its topic's DLQ with reason NO_HANDLER, from where it can be replayed.
 */
@Module({})
export class OwAdapterModule {}
