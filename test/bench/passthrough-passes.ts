import { CompressionTypes, type Admin, type Consumer, type Kafka, type Message } from 'kafkajs';
import { ConsumerRunner, EventPublisher } from '@passerelle/messaging';
import { sleep } from './bench';

/**
 * The two ways messaging.passthrough moves records from an input topic to an output topic:
 * libs/messaging as a service uses it ("ours") and the same job hand-written on bare kafkajs.
 */
const POLL_MS = 200;

export interface PassSetup {
  kafka: Kafka;
  admin: Admin;
  input: string;
  output: string;
  groupId: string;
  count: number;
  maxBatchSize: number;
  timeoutMs: number;
}

/** libs/messaging: ConsumerRunner -> handleBatch -> EventPublisher.forward. Returns seconds. */
export async function oursPass(setup: PassSetup): Promise<number> {
  const { kafka, output, groupId } = setup;
  const publisher = new EventPublisher(kafka);
  await publisher.connect();
  let deadLetters = 0;
  const runner = new ConsumerRunner({
    kafka,
    groupId,
    topics: [setup.input],
    publisher,
    maxAttempts: 3,
    retryBaseMs: 200,
    partitionsConsumedConcurrently: 3,
    maxBatchSize: setup.maxBatchSize,
    fromBeginning: true,
    onDeadLetter: () => {
      deadLetters += 1;
    },
    handleBatch: async (events) => {
      await publisher.forward(output, events);
    },
  });
  let crashed: Error | undefined;
  runner.on(runner.events.CRASH, (event) => {
    crashed = event.payload.error;
  });
  try {
    const t0 = performance.now();
    await runner.start();
    await waitUntilDone(
      setup,
      () => crashed ?? (deadLetters > 0 ? new Error(`${deadLetters} record(s) dead-lettered`) : undefined),
    );
    return (performance.now() - t0) / 1000;
  } finally {
    await runner.stop().catch(() => undefined);
    await publisher.disconnect().catch(() => undefined);
  }
}

/** Bare kafkajs, hand-written: eachBatch, one send per batch, explicit commit. Returns seconds. */
export async function baselinePass(setup: PassSetup): Promise<number> {
  const { kafka, output, groupId } = setup;
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
  await producer.connect();
  const { consumer, crashed } = baselineConsumer(kafka, groupId);
  try {
    const t0 = performance.now();
    await consumer.connect();
    await consumer.subscribe({ topics: [setup.input], fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: 3,
      eachBatch: async (payload) => {
        const { batch } = payload;
        if (batch.messages.length === 0) return;
        const messages: Message[] = batch.messages.map((m) => ({ key: m.key, value: m.value, headers: m.headers }));
        await producer.send({ topic: output, messages, acks: -1, compression: CompressionTypes.None });
        const last = batch.messages[batch.messages.length - 1].offset;
        payload.resolveOffset(last);
        await payload.commitOffsetsIfNecessary({
          topics: [
            {
              topic: batch.topic,
              partitions: [{ partition: batch.partition, offset: (BigInt(last) + 1n).toString() }],
            },
          ],
        });
        await payload.heartbeat();
      },
    });
    await waitUntilDone(setup, crashed);
    return (performance.now() - t0) / 1000;
  } finally {
    await consumer.disconnect().catch(() => undefined);
    await producer.disconnect().catch(() => undefined);
  }
}

/**
 * Done when the output topic's high watermarks sum to `count` (no consumer group involved) and
 * the group committed the input topic up to its end.
 */
async function waitUntilDone(setup: PassSetup, failed: () => Error | undefined): Promise<void> {
  const { admin, input, output, groupId, count } = setup;
  const inputEnd = new Map((await admin.fetchTopicOffsets(input)).map((p) => [p.partition, p.high]));
  const deadline = Date.now() + setup.timeoutMs;
  for (;;) {
    const error = failed();
    if (error) throw error;
    const outOffsets = await admin.fetchTopicOffsets(output);
    const produced = outOffsets.reduce((sum, p) => sum + Number(p.high), 0);
    if (produced >= count) {
      const [committed] = await admin.fetchOffsets({ groupId, topics: [input] });
      if (committed.partitions.every((p) => p.offset === inputEnd.get(p.partition))) return;
    }
    if (Date.now() > deadline) {
      throw new Error(`pass of ${groupId} timed out after ${setup.timeoutMs} ms (${produced}/${count} records out)`);
    }
    await sleep(POLL_MS);
  }
}

/**
 * The baselines' bare kafkajs consumer, with the settings ConsumerRunner builds (fetch sizes left
 * at kafkajs defaults in both), and the crash it met, if any.
 */
export function baselineConsumer(
  kafka: Kafka,
  groupId: string,
): { consumer: Consumer; crashed: () => Error | undefined } {
  const consumer = kafka.consumer({
    groupId,
    sessionTimeout: 30_000,
    heartbeatInterval: 3_000,
    allowAutoTopicCreation: false,
    retry: { retries: 10 },
  });
  let crash: Error | undefined;
  consumer.on(consumer.events.CRASH, (event) => {
    crash = event.payload.error;
  });
  return { consumer, crashed: () => crash };
}
