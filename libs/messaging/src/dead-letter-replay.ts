import type { IHeaders, Kafka } from 'kafkajs';
import { headerString } from './cloud-event';
import type { EventPublisher } from './event-publisher';

export interface ReplayOptions {
  kafka: Kafka;
  publisher: EventPublisher;
  dlqTopic: string;
  /** Consumer group that remembers what was replayed, so a second run replays only newer records. */
  groupId?: string;
  /** Stop after this many records. */
  limit?: number;
}

export interface ReplayReport {
  replayed: number;
  /** Records without `dlq_original_topic`: left in place and counted, never guessed. */
  skipped: number;
  byTopic: Record<string, number>;
}

/**
 * Puts dead-lettered records back on the topic they came from, unchanged (same key, value and
 * CloudEvents headers, so the same ce_id: consumers that had applied them deduplicate). Reads up
 * to the DLQ's end as it was when the replay started, then stops.
 */
export async function replayDeadLetters(options: ReplayOptions): Promise<ReplayReport> {
  const { kafka, publisher, dlqTopic } = options;
  const admin = kafka.admin();
  await admin.connect();
  const ends = new Map<number, bigint>();
  try {
    for (const p of await admin.fetchTopicOffsets(dlqTopic)) ends.set(p.partition, BigInt(p.high));
  } finally {
    await admin.disconnect();
  }
  const report: ReplayReport = { replayed: 0, skipped: 0, byTopic: {} };
  const groupAdmin = kafka.admin();
  await groupAdmin.connect();
  const groupId = options.groupId ?? 'passerelle-dlq-replay';
  const committed = new Map<number, bigint>();
  try {
    const offsets = (await groupAdmin.fetchOffsets({ groupId, topics: [dlqTopic] })).at(0);
    for (const p of offsets?.partitions ?? []) committed.set(p.partition, BigInt(p.offset));
  } finally {
    await groupAdmin.disconnect();
  }
  const pending = new Set(
    [...ends.entries()]
      .filter(([partition, end]) => end > 0n && (committed.get(partition) ?? -1n) < end)
      .map(([p]) => p),
  );
  if (pending.size === 0) return report;

  await publisher.connect();
  const consumer = kafka.consumer({ groupId, allowAutoTopicCreation: false });
  await consumer.connect();
  let finish!: () => void;
  let fail!: (error: unknown) => void;
  const done = new Promise<void>((resolve, reject) => {
    finish = resolve;
    fail = reject;
  });
  try {
    await consumer.subscribe({ topics: [dlqTopic], fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachMessage: async ({ message, partition }) => {
        try {
          const end = ends.get(partition) ?? 0n;
          const offset = BigInt(message.offset);
          const limitReached = options.limit !== undefined && report.replayed >= options.limit;
          if (offset < end && !limitReached) {
            const headers = message.headers ?? {};
            const target = headerString(headers, 'dlq_original_topic');
            if (target) {
              await publisher.send(target, [
                { key: message.key, value: message.value, headers: originalHeaders(headers) },
              ]);
              report.replayed += 1;
              report.byTopic[target] = (report.byTopic[target] ?? 0) + 1;
            } else {
              report.skipped += 1;
            }
            await consumer.commitOffsets([{ topic: dlqTopic, partition, offset: (offset + 1n).toString() }]);
          }
          if (offset + 1n >= end || limitReached) pending.delete(partition);
          if (pending.size === 0 || (options.limit !== undefined && report.replayed >= options.limit)) finish();
        } catch (error) {
          fail(error);
        }
      },
    });
    await done;
  } finally {
    await consumer.disconnect();
  }
  return report;
}

/** The record's headers as they were before it was dead-lettered. */
function originalHeaders(headers: IHeaders): IHeaders {
  return Object.fromEntries(Object.entries(headers).filter(([name]) => !name.startsWith('dlq_')));
}
