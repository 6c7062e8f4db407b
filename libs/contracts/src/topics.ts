import { isJsonObject, resolvePointer, type JsonObject, type JsonValue } from './json';
import { loadAsyncApiDocument } from './openapi-document';
import { schemasDir } from './schemas-dir';

/** Suffix of a dead-letter topic: `<topic>.dlq`. */
export const DLQ_SUFFIX = '.dlq';

/** One Kafka topic of the contract, as declared by a channel of `schemas/asyncapi.yaml`. */
export interface ContractTopic {
  /** Topic name (the channel `address`). */
  name: string;
  /** Channel id in asyncapi.yaml. */
  channel: string;
  /** Default partition count (channel Kafka binding); deployments may configure more. */
  partitions: number;
  /** Default replication factor (channel Kafka binding); deployments may configure more. */
  replicas: number;
  /** Channel tag names: `raw`, `canonical`, `de-identified`, `notifications` or `dlq`. */
  tags: string[];
  /** Dead-letter topic of this topic, when Passerelle consumes it. */
  dlq?: string;
  /** For a dead-letter topic, the topic whose records it holds. */
  dlqOf?: string;
}

const cache = new Map<string, readonly ContractTopic[]>();

/**
 * Every topic of the contract (dead-letter topics included), in the order of asyncapi.yaml —
 * read from its channels once per process. Throws when a channel lacks its Kafka binding or a
 * `.dlq` channel has no topic to serve.
 */
export function contractTopicSpecs(dir: string = schemasDir()): ContractTopic[] {
  let topics = cache.get(dir);
  if (topics === undefined) {
    topics = readTopics(dir);
    cache.set(dir, topics);
  }
  return topics.map((topic) => ({ ...topic, tags: [...topic.tags] }));
}

/** Names of every topic of the contract, dead-letter topics included. */
export function contractTopics(dir?: string): string[] {
  return contractTopicSpecs(dir).map((topic) => topic.name);
}

/** Each topic Passerelle consumes -> its dead-letter topic. */
export function consumedTopicsWithDlq(dir?: string): Record<string, string> {
  const map: Record<string, string> = {};
  for (const topic of contractTopicSpecs(dir)) if (topic.dlq !== undefined) map[topic.name] = topic.dlq;
  return map;
}

/** The dead-letter topic of `topic`; throws when the contract gives it none. */
export function dlqTopicFor(topic: string, dir?: string): string {
  const dlqs = consumedTopicsWithDlq(dir);
  if (!Object.hasOwn(dlqs, topic)) throw new Error(`topic "${topic}" has no dead-letter topic in asyncapi.yaml`);
  return dlqs[topic];
}

function readTopics(dir: string): ContractTopic[] {
  const document = loadAsyncApiDocument({ dir });
  const topics: ContractTopic[] = [];
  for (const [channel, value] of Object.entries(document.channels)) {
    const where = `asyncapi.yaml channel "${channel}"`;
    if (!isJsonObject(value) || typeof value.address !== 'string' || value.address === '') {
      throw new Error(`${where} has no address`);
    }
    const kafka = isJsonObject(value.bindings) ? value.bindings.kafka : undefined;
    if (!isJsonObject(kafka)) throw new Error(`${where} has no Kafka channel binding`);
    if (kafka.topic !== value.address) throw new Error(`${where}: bindings.kafka.topic must equal its address`);
    topics.push({
      name: value.address,
      channel,
      partitions: positiveInteger(kafka.partitions, `${where}: bindings.kafka.partitions`),
      replicas: positiveInteger(kafka.replicas, `${where}: bindings.kafka.replicas`),
      tags: tagNames(value.tags, document),
    });
  }

  const byName = new Map(topics.map((topic) => [topic.name, topic]));
  if (byName.size !== topics.length) throw new Error('asyncapi.yaml declares a topic twice');
  for (const topic of topics) {
    if (!topic.name.endsWith(DLQ_SUFFIX)) continue;
    const original = byName.get(topic.name.slice(0, -DLQ_SUFFIX.length));
    if (original === undefined) throw new Error(`asyncapi.yaml: ${topic.name} is the DLQ of no declared topic`);
    original.dlq = topic.name;
    topic.dlqOf = original.name;
  }
  return topics;
}

function positiveInteger(value: JsonValue | undefined, where: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw new Error(`${where} must be a positive integer`);
  }
  return value;
}

/** Names of a channel's tags, written inline or as `$ref: '#/components/tags/<name>'`. */
function tagNames(value: JsonValue | undefined, document: JsonObject): string[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((entry) => {
    const tag =
      isJsonObject(entry) && typeof entry.$ref === 'string' && entry.$ref.startsWith('#')
        ? resolvePointer(document, entry.$ref.slice(1))
        : entry;
    return isJsonObject(tag) && typeof tag.name === 'string' ? [tag.name] : [];
  });
}
