import { Inject, Injectable } from '@nestjs/common';
import type { HealthReport } from '@passerelle/contracts';
import { probeKafka, withTimeout } from '@passerelle/messaging';
import { pingDatabase, type DatabaseHandle, type GatewayDatabase } from '@passerelle/persistence';
import type { GatewayConfig } from '../gateway.config';
import { DATABASE, GATEWAY_CONFIG } from '../tokens';
import { checkReadiness } from './readiness';

const PROBE_TIMEOUT_MS = 2_000;

/** Whether the gateway can serve: Kafka and PostgreSQL each answer within {@link PROBE_TIMEOUT_MS}. */
@Injectable()
export class CheckReadiness {
  constructor(
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    @Inject(DATABASE) private readonly database: DatabaseHandle<GatewayDatabase>,
  ) {}

  execute(): Promise<HealthReport> {
    return checkReadiness({
      kafka: () => probeKafka(this.config.kafkaBrokers, PROBE_TIMEOUT_MS),
      postgres: () =>
        withTimeout(pingDatabase(this.database), PROBE_TIMEOUT_MS, `no answer within ${PROBE_TIMEOUT_MS} ms`),
    });
  }
}
