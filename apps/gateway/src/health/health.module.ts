import { Module } from '@nestjs/common';
import { CheckReadiness } from './check-readiness';
import { HealthController } from './health.controller';

/** `GET /v1/health/live` and `/ready`: for the orchestrator's probes. */
@Module({
  controllers: [HealthController],
  providers: [CheckReadiness],
})
export class HealthModule {}
