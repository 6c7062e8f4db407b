import type { Kafka } from 'kafkajs';
import { DLQ_SUFFIX, contractTopicSpecs } from '@passerelle/contracts';
import { MessagingError, MessagingErrorCode } from './messaging.error';

export interface TopicLayout {
  partitions: number;
  replicationFactor: number;
}

/** Any consumed topic's dead-letter topic, contract or not (tests and replays use others too). */
export const dlqTopicFor = (topic: string): string => `${topic}${DLQ_SUFFIX}`;

/**
 * Topic names as deployed: the contract names, behind an optional prefix so several
 * environments (or e2e suites) can share one cluster without seeing each other's records.
 */
export class TopicNames {
  constructor(readonly prefix = '') {}
  of(contractName: string): string {
    return `${this.prefix}${contractName}`;
  }
}

export interface ContractTopicLayout {
  names: TopicNames;
  /** Partitions of every non-DLQ topic (asyncapi.yaml gives the default). */
  partitions?: number;
  replicationFactor: number;
}

/** Creates every topic of asyncapi.yaml (dead-letter topics included) that is missing. */
export async function provisionContractTopics(kafka: Kafka, layout: ContractTopicLayout): Promise<string[]> {
  const created: string[] = [];
  const specs = contractTopicSpecs();
  for (const dlq of [false, true]) {
    const group = specs.filter((t) => (t.dlqOf !== undefined) === dlq);
    const partitions = dlq ? Math.max(...group.map((t) => t.partitions)) : (layout.partitions ?? group[0].partitions);
    created.push(
      ...(await provisionTopics(kafka, group.map((t) => layout.names.of(t.name)), {
        partitions,
        replicationFactor: layout.replicationFactor,
      })),
    );
  }
  return created;
}

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
