import 'reflect-metadata';
import { Logger as NestLogger, Module, type DynamicModule, type INestMicroservice, type Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { LoggerModule, Logger } from 'nestjs-pino';
import type { Kafka } from 'kafkajs';
import { ConfigError, loadConfig, personalDataSettings } from '@passerelle/config';
import type { ContractTopicName } from '@passerelle/contracts';
import {
  EventPublisher,
  KafkaEventTransport,
  PropagateHandlerErrors,
  TopicNames,
  createKafka,
  provisionContractTopics,
} from '@passerelle/messaging';
import { PersonalDataVault } from '@passerelle/crypto';
import {
  inUnitOfWork,
  migrateToLatest,
  openDatabase,
  personalDataVault,
  type DatabaseHandle,
} from '@passerelle/persistence';
import { pinoParams } from '@passerelle/observability';
import { eventAppSettings, type EventAppConfig } from './event-app-settings';

export { eventAppSettings, type EventAppConfig } from './event-app-settings';

/** Injection tokens every event-driven app gets. */
export const EVENT_APP_CONFIG = Symbol('EVENT_APP_CONFIG');
export const DATABASE = Symbol('DATABASE');
/** The environment the app was started with, for an app's own settings (`loadConfig(mySettings, env)`). */
export const APP_ENV = Symbol('APP_ENV');

export interface EventAppDefinition {
  /** Deployable name: consumer group id, Kafka client id and log `app` field. */
  name: string;
  /** The app's own module: its `@EventPattern` handlers and their providers. */
  module: Type<unknown> | DynamicModule;
  /** Contract topics it consumes (names as in asyncapi.yaml, without prefix). */
  topics: ContractTopicName[];
  unknownTypes: 'skip' | 'dead-letter';
  /**
   * Apply each Kafka batch in one PostgreSQL transaction (handlers' `Inbox.applyOnce` joins it):
   * one commit per batch instead of one per event. Batches are then taken one at a time (unless
   * `batchConcurrency` says otherwise), so two batch transactions of one process never wait on
   * each other's rows.
   */
  transactionPerBatch?: boolean;
  /**
   * With `transactionPerBatch`: how many partitions' batches one process applies at once, each in
   * its own transaction (default 1). More lets one batch's database round trips overlap another's
   * processing; the app must then be as safe with concurrent batches as with replicas (locks taken
   * in one order, conflicts detected).
   */
  batchConcurrency?: number;
  /**
   * Opens or seals `personal` members: the app gets the process's `PersonalDataVault` (one key
   * cache, so an erasure one handler sees, all see) and needs PERSONAL_DATA_MASTER_KEY.
   */
  personalData?: boolean;
}

export interface RunningEventApp {
  app: INestMicroservice;
  config: EventAppConfig;
  database: DatabaseHandle;
  /** Drains in-flight work (the record in hand finishes and is committed), then disconnects. */
  close(): Promise<void>;
}

/**
 * Builds and starts an event-driven app: config checked, schema migrated and contract topics
 * provisioned before its consumer subscribes. main.ts and e2e tests both use it.
 */
export async function startEventApp(definition: EventAppDefinition, env = process.env): Promise<RunningEventApp> {
  const config = loadConfig(eventAppSettings, env);
  const personalData = definition.personalData ? loadConfig(personalDataSettings, env) : undefined;
  const kafka: Kafka = createKafka({ brokers: config.kafkaBrokers, clientId: `passerelle-${definition.name}` });
  const publisher = new EventPublisher(kafka);
  const database = openDatabase({
    url: config.databaseUrl,
    schema: config.databaseSchema,
    applicationName: `passerelle-${definition.name}`,
  });
  const names = new TopicNames(config.topicPrefix);
  // Schema and topics first: providers that start at module init (outbox relays, timers) find
  // their tables, and no consumer subscribes before every contract topic exists.
  try {
    await migrateToLatest(database);
    await provisionContractTopics(kafka, {
      names,
      partitions: config.topicPartitions,
      replicationFactor: config.replicationFactor,
      retention: config,
    });
  } catch (error) {
    await database.close();
    throw error;
  }

  // One vault per process, so one key cache: an erasure seen by one handler is seen by all.
  const vault = personalData
    ? [{ provide: PersonalDataVault, useValue: personalDataVault(database.db, personalData) }]
    : [];
  @Module({})
  class EventAppRootModule {}
  const root: DynamicModule = {
    module: EventAppRootModule,
    global: true,
    imports: [
      LoggerModule.forRoot(
        pinoParams({ level: config.logLevel, app: definition.name, destination: config.logDestination }),
      ),
      definition.module,
    ],
    providers: [
      { provide: EVENT_APP_CONFIG, useValue: config },
      { provide: DATABASE, useValue: database },
      { provide: APP_ENV, useValue: env },
      { provide: TopicNames, useValue: names },
      { provide: EventPublisher, useValue: publisher },
      ...vault,
    ],
    exports: [EVENT_APP_CONFIG, DATABASE, APP_ENV, TopicNames, EventPublisher, ...vault.map((v) => v.provide)],
  };

  const transport = new KafkaEventTransport({
    kafka,
    publisher,
    groupId: `${config.topicPrefix}passerelle-${definition.name}`,
    topics: definition.topics.map((t) => names.of(t)),
    maxAttempts: config.maxAttempts,
    retryBaseMs: config.retryBaseMs,
    sessionTimeoutMs: config.sessionTimeoutMs,
    heartbeatIntervalMs: config.heartbeatIntervalMs,
    unknownTypes: definition.unknownTypes,
    ...(definition.transactionPerBatch && {
      aroundBatch: (handle: () => Promise<void>) => inUnitOfWork(database.db, handle),
      partitionsConsumedConcurrently: definition.batchConcurrency ?? 1,
    }),
  });
  // eslint-disable-next-line @typescript-eslint/no-unsafe-class-instance-assignment -- Nest types its options as a class of optional fields and takes literals
  const app = await NestFactory.createMicroservice(root, { strategy: transport, bufferLogs: true });
  app.useLogger(app.get(Logger));
  app.useGlobalFilters(new PropagateHandlerErrors());
  await app.listen();

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      await app.close(); // the transport stops its consumer (draining) and producer
      await database.close();
    })();
    return closing;
  };
  return { app, config, database, close };
}

/** Process entry point: starts the app, and on SIGTERM/SIGINT drains it within the configured time. */
export function runEventApp(definition: EventAppDefinition): void {
  const logger = new NestLogger(definition.name);
  startEventApp(definition)
    .then((running) => {
      logger.log(`consuming ${definition.topics.join(', ')}`);
      const stop = (signal: string): void => {
        logger.log(`${signal}: draining in-flight work`);
        setTimeout(() => {
          logger.error(`did not drain within ${running.config.shutdownTimeoutMs} ms; exiting`);
          process.exit(1);
        }, running.config.shutdownTimeoutMs).unref();
        running.close().then(
          () => process.exit(0),
          (error: unknown) => {
            logger.error(`shutdown failed: ${String(error)}`);
            process.exit(1);
          },
        );
      };
      process.once('SIGTERM', () => stop('SIGTERM'));
      process.once('SIGINT', () => stop('SIGINT'));
    })
    .catch((error: unknown) => {
      if (error instanceof ConfigError) console.error(`${definition.name}: ${error.message}`);
      else console.error(`${definition.name} failed to start:`, error);
      process.exit(1);
    });
}
