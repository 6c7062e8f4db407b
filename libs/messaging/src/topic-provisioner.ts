import { ConfigResourceTypes, ConfigSource, type Admin, type Kafka } from 'kafkajs';
import { DLQ_SUFFIX, contractTopicSpecs, type ContractTopicName } from '@passerelle/contracts';
import { MessagingError, MessagingErrorCode } from './messaging.error';

export interface TopicLayout {
  partitions: number;
  replicationFactor: number;
  /** `retention.ms` of the topics, set on new ones and on existing ones that differ; absent: left as it is. */
  retentionMs?: number;
}

/** How long Kafka keeps each kind of contract topic (channel tag in asyncapi.yaml), in days. */
export interface TopicRetentionDays {
  rawTopicRetentionDays: number;
  canonicalTopicRetentionDays: number;
  deidentifiedTopicRetentionDays: number;
  notificationTopicRetentionDays: number;
  dlqTopicRetentionDays: number;
}

const DAY_MS = 86_400_000;
const RETENTION_BY_TAG: Readonly<Record<string, keyof TopicRetentionDays>> = {
  raw: 'rawTopicRetentionDays',
  canonical: 'canonicalTopicRetentionDays',
  'de-identified': 'deidentifiedTopicRetentionDays',
  notifications: 'notificationTopicRetentionDays',
  dlq: 'dlqTopicRetentionDays',
};

/**
 * The `retention.ms` of a contract topic, from its channel tags. A topic of no known kind is an
 * error rather than the broker's default: every topic's retention is a decision.
 */
export function retentionMsOf(topic: { name: string; tags: string[] }, retention: TopicRetentionDays): number {
  const kind = topic.tags.find((tag) => Object.hasOwn(RETENTION_BY_TAG, tag));
  if (kind === undefined) {
    throw new MessagingError(
      MessagingErrorCode.TopicProvisioning,
      `topic ${topic.name} has no retention: its asyncapi.yaml tags (${topic.tags.join(', ') || 'none'}) name none of ${Object.keys(RETENTION_BY_TAG).join(', ')}`,
    );
  }
  return retention[RETENTION_BY_TAG[kind]] * DAY_MS;
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
  /** Retention per kind of topic; absent: topics keep the broker's default (tests, benchmarks). */
  retention?: TopicRetentionDays;
}

/**
 * Creates every topic of asyncapi.yaml (dead-letter topics included) that is missing, and gives
 * each, new or not, the retention of its kind.
 */
export async function provisionContractTopics(kafka: Kafka, layout: ContractTopicLayout): Promise<string[]> {
  const created: string[] = [];
  const specs = contractTopicSpecs();
  for (const dlq of [false, true]) {
    const group = specs.filter((t) => (t.dlqOf !== undefined) === dlq);
    const partitions = dlq ? Math.max(...group.map((t) => t.partitions)) : (layout.partitions ?? group[0].partitions);
    const byRetention = new Map<number | undefined, string[]>();
    for (const topic of group) {
      const retentionMs = layout.retention && retentionMsOf(topic, layout.retention);
      byRetention.set(retentionMs, [...(byRetention.get(retentionMs) ?? []), layout.names.ofUnchecked(topic.name)]);
    }
    for (const [retentionMs, topics] of byRetention) {
      created.push(
        ...(await provisionTopics(kafka, topics, {
          partitions,
          replicationFactor: layout.replicationFactor,
          ...(retentionMs !== undefined && { retentionMs }),
        })),
      );
    }
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
            ...(layout.retentionMs !== undefined && {
              configEntries: [{ name: 'retention.ms', value: String(layout.retentionMs) }],
            }),
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
        if (ready) {
          if (layout.retentionMs !== undefined) await setRetention(admin, wanted, layout.retentionMs, timeoutMs);
          return missing;
        }
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

/**
 * Gives existing topics `retention.ms` where it differs. AlterConfigs replaces a topic's whole
 * set of overrides, so the overrides it already has are sent along unchanged (a sensitive one,
 * whose value the broker does not show, would be lost: contract topics have none).
 */
async function setRetention(admin: Admin, topics: string[], retentionMs: number, timeoutMs: number): Promise<void> {
  const { resources } = await admin.describeConfigs({
    includeSynonyms: false,
    resources: topics.map((name) => ({ type: ConfigResourceTypes.TOPIC, name })),
  });
  const changes = resources
    .filter((r) => r.configEntries.find((e) => e.configName === 'retention.ms')?.configValue !== String(retentionMs))
    .map((r) => ({
      type: ConfigResourceTypes.TOPIC,
      name: r.resourceName,
      configEntries: [
        ...r.configEntries
          .filter(
            (e) => e.configSource === ConfigSource.TOPIC_CONFIG && e.configName !== 'retention.ms' && !e.isSensitive,
          )
          .map((e) => ({ name: e.configName, value: e.configValue })),
        { name: 'retention.ms', value: String(retentionMs) },
      ],
    }));
  if (changes.length === 0) return;
  await admin.alterConfigs({ validateOnly: false, resources: changes });
  // The change reaches the broker's view of the topic a moment later: return once it shows, so
  // whoever reads the configuration next (a test, an operator) sees the new retention.
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { resources: now } = await admin.describeConfigs({
      includeSynonyms: false,
      resources: changes.map(({ name }) => ({ type: ConfigResourceTypes.TOPIC, name })),
    });
    const retentionShown = (r: (typeof now)[number]) =>
      r.configEntries.find((e) => e.configName === 'retention.ms')?.configValue === String(retentionMs);
    if (now.every(retentionShown)) return;
    if (Date.now() > deadline) {
      throw new MessagingError(
        MessagingErrorCode.TopicProvisioning,
        `retention.ms of ${now
          .filter((r) => !retentionShown(r))
          .map((r) => r.resourceName)
          .join(', ')} not ${retentionMs} within ${timeoutMs} ms`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
