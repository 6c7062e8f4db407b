import type { CloudEvent, EventPublisher, KafkaLogLevel } from '@passerelle/messaging';
import type { OutboxSink } from '@passerelle/persistence';

/** What the relay's worker thread is started with. */
export interface RelayWorkerData {
  /** Deployable name: the worker's Kafka client id and pool application name derive from it. */
  app: string;
  /** The app's environment: the worker reads the Kafka and PostgreSQL settings the app reads. */
  env: Record<string, string | undefined>;
  idleMs?: number;
  batchSize?: number;
}

export type ToRelayWorker = { kind: 'nudge' } | { kind: 'stop' };

/** kafkajs' levels, and `log` (Nest's info) for the relay's own news such as a recovery. */
export type RelayLogLevel = KafkaLogLevel | 'log';

export type FromRelayWorker =
  | { kind: 'log'; level: RelayLogLevel; context: string; message: string }
  /** Rows delivered (acks=all) by one relay step. */
  | { kind: 'relayed'; count: number }
  /** Producer connected and relay polling. */
  | { kind: 'ready' };

/**
 * Outbox rows to Kafka: each row holds the whole CloudEvent and its full topic name; one acks=all
 * request carries a delivery's events for every topic, in row order per topic.
 */
export function kafkaOutboxSink(publisher: EventPublisher, delivered: (count: number) => void): OutboxSink {
  return {
    async deliver(messages) {
      const byTopic = new Map<string, CloudEvent[]>();
      for (const { topic, event } of messages) {
        const events = byTopic.get(topic);
        if (events) events.push(event as unknown as CloudEvent);
        else byTopic.set(topic, [event as unknown as CloudEvent]);
      }
      await publisher.publishAll([...byTopic].map(([topic, events]) => ({ topic, events })));
      delivered(messages.length);
    },
  };
}
