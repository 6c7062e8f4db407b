import { Module } from '@nestjs/common';
import { ClientLinkRegistry, type DatabaseHandle, type GatewayDatabase } from '@passerelle/persistence';
import { DATABASE } from '../tokens';
import { LinkConflictsController } from './link-conflicts.controller';
import { ListLinkConflicts } from './list-link-conflicts';
import { ResolveLinkConflict } from './resolve-link-conflict';

/**
 * Identity-link conflicts (`/v1/clients/conflicts`): listed for the organizations involved and
 * resolved by them, through the adapters' `ClientLinkRegistry` (the gateway runs no SQL of its own
 * on the links).
 */
@Module({
  controllers: [LinkConflictsController],
  providers: [
    ListLinkConflicts,
    ResolveLinkConflict,
    {
      provide: ClientLinkRegistry,
      useFactory: (database: DatabaseHandle<GatewayDatabase>) => new ClientLinkRegistry(database.db),
      inject: [DATABASE],
    },
  ],
})
export class ClientsModule {}
