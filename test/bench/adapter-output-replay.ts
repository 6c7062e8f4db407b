import {
  CompressionTypes,
  Partitioners,
  type Admin,
  type Kafka,
  type KafkaMessage,
  type Message,
  type TopicMessages,
} from 'kafkajs';
import { schemaRegistry, type ContractTopicName, type OwCaseRecord } from '@passerelle/contracts';
import {
  MAX_REQUEST_BYTES,
  encodeCloudEvent,
  produceRequests,
  type CloudEvent,
  type TopicNames,
} from '@passerelle/messaging';
import { clientIdFor } from '@passerelle/persistence';
import { owCaseRecordSource } from '../../apps/ow-adapter/src/ow-sources';
import { sleep, uniqueName } from './bench';
import { baselineConsumer } from './passthrough-passes';

/**
 * The baseline of ow.adapter: what the adapter publishes, computed before timing, then moved by
 * a bare kafkajs consumer and producer. The ratio then compares the adapter's own work
 * (validation, identity links in PostgreSQL, mapping) with moving the same bytes.
 */

/** The adapter's output for a set of raw records, encoded as it would be (same records, headers, bytes). */
export interface PrebuiltOutput {
  /** Each raw record's canonical events, grouped by topic, under the raw record's Kafka key. */
  byRecordKey: Map<string, TopicMessages[]>;
  /** Events per canonical topic (contract name, without prefix). */
  perTopic: Map<ContractTopicName, number>;
  events: number;
  valueBytes: number;
  headerBytes: number;
}

/**
 * The adapter's steps for a new person, run once: source validation, the client id the identity
 * links would give (`clientIdFor` its first identity), the adapter's own mapping, and
 * `encodeCloudEvent`, as `SourceRecordTranslator` and `EventPublisher` do.
 */
export function prebuildAdapterOutput(raws: CloudEvent<OwCaseRecord>[], names: TopicNames): PrebuiltOutput {
  const registry = schemaRegistry();
  const output: PrebuiltOutput = {
    byRecordKey: new Map(),
    perTopic: new Map(),
    events: 0,
    valueBytes: 0,
    headerBytes: 0,
  };
  for (const raw of raws) {
    const valid = registry.validate<OwCaseRecord>(owCaseRecordSource.schemaId, raw.data);
    if (!valid.ok) throw new Error(`raw record ${raw.id} is invalid: ${JSON.stringify(valid.errors)}`);
    const [founder] = owCaseRecordSource.identities(valid.value);
    const mapped = owCaseRecordSource.map(valid.value, {
      clientId: clientIdFor(founder),
      sourceEventId: raw.id,
      correlationId: raw.correlationid,
    });
    if (!mapped.ok) throw new Error(`raw record ${raw.id} refused: ${mapped.reasons.join('; ')}`);
    const byTopic = new Map<string, Message[]>();
    for (const { topic, event } of mapped.events) {
      const message = encodeCloudEvent(event);
      output.valueBytes += (message.value as Buffer).length;
      for (const [name, value] of Object.entries(message.headers ?? {}))
        output.headerBytes += name.length + Buffer.byteLength(String(value));
      output.perTopic.set(topic, (output.perTopic.get(topic) ?? 0) + 1);
      append(byTopic, names.of(topic), [message]);
    }
    output.events += mapped.events.length;
    if (raw.partitionkey === undefined) throw new Error(`raw record ${raw.id} has no key`);
    output.byRecordKey.set(
      raw.partitionkey,
      [...byTopic].map(([topic, messages]) => ({ topic, messages })),
    );
  }
  return output;
}

export interface ReplaySetup {
  kafka: Kafka;
  admin: Admin;
  /** Raw records topic the adapter consumes. */
  input: string;
  groupId: string;
  output: PrebuiltOutput;
  timeoutMs: number;
}

/** ConsumerRunner's default `maxBatchSize`, which the adapter runs with: records handled (and published) at once. */
const RECORDS_PER_HANDLING = 500;

/**
 * Bare kafkajs with the adapter's consumer settings and commit discipline (ConsumerRunner: manual
 * commits, 3 partitions at once, up to 500 records a handling, offsets resolved after each, the
 * batch committed at its end) and its producer (idempotent, one request in flight, murmur2
 * partitioner, acks=all, requests split at the same byte limit). For each raw record it sends
 * the pre-built events: no decoding, validation, mapping or PostgreSQL. Returns seconds, from
 * connecting until the group committed the whole input.
 */
