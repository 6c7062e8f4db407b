import { Module } from '@nestjs/common';
import { MetricsController } from './metrics.controller';

/** `GET /v1/metrics`: the gateway's Prometheus registry (HTTP, Kafka, process). */
@Module({ controllers: [MetricsController] })
// eslint-disable-next-line @typescript-eslint/no-extraneous-class -- a Nest module is an empty class carrying @Module
export class MetricsModule {}
