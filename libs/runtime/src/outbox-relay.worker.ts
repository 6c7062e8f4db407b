import { Logger, type LoggerService } from '@nestjs/common';
import { parentPort, workerData } from 'node:worker_threads';
import { loadConfig } from '@passerelle/config';
import { EventPublisher, createKafka } from '@passerelle/messaging';
import { OutboxRelay, openDatabase } from '@passerelle/persistence';
import { eventAppSettings } from './event-app-settings';
import { kafkaOutboxSink, type RelayWorkerData, type ToRelayWorker, type FromRelayWorker } from './outbox-relay-protocol';

/**
 * Entry of the outbox relay's worker thread (started by `OutboxRelayWorker`): its own pool
 * connection and idempotent producer, so encoding what an app emits never holds up the thread
 * that applies events. Logs go to the parent, which writes them with the app's logger.
 */
const port = parentPort;
if (!port) throw new Error('outbox-relay.worker runs as a worker thread (OutboxRelayWorker starts it)');
const post = (message: FromRelayWorker): void => port.postMessage(message);

class ParentLogger implements LoggerService {
  log(message: unknown, context?: string): void {
    post({ kind: 'log', level: 'log', context, message: String(message) });
  }
  warn(message: unknown, context?: string): void {
    post({ kind: 'log', level: 'warn', context, message: String(message) });
  }
  error(message: unknown, ...rest: unknown[]): void {
    post({ kind: 'log', level: 'error', context: rest.find((r): r is string => typeof r === 'string'), message: String(message) });
  }
  debug(message: unknown, context?: string): void {
    post({ kind: 'log', level: 'debug', context, message: String(message) });
  }
  verbose(message: unknown, context?: string): void {
    post({ kind: 'log', level: 'verbose', context, message: String(message) });
  }
}
Logger.overrideLogger(new ParentLogger());

const { app, env, idleMs, batchSize } = workerData as RelayWorkerData;
const config = loadConfig(eventAppSettings, env);
const publisher = new EventPublisher(createKafka({ brokers: config.kafkaBrokers, clientId: `passerelle-${app}-relay` }));
const database = openDatabase({
  url: config.databaseUrl,
  schema: config.databaseSchema,
  applicationName: `passerelle-${app}-relay`,
  maxConnections: 1,
});
const logger = new Logger('OutboxRelay');
const relay = new OutboxRelay(database.db, kafkaOutboxSink(publisher, (count) => post({ kind: 'relayed', count })), {
  idleMs,
  batchSize,
  onError: (error) => logger.warn(`outbox relay failed, retrying: ${String(error)}`),
});
relay.start();

port.on('message', (message: ToRelayWorker) => {
  if (message.kind === 'nudge') {
    relay.nudge();
    return;
  }
  // Stop: the delivery in flight finishes (its rows deleted in the same transaction), then
  // the producer and the pool close; what is left stays in the outbox for the next start.
  port.removeAllListeners('message');
  void (async () => {
    await relay.stop();
    await publisher.disconnect().catch((error: unknown) => logger.warn(`producer disconnect failed: ${String(error)}`));
    await database.close();
    post({ kind: 'stopped' });
    port.close();
  })();
});