export async function replayPass(setup: ReplaySetup): Promise<number> {
  const { kafka, output } = setup;
  const t0 = performance.now();
  const producer = kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    allowAutoTopicCreation: false,
    createPartitioner: Partitioners.DefaultPartitioner,
  });
  const { consumer, crashed } = baselineConsumer(kafka, setup.groupId);
  try {
    await producer.connect();
    await consumer.connect();
    await consumer.subscribe({ topics: [setup.input], fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: 3,
      eachBatch: async (payload) => {
        const { batch } = payload;
        let lastDone: string | undefined;
        try {
          for (let from = 0; from < batch.messages.length; from += RECORDS_PER_HANDLING) {
            if (!payload.isRunning() || payload.isStale()) break;
            const records = batch.messages.slice(from, from + RECORDS_PER_HANDLING);
            const byTopic = new Map<string, Message[]>();
            for (const record of records) {
              const key = record.key?.toString() ?? '';
              const events = output.byRecordKey.get(key);
              if (!events) throw new Error(`no pre-built events for the raw record keyed ${key}`);
              for (const { topic, messages } of events) append(byTopic, topic, messages);
            }
            const topicMessages = [...byTopic].map(([topic, messages]) => ({ topic, messages }));
            for (const request of produceRequests(topicMessages, MAX_REQUEST_BYTES))
              await producer.sendBatch({ topicMessages: request, acks: -1, compression: CompressionTypes.None });
            lastDone = records[records.length - 1].offset;
            payload.resolveOffset(lastDone);
            await payload.heartbeat();
          }
        } finally {
          if (lastDone !== undefined) {
            const offset = (BigInt(lastDone) + 1n).toString();
            await payload.commitOffsetsIfNecessary({
              topics: [{ topic: batch.topic, partitions: [{ partition: batch.partition, offset }] }],
            });
          }
        }
      },
    });
    await waitUntilCommitted(setup.admin, setup.groupId, setup.input, setup.timeoutMs, crashed);
    return (performance.now() - t0) / 1000;
  } finally {
    await consumer.disconnect().catch(() => undefined);
    await producer.disconnect().catch(() => undefined);
  }
}

/** Resolves once `groupId` committed every partition of `topic` up to its end (polled every 200 ms). */
export async function waitUntilCommitted(
  admin: Admin,
  groupId: string,
  topic: string,
  timeoutMs: number,
  failed: () => Error | undefined = () => undefined,
): Promise<void> {
  const end = new Map((await admin.fetchTopicOffsets(topic)).map((p) => [p.partition, p.high]));
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const error = failed();
    if (error) throw error;
    const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
    if (committed.partitions.every((p) => p.offset === end.get(p.partition))) return;
    if (Date.now() > deadline) throw new Error(`${groupId} did not reach the end of ${topic} in ${timeoutMs} ms`);
    await sleep(200);
  }
}

/**
 * Reads `sample` events the adapter published on `topics` and checks each against the pre-built
 * event of the same ce_id: same key, value bytes and headers. Throws at the first difference, so
 * the baseline never moves other bytes than the adapter does. Returns how many were checked.
 */
export async function checkAgainstAdapter(
  kafka: Kafka,
  topics: string[],
  output: PrebuiltOutput,
  sample: number,
): Promise<number> {
  const expected = new Map<string, Message>();
  for (const events of output.byRecordKey.values())
    for (const { messages } of events)
      for (const message of messages) expected.set(headerText(message, 'ce_id'), message);
  const consumer = kafka.consumer({ groupId: uniqueName('bench.owa.check'), allowAutoTopicCreation: false });
  let checked = 0;
  let difference: string | undefined;
  await consumer.connect();
  try {
    await consumer.subscribe({ topics, fromBeginning: true });
    await consumer.run({
      eachMessage: ({ topic, message }) => {
        if (checked < sample && difference === undefined) {
          difference = differenceOf(message, expected.get(headerText(message, 'ce_id')));
          if (difference !== undefined) difference = `${topic}@${message.offset}: ${difference}`;
          checked += 1;
        }
        return Promise.resolve();
      },
    });
    const deadline = Date.now() + 60_000;
    while (checked < sample && difference === undefined) {
      if (Date.now() > deadline) throw new Error(`only ${checked} of ${sample} adapter events read in 60 s`);
      await sleep(100);
    }
  } finally {
    await consumer.disconnect();
  }
  if (difference !== undefined) throw new Error(`the baseline's events differ from the adapter's: ${difference}`);
  return checked;
}

/** What differs between a record the adapter wrote and the pre-built one, or undefined. */
function differenceOf(actual: KafkaMessage, expected: Message | undefined): string | undefined {
  if (!expected) return `no pre-built event with ce_id ${headerText(actual, 'ce_id')}`;
  if (!actual.value || !Buffer.from(expected.value as Buffer).equals(actual.value)) return 'value';
  return envelopeDifference(actual, expected);
}

/** Which of key and headers differ between a record the adapter wrote and the pre-built one, or undefined. */
export function envelopeDifference(actual: KafkaMessage, expected: Message): string | undefined {
  if (actual.key?.toString() !== expected.key?.toString()) return 'key';
  const names = (m: Message | KafkaMessage): string =>
    Object.keys(m.headers ?? {})
      .sort()
      .join(',');
  if (names(actual) !== names(expected)) return `headers (${names(actual)} instead of ${names(expected)})`;
  const changed = Object.keys(expected.headers ?? {}).find(
    (name) => headerText(actual, name) !== headerText(expected, name),
  );
  return changed === undefined ? undefined : `header ${changed}`;
}

/** A header of a record as text (`ce_id`, ...), whichever form kafkajs gives it in. */
export function headerText(message: Message | KafkaMessage, name: string): string {
  const value = message.headers?.[name];
  return Array.isArray(value) ? value.join(',') : (value?.toString() ?? '');
}

function append(byTopic: Map<string, Message[]>, topic: string, messages: Message[]): void {
  const kept = byTopic.get(topic);
  if (kept) kept.push(...messages);
  else byTopic.set(topic, [...messages]);
}
