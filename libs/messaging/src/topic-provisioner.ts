import type { Kafka } from 'kafkajs';
import { MessagingError, MessagingErrorCode } from './messaging.error';

export interface TopicLayout {
  partitions: number;
  replicationFactor: number;
}

export const dlqTopicFor = (topic: string): string => `${topic}.dlq`;

/**
 * Creates every topic that does not exist yet and waits for their leaders. Consumers subscribe
 * only after this: kafkajs under KRaft throws on subscribing to a missing topic.
 */
export async function provisionTopics(kafka: Kafka, topics: string[], layout: TopicLayout): Promise<string[]> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = [...new Set(topics)].filter((t) => !existing.has(t));
    if (missing.length > 0) {
      try {
        await admin.createTopics({
          waitForLeaders: true,
          topics: missing.map((topic) => ({
            topic,
            numPartitions: layout.partitions,
            replicationFactor: layout.replicationFactor,
          })),
        });
      } catch (error) {
        // Another replica may have created them at the same moment: fine if they exist now.
        const now = new Set(await admin.listTopics());
        const stillMissing = missing.filter((t) => !now.has(t));
        if (stillMissing.length > 0) {
          throw new MessagingError(
            MessagingErrorCode.TopicProvisioning,
            `could not create topics ${stillMissing.join(', ')}: ${(error as Error).message}`,
            { cause: error },
          );
        }
      }
    }
    return missing;
  } finally {
    await admin.disconnect();
  }
}
