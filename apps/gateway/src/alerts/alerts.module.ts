import { Module } from '@nestjs/common';
import { AcknowledgeAlert } from './acknowledge-alert';
import { AlertAcknowledgements } from './alert-acknowledgements';
import { AlertReadModel } from './alert-read-model';
import { AlertsController } from './alerts.controller';
import { ListAlerts } from './list-alerts';

/**
 * The tracker's alerts as referrers read them (`GET /v1/alerts`), through a read-only read model,
 * and their acknowledgements (`POST /v1/alerts/{id}/acknowledge`), kept in the gateway's own table.
 */
@Module({
  controllers: [AlertsController],
  providers: [ListAlerts, AcknowledgeAlert, AlertReadModel, AlertAcknowledgements],
})
export class AlertsModule {}
