import { Logger } from '@nestjs/common';
import type { Consumer, EachBatchPayload, IHeaders, Kafka, KafkaMessage } from 'kafkajs';
import { decodeCloudEvent, type CloudEvent } from './cloud-event';
import { unavailableDependency, type UnavailableDependency } from './dependency-unavailable';
import type { EventPublisher } from './event-publisher';
import { MessagingError, MessagingErrorCode } from './messaging.error';
import { dlqTopicFor } from './topic-provisioner';

/** A decoded event with where it came from. */
export interface InboundEvent<T = unknown> {
  event: CloudEvent<T>;
  topic: string;
  partition: number;
  offset: string;
  key: string | null;
  /** Broker/producer timestamp of the record, ms since epoch as a string (kafkajs' form). */
  timestamp: string;
  /** The record exactly as read: what the DLQ receives, and what `EventPublisher.forward` re-sends. */
  raw: RawInboundRecord;
}

export type RawInboundRecord = Pick<KafkaMessage, 'key' | 'value' | 'headers' | 'offset' | 'timestamp'>;

/** Handles events of one topic-partition, in offset order. Throwing means "not applied". */
export type BatchHandler = (events: InboundEvent[]) => Promise<void>;

export interface DeadLetter {
  topic: string;
  partition: number;
  offset: string;
  error: Error;
  attempts: number;
}

export interface ConsumerRunnerOptions {
  kafka: Kafka;
  groupId: string;
  topics: string[];
  handleBatch: BatchHandler;
  /** Producer used for `<topic>.dlq`; acks=all before the offset moves on. */
  publisher: EventPublisher;
  maxAttempts: number;
  retryBaseMs: number;
  retryMaxMs?: number;
  /** kafkajs session timeout; heartbeats keep long handlers inside it. */
  sessionTimeoutMs?: number;
  heartbeatIntervalMs?: number;
  partitionsConsumedConcurrently?: number;
  /** Most events handed to one handleBatch call; shutdown waits for at most one such call. */
  maxBatchSize?: number;
  /** A new consumer group starts at the beginning, so nothing produced before it joined is missed. */
  fromBeginning?: boolean;
  onDeadLetter?: (letter: DeadLetter) => void;
  onProcessed?: (topic: string, count: number) => void;
}

/** Errors that say retrying cannot help (bad bytes, schema violations) skip straight to the DLQ. */
export function isRetriable(error: unknown): boolean {
  if (error instanceof MessagingError) return error.retriable;
  if (typeof error === 'object' && error !== null && 'retriable' in error) {
    return error.retriable !== false;
  }
  return true;
}

type Outcome = 'done' | 'stopped';

/** Longest wait between tries while PostgreSQL or Kafka is down: short, so work resumes soon after. */
const OUTAGE_RETRY_MAX_MS = 5_000;

/**
 * Runs a consumer group with manual commits: an offset is committed only once every record before
 * it was applied by the handler or parked on `<topic>.dlq`. A failing batch is retried record by
 * record, so one poison record never holds back or re-applies its neighbours. A failure that says
 * PostgreSQL or Kafka is down (`unavailableDependency`) is no fault of the records: the same work
 * is tried again until the dependency is back, and never counts towards the DLQ.
 */
export class ConsumerRunner {
  private readonly logger: Logger;
  private readonly consumer: Consumer;
  private started = false;

