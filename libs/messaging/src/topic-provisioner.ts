import type { Kafka } from 'kafkajs';
import { DLQ_SUFFIX, contractTopicSpecs, type ContractTopicName } from '@passerelle/contracts';
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
  /** The deployed name of a contract topic (a name asyncapi.yaml does not declare does not compile). */
  of(contractName: ContractTopicName): string {
    return `${this.prefix}${contractName}`;
  }
  /** The deployed name of a topic known only at run time (a channel read from asyncapi.yaml, a CLI argument). */
  ofUnchecked(name: string): string {
    return `${this.prefix}${name}`;
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
      ...(await provisionTopics(
        kafka,
        group.map((t) => layout.names.ofUnchecked(t.name)),
        {
          partitions,
          replicationFactor: layout.replicationFactor,
        },
      )),
    );
  }
  return created;
}

/**
 * Creates every topic that does not exist yet and waits for their leaders. Consumers subscribe
 * only after this: kafkajs under KRaft throws on subscribing to a missing topic.
 */
export async function provisionTopics(
  kafka: Kafka,
  topics: string[],
  layout: TopicLayout,
  timeoutMs = 30_000,
): Promise<string[]> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const wanted = [...new Set(topics)];
    const missing = wanted.filter((t) => !existing.has(t));
    let lastError: unknown;
    if (missing.length > 0) {
      try {
        await admin.createTopics({
          waitForLeaders: false,
          topics: missing.map((topic) => ({
            topic,
            numPartitions: layout.partitions,
            replicationFactor: layout.replicationFactor,
          })),
        });
      } catch (error) {
        // Another replica may have created some at the same moment: what counts is whether
        // they all exist with leaders, below.
        lastError = error;
      }
    }
    // A new topic's metadata reaches the broker a moment after its creation: poll until every
    // partition of every wanted topic has a leader.
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      try {
        const { topics: metadata } = await admin.fetchTopicMetadata({ topics: wanted });
        const ready =
          metadata.length === wanted.length &&
          metadata.every((t) => t.partitions.length > 0 && t.partitions.every((p) => p.leader >= 0));
        if (ready) return missing;
      } catch (error) {
        lastError = error;
      }
      if (Date.now() > deadline) {
        throw new MessagingError(
          MessagingErrorCode.TopicProvisioning,
          `topics not all ready within ${timeoutMs} ms (${wanted.join(', ')}): ${(lastError as Error | undefined)?.message ?? 'no leader yet'}`,
          { cause: lastError },
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  } finally {
    await admin.disconnect();
  }
}
