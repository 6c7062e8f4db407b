import { CompressionTypes, Partitioners, type Kafka, type Message, type Producer, type TopicMessages } from 'kafkajs';
import { GroupCommit } from '@passerelle/persistence';
import { encodeCloudEvent, type CloudEvent } from './cloud-event';
import type { InboundEvent } from './consumer-runner';
import { MessagingError, MessagingErrorCode } from './messaging.error';

/**
 * Most bytes of records one produce request carries: under the broker's 1 MiB `message.max.bytes`
 * default, which a batch for one partition must fit (a mapped Kafka batch of EO records can be
 * several times that).
 */
export const MAX_REQUEST_BYTES = 900_000;
/** Bytes a record adds besides its key, value and headers (record framing, an estimate on the safe side). */
const RECORD_OVERHEAD_BYTES = 64;

export interface EventPublisherOptions {
  /** Most bytes of records in one produce request (default {@link MAX_REQUEST_BYTES}). */
  maxRequestBytes?: number;
  /**
   * Longest a caller waits for acks=all before its send fails with `WRITE_TIMED_OUT` (default:
   * as long as kafkajs keeps retrying). For callers that must answer someone, e.g. an HTTP
   * request, while the cluster is down.
   */
  writeTimeoutMs?: number;
}

/**
 * Produces to Kafka and resolves only once every in-sync replica has the records (acks=all).
 * Idempotent producer: broker-side dedup of retries; kafkajs needs maxInFlightRequests 1 for it,
 * so requests go one at a time. Sends that arrive while a request is in flight go together in
 * the next one (group commit, no linger): concurrent callers, e.g. HTTP requests, share produce
 * requests instead of queueing one each. A failed request fails every send it carried (at least
 * once: a caller retrying may write again what an earlier request of its group already wrote).
 * A send that times out may still be written once Kafka is back: retries carry the same ce_ids.
 */
export class EventPublisher {
  private producer: Producer;
  private connected?: Promise<void>;
  private readonly sends: GroupCommit<TopicMessages[]>;
  private readonly maxRequestBytes: number;
  private readonly writeTimeoutMs: number | undefined;
  private readonly newProducer: () => Producer;

  constructor(kafka: Kafka, options: EventPublisherOptions = {}) {
    this.maxRequestBytes = options.maxRequestBytes ?? MAX_REQUEST_BYTES;
    this.writeTimeoutMs = options.writeTimeoutMs;
    this.newProducer = () =>
      kafka.producer({
        idempotent: true,
        maxInFlightRequests: 1,
        allowAutoTopicCreation: false,
        // Java-client-compatible murmur2 partitioning: other producers of the same keys agree.
        createPartitioner: Partitioners.DefaultPartitioner,
      });
    this.producer = this.newProducer();
    this.sends = new GroupCommit((groups) => this.produce(groups.flat()));
  }

  connect(): Promise<void> {
    // A failed connect is not kept: the next send tries again (the broker may be back).
    this.connected ??= this.producer.connect().catch((error: unknown) => {
      this.connected = undefined;
      throw error;
    });
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
    await this.acknowledged(topicMessages);
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
    await this.acknowledged([{ topic, messages }]);
  }

  /** The records written with acks=all, or a `WRITE_TIMED_OUT` failure once the caller waited long enough. */
  private acknowledged(topicMessages: TopicMessages[]): Promise<void> {
    const written = this.sends.submit(topicMessages);
    const limit = this.writeTimeoutMs;
    if (limit === undefined) return written;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        reject(
          new MessagingError(
            MessagingErrorCode.WriteTimedOut,
            `Kafka did not acknowledge the write within ${limit} ms`,
          ),
        );
      }, limit);
    });
    return Promise.race([written, timedOut]).finally(() => clearTimeout(timer));
  }

  /** One group's records, in order, in as many acks=all requests as the byte limit needs. */
  private async produce(topicMessages: TopicMessages[]): Promise<void> {
    await this.connect();
    const producer = this.producer;
    try {
      for (const request of produceRequests(topicMessages, this.maxRequestBytes)) {
        await producer.sendBatch({ topicMessages: request, acks: -1, compression: CompressionTypes.None });
      }
    } catch (error) {
      this.replaceProducer(producer);
      throw error;
    }
  }

  /**
   * After a failed request the idempotent producer's sequence numbers are no longer known to
   * match the broker's: the request may have been written (a timeout after the write), and
   * kafkajs does not roll its sequence back. The next batch could then reuse a sequence number the
   * broker already holds, be taken for a duplicate and acknowledged without being written, or be
   * refused for ever as out of order (seen after a broker restart). A new producer (a new producer
   * id, sequences from 0) rules both out; a retry may write a record twice, with the same ce_id,
   * which consumers deduplicate.
   */
  private replaceProducer(failed: Producer): void {
    if (this.producer !== failed) return;
    this.producer = this.newProducer();
    this.connected = undefined;
    void failed.disconnect().catch(() => undefined);
  }

  async disconnect(): Promise<void> {
    if (!this.connected) return;
    this.connected = undefined;
    await this.producer.disconnect();
  }
}

/** Bytes one record takes in a request, near enough to keep requests under the broker's limit. */
export function recordBytes(message: Message): number {
  const size = (
    value: Message['value'] | Message['key'] | string | Buffer | (string | Buffer)[] | undefined,
  ): number => {
    if (value === null || value === undefined) return 0;
    if (Array.isArray(value)) return value.reduce((sum, v) => sum + size(v), 0);
    return typeof value === 'string' ? Buffer.byteLength(value) : value.length;
  };
  const headers = Object.entries(message.headers ?? {}).reduce(
    (sum, [name, value]) => sum + Buffer.byteLength(name) + size(value),
    0,
  );
  return size(message.key) + size(message.value) + headers + RECORD_OVERHEAD_BYTES;
}

/**
 * The records split into produce requests of at most `maxBytes`, in order (a record larger than
 * that goes alone: the broker decides). Order per topic and key is kept: requests go one after
 * the other.
 */
export function produceRequests(topicMessages: TopicMessages[], maxBytes: number): TopicMessages[][] {
  const requests: TopicMessages[][] = [];
  let current: TopicMessages[] = [];
  let bytes = 0;
  for (const { topic, messages } of topicMessages) {
    for (const message of messages) {
      const size = recordBytes(message);
      if (bytes > 0 && bytes + size > maxBytes) {
        requests.push(current);
        current = [];
        bytes = 0;
      }
      const last = current.at(-1);
      if (last?.topic === topic) last.messages.push(message);
      else current.push({ topic, messages: [message] });
      bytes += size;
    }
  }
  if (current.length > 0) requests.push(current);
  return requests;
}
