import { Module } from '@nestjs/common';

/**
 * Maps Employment Ontario (EOIS-CaMS) service records to canonical events. The mappings arrive
 * with the canonical-model issue; until then every raw record is parked on the DLQ with reason
 * NO_HANDLER, from where it can be replayed.
 */
@Module({})
export class EoAdapterModule {}
