import { Controller, Get, Header, Inject } from '@nestjs/common';
import type { MetricsRegistry } from '@passerelle/observability';
import { Public } from '../auth/access';
import { METRICS } from '../tokens';

@Public()
@Controller('metrics')
export class MetricsController {
  constructor(@Inject(METRICS) private readonly metrics: MetricsRegistry) {}

  @Get()
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  async scrape(): Promise<string> {
    return this.metrics.registry.metrics();
  }
}
