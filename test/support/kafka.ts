import { randomBytes } from 'node:crypto';
import { Kafka, logLevel, type KafkaMessage } from 'kafkajs';
import { provisionTopics } from '@passerelle/messaging';

/** The broker global-setup started (or the one KAFKA_BROKERS names). */
export function testBrokers(): string[] {
  const brokers = process.env.KAFKA_BROKERS;
  if (!brokers) throw new Error('KAFKA_BROKERS is not set: run through jest (test/global-setup.ts)');
  return brokers.split(',');
}

export function testKafka(clientId = 'passerelle-test'): Kafka {
  return new Kafka({ clientId, brokers: testBrokers(), logLevel: logLevel.NOTHING });
}

/** A name no other suite (or earlier run) uses: suites never share topics or groups. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
}

/**
 * Creates topics the way the apps do (`provisionTopics`): kafkajs' own `waitForLeaders` gives up
 * when a loaded KRaft broker answers "does not host this topic-partition" for a topic it is still
 * creating, which failed suites on a busy CI machine.
 */
export async function createTopics(kafka: Kafka, topics: string[], numPartitions = 1): Promise<void> {
  await provisionTopics(kafka, topics, { partitions: numPartitions, replicationFactor: 1 });
}

export type ReadRecord = KafkaMessage & { topic: string; partition: number };

/** Reads a topic from the beginning with a throw-away group until `count` records arrived. */
export async function readRecords(
  kafka: Kafka,
  topic: string,
  count: number,
  timeoutMs = 30_000,
): Promise<ReadRecord[]> {
  const consumer = kafka.consumer({ groupId: uniqueName('reader') });
  const records: ReadRecord[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`only ${records.length} of ${count} records arrived on ${topic} in ${timeoutMs} ms`)),
        timeoutMs,
      );
      void consumer.run({
        eachMessage: ({ message, partition }) => {
          records.push({ ...message, topic, partition });
          if (records.length >= count) {
            clearTimeout(timer);
            resolve();
          }
          return Promise.resolve();
        },
      });
    });
  } finally {
    await consumer.disconnect();
  }
  return records;
}

/** Reads a topic from the beginning until `done` holds for what arrived (at-least-once: duplicates included). */
export async function readRecordsUntil(
  kafka: Kafka,
  topic: string,
  done: (records: ReadRecord[]) => boolean,
  timeoutMs = 30_000,
): Promise<ReadRecord[]> {
  const consumer = kafka.consumer({ groupId: uniqueName('reader') });
  const records: ReadRecord[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`condition not met on ${topic} after ${records.length} records in ${timeoutMs} ms`)),
        timeoutMs,
      );
      void consumer.run({
        eachMessage: ({ message, partition }) => {
          records.push({ ...message, topic, partition });
          if (done(records)) {
            clearTimeout(timer);
            resolve();
          }
          return Promise.resolve();
        },
      });
    });
  } finally {
    await consumer.disconnect();
  }
  return records;
}

/** Committed offset of a group on one partition ('-1' when nothing was committed). */
export async function committedOffset(kafka: Kafka, groupId: string, topic: string, partition = 0): Promise<string> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const [entry] = await admin.fetchOffsets({ groupId, topics: [topic] });
    return entry.partitions.find((p) => p.partition === partition)?.offset ?? '-1';
  } finally {
    await admin.disconnect();
  }
}

export function headersAsStrings(headers: KafkaMessage['headers']): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (value === undefined) continue;
    out[name] = (Array.isArray(value) ? value[0] : value).toString();
  }
  return out;
}

/**
 * Waits for a signal: polls `probe` every 100 ms until it returns something truthy (returned), or
 * fails after `timeoutMs` naming `what`. For "nothing more happened" checks, probe for a later
 * event that proves the system got past the point where it would have happened, never for time.
 */
export async function waitFor<T>(
  probe: () => T | Promise<T>,
  timeoutMs = 30_000,
  what = 'condition',
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
