import { Module, type DynamicModule } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { pinoParams } from '@passerelle/observability';
import { AlertsModule } from './alerts/alerts.module';
import { AuditModule } from './audit/audit.module';
import { ClientsModule } from './clients/clients.module';
import { ErasureModule } from './clients/erase-client.module';
import { ConsentsModule } from './consents/consents.module';
import { DashboardModule } from './dashboard/dashboard.module';
import { DocsModule } from './docs/docs.module';
import { HealthModule } from './health/health.module';
import { IngestModule } from './ingest/ingest.module';
import { MetricsModule } from './metrics/metrics.module';
import { GatewayInfrastructureModule, type GatewayDependencies } from './platform/gateway-infrastructure.module';
import { ProblemsModule } from './problems/problems.module';
import { ProviderModule } from './provider/provider.module';
import { ReferralsModule } from './referrals/referrals.module';
import { ReportsModule } from './reports/reports.module';
import { WebhooksModule } from './webhooks/webhooks.module';

export type { GatewayDependencies } from './platform/gateway-infrastructure.module';

/** The gateway's feature modules: each brings its controllers, use cases and repositories. */
const FEATURES = [
  ReferralsModule,
  ProviderModule,
  ErasureModule,
  ConsentsModule,
  AuditModule,
  HealthModule,
  MetricsModule,
  DocsModule,
  ReportsModule,
  DashboardModule,
  WebhooksModule,
  IngestModule,
  ProblemsModule,
  AlertsModule,
  ClientsModule,
];

/** The gateway: logging, the shared infrastructure (global), then one module per feature. */
@Module({})
export class GatewayModule {
  static forRoot(deps: GatewayDependencies): DynamicModule {
    return {
      module: GatewayModule,
      imports: [
        LoggerModule.forRoot(
          pinoParams({ level: deps.config.logLevel, app: 'gateway', destination: deps.config.logDestination }),
        ),
        GatewayInfrastructureModule.forRoot(deps),
        ...FEATURES,
      ],
    };
  }
}
