import { Module, type DynamicModule } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { pinoParams } from '@passerelle/observability';
import { AuditController } from './audit/audit.controller';
import { ConsentsController } from './consents/consents.controller';
import { DashboardModule } from './dashboard/dashboard.module';
import { DocsModule } from './docs/docs.module';
import { HealthModule } from './health/health.module';
import { CaseRecordsBatchController } from './ingest/case-records-batch.controller';
import { MetricsModule } from './metrics/metrics.module';
import { GatewayInfrastructureModule, type GatewayDependencies } from './platform/gateway-infrastructure.module';
import { ProviderReferralsController } from './provider/provider-referrals.controller';
import { ServiceRecordsController } from './provider/service-records.controller';
import { ReferralsController } from './referrals/referrals.controller';
import { ReportsModule } from './reports/reports.module';
import { WebhooksController } from './webhooks/webhooks.controller';

export type { GatewayDependencies } from './platform/gateway-infrastructure.module';

/** The gateway's feature modules: each brings its controllers, use cases and repositories. */
const FEATURES: DynamicModule['imports'] = [HealthModule, MetricsModule, DocsModule, ReportsModule, DashboardModule];

/** The gateway: logging, the shared infrastructure (global), then one module per feature. */
@Module({})
// eslint-disable-next-line @typescript-eslint/no-extraneous-class -- a Nest module is a class that carries its metadata
export class GatewayModule {
  static forRoot(deps: GatewayDependencies): DynamicModule {
    return {
      module: GatewayModule,
      imports: [
        LoggerModule.forRoot(
          pinoParams({ level: deps.config.logLevel, app: 'gateway', destination: deps.config.logDestination }),
        ),
        GatewayInfrastructureModule.forRoot(deps),
        ...(FEATURES ?? []),
      ],
      controllers: [
        CaseRecordsBatchController,
        ReferralsController,
        ProviderReferralsController,
        ServiceRecordsController,
        ConsentsController,
        AuditController,
        WebhooksController,
      ],
    };
  }
}
