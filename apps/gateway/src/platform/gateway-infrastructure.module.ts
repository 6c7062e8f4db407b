import { Global, Inject, Module, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import type { Kafka } from 'kafkajs';
import type { TokenVerifier } from '@passerelle/auth';
import { EventPublisher, TopicNames } from '@passerelle/messaging';
import type { MetricsRegistry } from '@passerelle/observability';
import { AuditLog, IdempotencyStore, type DatabaseHandle, type GatewayDatabase } from '@passerelle/persistence';
import { ApiEventSender } from '../api-events';
import { AuthGuard, RATE_LIMITER, TOKEN_VERIFIER } from '../auth/auth.guard';
import { OrgRateLimiter } from '../auth/org-rate-limiter';
import type { GatewayConfig } from '../gateway.config';
import { DATABASE, GATEWAY_CONFIG, KAFKA, METRICS } from '../tokens';

/** What the gateway builds before Nest: its configuration and its handles on the outside systems. */
export interface GatewayDependencies {
  config: GatewayConfig;
  kafka: Kafka;
  database: DatabaseHandle<GatewayDatabase>;
  metrics: MetricsRegistry;
  verifier: TokenVerifier;
  /** The topic names of this deployment (the prefix applied), the same instance that provisioned them. */
  topics: TopicNames;
}

/**
 * The gateway's shared infrastructure, built once and injectable in every feature module
 * (global): configuration, Kafka and its `EventPublisher`, `TopicNames`, the database handle
 * (`DatabaseHandle<GatewayDatabase>` under `DATABASE`), metrics, the `IdempotencyStore` behind
 * `@Idempotent()`, the `AuditLog`, the `ApiEventSender` to the tracker, and the `AuthGuard` on
 * every route. It closes the publisher and the pool at shutdown.
 */
@Global()
@Module({})
export class GatewayInfrastructureModule implements OnApplicationShutdown {
  constructor(
    @Inject(DATABASE) private readonly database: DatabaseHandle<GatewayDatabase>,
    private readonly publisher: EventPublisher,
  ) {}

  static forRoot(deps: GatewayDependencies): DynamicModule {
    const shared = [
      { provide: GATEWAY_CONFIG, useValue: deps.config },
      { provide: KAFKA, useValue: deps.kafka },
      { provide: DATABASE, useValue: deps.database },
      { provide: METRICS, useValue: deps.metrics },
      { provide: TopicNames, useValue: deps.topics },
      {
        provide: EventPublisher,
        // A request waits for acks=all at most this long: with Kafka down it is answered 503, not held.
        useFactory: (kafka: Kafka) => new EventPublisher(kafka, { writeTimeoutMs: deps.config.kafkaWriteTimeoutMs }),
        inject: [KAFKA],
      },
      {
        provide: IdempotencyStore,
        useFactory: (database: DatabaseHandle<GatewayDatabase>) => new IdempotencyStore(database.db),
        inject: [DATABASE],
      },
      {
        provide: AuditLog,
        useFactory: (database: DatabaseHandle<GatewayDatabase>) => new AuditLog(database.db),
        inject: [DATABASE],
      },
      {
        provide: ApiEventSender,
        useFactory: (publisher: EventPublisher, topics: TopicNames) =>
          new ApiEventSender(publisher, topics.of('referrals.v1')),
        inject: [EventPublisher, TopicNames],
      },
    ];
    return {
      module: GatewayInfrastructureModule,
      providers: [
        ...shared,
        { provide: TOKEN_VERIFIER, useValue: deps.verifier },
        {
          provide: RATE_LIMITER,
          useValue: new OrgRateLimiter(deps.config.rateLimitPerSecond, deps.config.rateLimitBurst),
        },
        { provide: APP_GUARD, useClass: AuthGuard },
      ],
      exports: shared.map((provider) => provider.provide),
    };
  }

  async onApplicationShutdown(): Promise<void> {
    await this.publisher.disconnect();
    await this.database.close();
  }
}
