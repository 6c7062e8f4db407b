import { Global, Module } from '@nestjs/common';
import { PersonalDataVault } from '@passerelle/crypto';
import { personalDataVault, type DatabaseHandle, type GatewayDatabase } from '@passerelle/persistence';
import type { GatewayConfig } from '../gateway.config';
import { RawRecordClients } from '../ingest/raw-record-clients';
import { SealingRecordSink } from '../ingest/raw-record-sealer';
import { DATABASE, GATEWAY_CONFIG } from '../tokens';
import { ClientErasure, EraseClient } from './erase-client';
import { EraseClientController } from './erase-client.controller';
import { ClientErasureRepository } from './erase-client.repository';

/**
 * Personal data erasure (`POST /v1/clients/{clientId}/erase`), and the gateway's one
 * `PersonalDataVault` (global: consent withdrawal erases with it, and the `SealingRecordSink` of
 * ingest, referral submission and service records seals raw records with it; one instance, so an
 * erasure clears the one key cache of the process).
 */
@Global()
@Module({
  controllers: [EraseClientController],
  providers: [
    {
      provide: PersonalDataVault,
      useFactory: (database: DatabaseHandle<GatewayDatabase>, config: GatewayConfig) =>
        personalDataVault(database.db, config),
      inject: [DATABASE, GATEWAY_CONFIG],
    },
    ClientErasureRepository,
    ClientErasure,
    EraseClient,
    RawRecordClients,
    SealingRecordSink,
  ],
  exports: [PersonalDataVault, ClientErasure, SealingRecordSink],
})
export class ErasureModule {}