  constructor(private readonly options: ConsumerRunnerOptions) {
    this.logger = new Logger(`ConsumerRunner:${options.groupId}`);
    const sessionTimeout = options.sessionTimeoutMs ?? 30_000;
    this.consumer = options.kafka.consumer({
      groupId: options.groupId,
      sessionTimeout,
      heartbeatInterval: Math.min(options.heartbeatIntervalMs ?? 3_000, Math.floor(sessionTimeout / 3)),
      allowAutoTopicCreation: false,
      retry: { retries: 10 },
    });
  }

  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    await this.options.publisher.connect();
    await this.consumer.connect();
    await this.consumer.subscribe({ topics: this.options.topics, fromBeginning: this.options.fromBeginning ?? true });
    await this.consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: this.options.partitionsConsumedConcurrently ?? 3,
      eachBatch: (payload) => this.consumeBatch(payload),
    });
  }

  /** Stops fetching, lets the record in hand finish, commits what was done, leaves the group. */
  async stop(): Promise<void> {
    if (!this.started) return;
    this.started = false;
    await this.consumer.disconnect();
  }

  /** Hooks for tests and metrics (e.g. `consumer.events.GROUP_JOIN`). */
  get events(): Consumer['events'] {
    return this.consumer.events;
  }

  on: Consumer['on'] = (...args) => this.consumer.on(...args);

  private async consumeBatch(payload: EachBatchPayload): Promise<void> {
    const { batch } = payload;
    const beat = (): void => {
      payload.heartbeat().catch(() => undefined); // a rebalance in progress shows up as isStale()
    };
    const timer = setInterval(beat, this.options.heartbeatIntervalMs ?? 3_000);
    let lastDone: string | undefined;
    try {
      let run: InboundEvent[] = [];
      const flush = async (): Promise<Outcome> => {
        if (run.length === 0) return 'done';
        const events = run;
        run = [];
        const outcome = await this.applyRun(events, payload);
        if (outcome === 'done') lastDone = events[events.length - 1].offset;
        return outcome;
      };

      for (const message of batch.messages) {
        if (!payload.isRunning() || payload.isStale()) break;
        let decoded: InboundEvent;
        try {
          decoded = this.decode(batch.topic, batch.partition, message);
        } catch (error) {
          if ((await flush()) === 'stopped') return;
          await this.deadLetter(batch.topic, batch.partition, message, error as Error, 1);
          payload.resolveOffset(message.offset);
          lastDone = message.offset;
          continue;
        }
        run.push(decoded);
        if (run.length >= (this.options.maxBatchSize ?? 500) && (await flush()) === 'stopped') return;
      }
      await flush();
    } finally {
      clearInterval(timer);
      if (lastDone !== undefined) {
        const offset = (BigInt(lastDone) + 1n).toString();
        try {
          // Through the batch payload: unlike consumer.commitOffsets, it still commits while
          // the consumer is stopping, so a drained record is not redelivered after a restart.
          await payload.commitOffsetsIfNecessary({
            topics: [{ topic: batch.topic, partitions: [{ partition: batch.partition, offset }] }],
          });
        } catch (error) {
          // Lost the partition mid-batch: its next owner re-reads from the last commit, and
          // consumers deduplicate on ce_id, so nothing is lost or applied twice.
          this.logger.warn(
            `commit of ${batch.topic}[${batch.partition}]@${offset} failed: ${(error as Error).message}`,
          );
        }
      }
    }
  }

  private decode(topic: string, partition: number, message: KafkaMessage): InboundEvent {
    return {
      event: decodeCloudEvent(message),
      topic,
      partition,
      offset: message.offset,
      key: message.key ? message.key.toString() : null,
      timestamp: message.timestamp,
      raw: message,
    };
  }

  private async applyRun(events: InboundEvent[], payload: EachBatchPayload): Promise<Outcome> {
    if (events.length === 1) {
      const outcome = await this.applyOne(events[0], payload);
      if (outcome === 'done') payload.resolveOffset(events[0].offset);
      return outcome;
    }
    for (let outage = 0; ; outage += 1) {
      try {
        await this.options.handleBatch(events);
        payload.resolveOffset(events[events.length - 1].offset);
        this.options.onProcessed?.(events[0].topic, events.length);
        return 'done';
      } catch (error) {
        const dependency = unavailableDependency(error);
        if (dependency === undefined) {
          this.logger.warn(`batch of ${events.length} failed (${(error as Error).message}); retrying record by record`);
          break;
        }
        if ((await this.waitOutOutage(events[0], dependency, error, outage, payload)) === 'stopped') return 'stopped';
      }
    }
    for (const event of events) {
      const outcome = await this.applyOne(event, payload);
      if (outcome === 'stopped') return 'stopped';
      payload.resolveOffset(event.offset);
    }
    return 'done';
  }

  private async applyOne(event: InboundEvent, payload: EachBatchPayload): Promise<Outcome> {
    const { maxAttempts, retryBaseMs } = this.options;
    const retryMaxMs = this.options.retryMaxMs ?? 30_000;
    let attempt = 0;
    let outage = 0;
    for (;;) {
      try {
        await this.options.handleBatch([event]);
        this.options.onProcessed?.(event.topic, 1);
        return 'done';
      } catch (error) {
        const err = error instanceof Error ? error : new Error(String(error));
        const dependency = unavailableDependency(err);
        if (dependency !== undefined) {
          if ((await this.waitOutOutage(event, dependency, err, outage++, payload)) === 'stopped') return 'stopped';
          continue;
        }
        attempt += 1;
        if (!isRetriable(err) || attempt >= maxAttempts) {
          await this.deadLetter(event.topic, event.partition, event.raw, err, attempt);
          return 'done';
        }
        const delay = Math.min(retryMaxMs, retryBaseMs * 2 ** (attempt - 1));
        this.logger.warn(
          `${event.topic}[${event.partition}]@${event.offset} attempt ${attempt}/${maxAttempts} failed: ${err.message}; retry in ${delay} ms`,
        );
        await sleep(delay * (0.8 + Math.random() * 0.4));
        // On shutdown, leave the record uncommitted: the next owner of the partition retries it.
        if (!payload.isRunning() || payload.isStale()) return 'stopped';
      }
    }
  }

  /** Waits before the next try of work that met `dependency` down; `stopped` if the partition is no longer ours. */
  private async waitOutOutage(
    event: InboundEvent,
    dependency: UnavailableDependency,
    error: unknown,
    outage: number,
    payload: EachBatchPayload,
  ): Promise<Outcome> {
    const delay = Math.min(OUTAGE_RETRY_MAX_MS, this.options.retryBaseMs * 2 ** Math.min(outage, 20));
    this.logger.warn(
      `${event.topic}[${event.partition}]@${event.offset}: ${dependency} unavailable (${(error as Error).message}); try ${outage + 1} again in ${delay} ms`,
    );
    await sleep(delay * (0.8 + Math.random() * 0.4));
    return payload.isRunning() && !payload.isStale() ? 'done' : 'stopped';
  }

  private async deadLetter(
    topic: string,
    partition: number,
    message: RawInboundRecord,
    error: Error,
    attempts: number,
  ): Promise<void> {
    // An error's own code (a module's error-code enum) names the reason best; else a generic one.
    const own = (error as { code?: unknown }).code;
    const code =
      error instanceof MessagingError
        ? error.code
        : typeof own === 'string' && /^[A-Z][A-Z0-9_]*$/.test(own)
          ? own
          : MessagingErrorCode.HandlerFailed;
    const headers: IHeaders = {
      ...(message.headers ?? {}),
      dlq_original_topic: topic,
      dlq_original_partition: String(partition),
      dlq_original_offset: message.offset,
      dlq_error: truncate(error.message, 4_000),
      dlq_error_name: error.name,
      dlq_error_code: code,
      dlq_attempts: String(attempts),
      dlq_failed_at: new Date().toISOString(),
    };
    await this.options.publisher.send(dlqTopicFor(topic), [
      { key: message.key, value: message.value, headers, timestamp: message.timestamp },
    ]);
    this.logger.error(
      `${topic}[${partition}]@${message.offset} sent to ${dlqTopicFor(topic)} after ${attempts} attempt(s): ${error.message}`,
    );
    this.options.onDeadLetter?.({ topic, partition, offset: message.offset, error, attempts });
  }
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max)}…`;
}

function sleep(ms: number): Promise<void> {
  return new Promise((done) => setTimeout(done, ms));
}
