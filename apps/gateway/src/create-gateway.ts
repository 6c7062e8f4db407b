import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Logger } from 'nestjs-pino';
import { TopicNames, createKafka, provisionContractTopics } from '@passerelle/messaging';
import { migrateToLatest, openDatabase } from '@passerelle/persistence';
import { MetricsRegistry } from '@passerelle/observability';
import { TokenVerifier } from '@passerelle/auth';
import type { GatewayConfig } from './gateway.config';
import { GatewayModule } from './gateway.module';
import { ProblemFilter } from './problem/problem.filter';

/**
 * Builds the gateway: schema migrated and topics provisioned before it takes traffic. Used by
 * main.ts and by e2e tests, so both run exactly the same application.
 */
export async function createGateway(config: GatewayConfig): Promise<NestFastifyApplication> {
  const kafka = createKafka({ brokers: config.kafkaBrokers, clientId: 'passerelle-gateway' });
  const database = openDatabase({
    url: config.databaseUrl,
    schema: config.databaseSchema,
    applicationName: 'passerelle-gateway',
  });
  await migrateToLatest(database);
  await provisionContractTopics(kafka, {
    names: new TopicNames(config.topicPrefix),
    partitions: config.topicPartitions,
    replicationFactor: config.replicationFactor,
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
    GatewayModule.forRoot({ config, kafka, database, metrics, verifier }),
    adapter,
    { bufferLogs: true },
  );
  app.useLogger(app.get(Logger));
  app.setGlobalPrefix('v1');
  app.useGlobalFilters(new ProblemFilter());
  app.enableShutdownHooks();
  return app;
}
