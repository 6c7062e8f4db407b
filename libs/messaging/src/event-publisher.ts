import { CompressionTypes, Partitioners, type Kafka, type Message, type Producer } from 'kafkajs';
import { encodeCloudEvent, type CloudEvent } from './cloud-event';
import type { InboundEvent } from './consumer-runner';

/**
 * Produces to Kafka and resolves only once every in-sync replica has the records (acks=all).
 * Idempotent producer: broker-side dedup of retries; kafkajs needs maxInFlightRequests 1 for it.
 */
export class EventPublisher {
  private readonly producer: Producer;
  private connected?: Promise<void>;

  constructor(kafka: Kafka) {
    this.producer = kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
      // Java-client-compatible murmur2 partitioning: other producers of the same keys agree.
      createPartitioner: Partitioners.DefaultPartitioner,
    });
  }

  connect(): Promise<void> {
    this.connected ??= this.producer.connect();
    return this.connected;
  }

  async publish<T>(topic: string, events: CloudEvent<T>[]): Promise<void> {
    await this.send(topic, events.map(encodeCloudEvent));
  }

  /**
   * Events for several topics in one acks=all request (kafkajs sendBatch): a service emitting
   * many kinds of events per input batch waits for one round trip, not one per topic.
   */
  async publishAll(batches: Iterable<{ topic: string; events: CloudEvent[] }>): Promise<void> {
    const topicMessages = [...batches]
      .filter(({ events }) => events.length > 0)
      .map(({ topic, events }) => ({ topic, messages: events.map(encodeCloudEvent) }));
    if (topicMessages.length === 0) return;
    await this.connect();
    await this.producer.sendBatch({ topicMessages, acks: -1, compression: CompressionTypes.None });
  }

  /**
   * Re-publishes consumed events exactly as received (same bytes, same ce_* headers, so the same
   * ce_id): a router or fan-out pays no JSON re-encoding.
   */
  async forward(topic: string, events: Pick<InboundEvent, 'raw'>[]): Promise<void> {
    await this.send(
      topic,
      events.map(({ raw }) => ({ key: raw.key, value: raw.value, headers: raw.headers })),
    );
  }

  /** Raw records (already encoded), e.g. a record copied unchanged to a DLQ. */
  async send(topic: string, messages: Message[]): Promise<void> {
    if (messages.length === 0) return;
    await this.connect();
    await this.producer.send({ topic, messages, acks: -1, compression: CompressionTypes.None });
  }

  async disconnect(): Promise<void> {
    if (!this.connected) return;
    this.connected = undefined;
    await this.producer.disconnect();
  }
}
