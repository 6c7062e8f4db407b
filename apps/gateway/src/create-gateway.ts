import type { NestApplicationOptions } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Logger } from 'nestjs-pino';
import { TopicNames, createKafka, provisionContractTopics } from '@passerelle/messaging';
import { migrateToLatest, openDatabase, type GatewayDatabase } from '@passerelle/persistence';
import { MetricsRegistry } from '@passerelle/observability';
import { TokenVerifier } from '@passerelle/auth';
import type { GatewayConfig } from './gateway.config';
import { GatewayModule } from './gateway.module';
import { ProblemFilter } from './problem/problem.filter';

// Logs wait for the pino logger, which the app only gets once built.
// eslint-disable-next-line @typescript-eslint/no-unsafe-class-instance-assignment -- Nest declares its options as a class but reads a plain object
const APPLICATION_OPTIONS: NestApplicationOptions = { bufferLogs: true };

/**
 * Builds the gateway: schema migrated and topics provisioned before it takes traffic. Used by
 * main.ts and by e2e tests, so both run exactly the same application.
 */
export async function createGateway(config: GatewayConfig): Promise<NestFastifyApplication> {
  const kafka = createKafka({ brokers: config.kafkaBrokers, clientId: 'passerelle-gateway' });
  const database = openDatabase<GatewayDatabase>({
    url: config.databaseUrl,
    schema: config.databaseSchema,
    applicationName: 'passerelle-gateway',
  });
  await migrateToLatest(database);
  const topics = new TopicNames(config.topicPrefix);
  await provisionContractTopics(kafka, {
    names: topics,
    partitions: config.topicPartitions,
    replicationFactor: config.replicationFactor,
    retention: config,
  });
  const metrics = new MetricsRegistry('gateway');
  const verifier = await TokenVerifier.create({
    jwks: config.jwks,
    issuer: config.issuer,
    audience: config.audience,
    devKeys: config.devKeys,
    devKeyDir: config.devKeyDir,
  });

  const adapter = new FastifyAdapter({ trustProxy: true, bodyLimit: config.bodyLimitBytes });
  // JSON is the only body the API reads (bulk uploads register their own media types): without
  // Fastify's default text/plain parser, any other media type is a 415 before the handler runs.
  adapter.getInstance().removeContentTypeParser('text/plain');
  // Route templates, not URLs, label the metrics: ids never end up in Prometheus.
  adapter.getInstance().addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    metrics.observeHttp(request.method, route, reply.statusCode, reply.elapsedTime / 1000);
  });
  const app = await NestFactory.create<NestFastifyApplication>(
    GatewayModule.forRoot({ config, kafka, database, metrics, verifier, topics }),
    adapter,
    APPLICATION_OPTIONS,
  );
  app.useLogger(app.get(Logger));
  app.setGlobalPrefix('v1');
  app.useGlobalFilters(new ProblemFilter());
  app.enableShutdownHooks();
  return app;
}
