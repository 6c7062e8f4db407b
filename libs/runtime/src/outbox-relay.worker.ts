import { parentPort, workerData } from 'node:worker_threads';
import { databaseSettings, kafkaSettings, loadConfig } from '@passerelle/config';
// Single files, not the libraries' indexes: the thread starts with the app and loads only what
// relaying needs (the indexes bring Nest, Ajv and every schema: ~0.7 s of CPU at each start). The
// publisher takes GroupCommit from persistence's index, which costs ~30 ms of that.
import { EventPublisher } from '../../messaging/src/event-publisher';
import { kafkaClient, kafkaLogCreator } from '../../messaging/src/kafka-connection';
import { openDatabase } from '../../persistence/src/database';
import { OutboxRelay } from '../../persistence/src/outbox';
import { failureLine, recoveryLine } from '../../observability/src/retry-lines';
import {
  kafkaOutboxSink,
  type FromRelayWorker,
  type RelayLogLevel,
  type RelayWorkerData,
  type ToRelayWorker,
} from './outbox-relay-protocol';

/**
 * Entry of the outbox relay's worker thread (started by `OutboxRelayWorker`): its own pool
 * connection and idempotent producer, so encoding what an app emits never holds up the thread
 * that applies events. Logs go to the parent, which writes them with the app's logger.
 */
const port = parentPort;
if (!port) throw new Error('outbox-relay.worker runs as a worker thread (OutboxRelayWorker starts it)');
const post = (message: FromRelayWorker): void => port.postMessage(message);
const log = (level: RelayLogLevel, context: string, message: string): void =>
  post({ kind: 'log', level, context, message });

const { app, env, idleMs, batchSize } = workerData as RelayWorkerData;
// Only what relaying needs: sealed or not, the outbox's events go as the app wrote them.
const config = loadConfig({ ...kafkaSettings, ...databaseSettings }, env);
const publisher = new EventPublisher(
  kafkaClient(
    { brokers: config.kafkaBrokers, clientId: `passerelle-${app}-relay` },
    kafkaLogCreator((level, line) => log(level, 'kafkajs', line)),
  ),
);
const database = openDatabase({
  url: config.databaseUrl,
  schema: config.databaseSchema,
  applicationName: `passerelle-${app}-relay`,
  maxConnections: 1,
});
const relay = new OutboxRelay(
  database.db,
  kafkaOutboxSink(publisher, (count) => post({ kind: 'relayed', count })),
  {
    idleMs,
    batchSize,
    onError: (error, consecutive) => log('warn', 'OutboxRelay', failureLine('outbox relay', error, consecutive)),
    onRecovered: (failures) => log('log', 'OutboxRelay', recoveryLine('outbox relay', failures)),
  },
);

let stopping = false;
port.on('message', (message: ToRelayWorker) => {
  if (message.kind === 'nudge') {
    relay.nudge();
    return;
  }
  stopping = true;
  // Stop: the delivery in flight finishes (its rows deleted in the same transaction), then
  // the producer and the pool close; what is left stays in the outbox for the next start.
  port.removeAllListeners('message');
  void (async () => {
    await relay.stop();
    // A connect still in flight would open the producer's sockets after the disconnect.
    await connecting.catch(() => undefined);
    await publisher
      .disconnect()
      .catch((error: unknown) => log('warn', 'OutboxRelay', `producer disconnect failed: ${String(error)}`));
    await database.close();
    port.close();
    // Everything is closed; should a handle still linger, end the thread rather than wait for it.
    setTimeout(() => process.exit(0), 1_000).unref();
  })();
});

// Connected before the first poll, so the app counts as started only with a relay that can deliver.
const connecting = publisher.connect();
void connecting.then(
  () => {
    if (stopping) return; // asked to stop while connecting: the stop above closes everything
    relay.start();
    post({ kind: 'ready' });
  },
  (error: unknown) => {
    log('error', 'OutboxRelay', `outbox relay could not connect to Kafka: ${String(error)}`);
    process.exit(1);
  },
);
