import { Module, type DynamicModule, type OnApplicationShutdown, Inject } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { LoggerModule } from 'nestjs-pino';
import type { TokenVerifier } from '@passerelle/auth';
import { AuthGuard, RATE_LIMITER, TOKEN_VERIFIER } from './auth/auth.guard';
import { OrgRateLimiter } from './auth/org-rate-limiter';
import type { Kafka } from 'kafkajs';
import { EventPublisher } from '@passerelle/messaging';
import type { DatabaseHandle } from '@passerelle/persistence';
import { MetricsRegistry, pinoParams } from '@passerelle/observability';
import { DocsController } from './docs/docs.controller';
import type { GatewayConfig } from './gateway.config';
import { HealthController } from './health/health.controller';
import { CaseRecordsBatchController } from './ingest/case-records-batch.controller';
import { MetricsController } from './metrics/metrics.controller';
import { AuditController } from './audit/audit.controller';
import { ConsentsController } from './consents/consents.controller';
import { ProviderReferralsController } from './provider/provider-referrals.controller';
import { ServiceRecordsController } from './provider/service-records.controller';
import { ReferralsController } from './referrals/referrals.controller';
import { ReportsController } from './reports/reports.controller';
import { DashboardController } from './dashboard/dashboard.controller';
import { WebhooksController } from './webhooks/webhooks.controller';
import { DATABASE, GATEWAY_CONFIG, KAFKA, METRICS } from './tokens';

export interface GatewayDependencies {
  config: GatewayConfig;
  kafka: Kafka;
  database: DatabaseHandle;
  metrics: MetricsRegistry;
  verifier: TokenVerifier;
}

@Module({})
export class GatewayModule implements OnApplicationShutdown {
  constructor(
    @Inject(DATABASE) private readonly database: DatabaseHandle,
    private readonly publisher: EventPublisher,
  ) {}

  static forRoot(deps: GatewayDependencies): DynamicModule {
    return {
      module: GatewayModule,
      imports: [
        LoggerModule.forRoot(
          pinoParams({ level: deps.config.logLevel, app: 'gateway', destination: deps.config.logDestination }),
        ),
      ],
      controllers: [
        HealthController,
        MetricsController,
        DocsController,
        CaseRecordsBatchController,
        ReferralsController,
        ProviderReferralsController,
        ServiceRecordsController,
        ConsentsController,
        AuditController,
        WebhooksController,
        ReportsController,
        DashboardController,
      ],
      providers: [
        { provide: GATEWAY_CONFIG, useValue: deps.config },
        { provide: KAFKA, useValue: deps.kafka },
        { provide: DATABASE, useValue: deps.database },
        { provide: METRICS, useValue: deps.metrics },
        { provide: TOKEN_VERIFIER, useValue: deps.verifier },
        {
          provide: RATE_LIMITER,
          useValue: new OrgRateLimiter(deps.config.rateLimitPerSecond, deps.config.rateLimitBurst),
        },
        { provide: APP_GUARD, useClass: AuthGuard },
        { provide: EventPublisher, useFactory: (kafka: Kafka) => new EventPublisher(kafka), inject: [KAFKA] },
      ],
      exports: [GATEWAY_CONFIG, KAFKA, DATABASE, METRICS, EventPublisher],
    };
  }

  async onApplicationShutdown(): Promise<void> {
    await this.publisher.disconnect();
    await this.database.close();
  }
}
