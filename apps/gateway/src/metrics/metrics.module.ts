import { Module } from '@nestjs/common';
import { MetricsController } from './metrics.controller';

/** `GET /v1/metrics`: the gateway's Prometheus registry (HTTP, Kafka, process). */
@Module({ controllers: [MetricsController] })
export class MetricsModule {}
