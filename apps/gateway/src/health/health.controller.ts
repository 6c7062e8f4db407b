import { Public } from '../auth/access';
import { Controller, Get, Inject, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import type { HealthReport } from '@passerelle/contracts';
import { probeKafka, withTimeout } from '@passerelle/messaging';
import { pingDatabase, type DatabaseHandle } from '@passerelle/persistence';
import type { GatewayConfig } from '../gateway.config';
import { DATABASE, GATEWAY_CONFIG } from '../tokens';
import { checkReadiness } from './readiness';

const PROBE_TIMEOUT_MS = 2_000;

@Public()
@Controller('health')
export class HealthController {
  constructor(
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    @Inject(DATABASE) private readonly database: DatabaseHandle,
  ) {}

  /** The process answers; dependencies are readiness' business, so a Kafka outage restarts nothing. */
  @Get('live')
  live(): HealthReport {
    return { status: 'ok', checks: {} };
  }

  @Get('ready')
  async ready(@Res({ passthrough: true }) reply: FastifyReply): Promise<HealthReport> {
    const report = await checkReadiness({
      kafka: () => probeKafka(this.config.kafkaBrokers, PROBE_TIMEOUT_MS),
      postgres: () =>
        withTimeout(pingDatabase(this.database), PROBE_TIMEOUT_MS, `no answer within ${PROBE_TIMEOUT_MS} ms`),
    });
    reply.status(report.status === 'ok' ? 200 : 503);
    return report;
  }
}
