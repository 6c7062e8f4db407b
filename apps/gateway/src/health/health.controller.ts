import { Controller, Get, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import type { HealthReport } from '@passerelle/contracts';
import { Public } from '../auth/access';
import { CheckReadiness } from './check-readiness';

@Public()
@Controller('health')
export class HealthController {
  constructor(private readonly checkReadiness: CheckReadiness) {}

  /** The process answers; dependencies are readiness' business, so a Kafka outage restarts nothing. */
  @Get('live')
  live(): HealthReport {
    return { status: 'ok', checks: {} };
  }

  /** `200` when every dependency is up, `503` naming the ones that are not. */
  @Get('ready')
  async ready(@Res({ passthrough: true }) reply: FastifyReply): Promise<HealthReport> {
    return withStatus(reply, await this.checkReadiness.execute());
  }
}

function withStatus(reply: FastifyReply, report: HealthReport): HealthReport {
  void reply.status(report.status === 'ok' ? 200 : 503);
  return report;
}
