import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { isJsonObject, resolvePointer, type JsonObject, type JsonValue } from './json';
import { loadAsyncApiDocument } from './openapi-document';
import { SchemaIds, schemaIdForPath } from './schema-ids';
import { schemaRegistry } from './schema-registry';
import { schemasDir } from './schemas-dir';
import { consumedTopicsWithDlq, contractTopicSpecs, contractTopics, dlqTopicFor } from './topics';

// The contract of DESIGN.md ("Topics"). This list is the check: change it only with DESIGN.md.
const RAW = ['ow.case-records.v1', 'odsp.employment-records.v1', 'eo.service-records.v1'];
const CANONICAL = ['referrals.v1', 'service-events.v1', 'outcomes.v1', 'clients.v1'];
const EXTERNAL_ONLY = ['ministry.outcomes.v1'];
/** Consumed by the webhook dispatcher (status webhooks), besides their outside consumers. */
const NOTIFICATIONS = ['notifications.v1'];
const CONSUMED = [...RAW, ...CANONICAL, ...NOTIFICATIONS];
const EXPECTED_TOPICS = [
  ...RAW,
  ...CANONICAL,
  ...NOTIFICATIONS,
  ...EXTERNAL_ONLY,
  ...CONSUMED.map((topic) => `${topic}.dlq`),
];

const document = loadAsyncApiDocument();

function deref(node: JsonValue | undefined): JsonValue | undefined {
  if (isJsonObject(node) && typeof node.$ref === 'string' && node.$ref.startsWith('#')) {
    return resolvePointer(document, node.$ref.slice(1));
  }
  return node;
}

function refsOf(node: JsonValue): string[] {
  if (Array.isArray(node)) return node.flatMap(refsOf);
  if (!isJsonObject(node)) return [];
  return Object.entries(node).flatMap(([key, value]) =>
    key === '$ref' && typeof value === 'string' ? [value] : refsOf(value),
  );
}

const RAW_CHANNEL_IDS = new Set(['owCaseRecords', 'odspEmploymentRecords', 'eoServiceRecords']);
const CANONICAL_CHANNEL_IDS = new Set(['referrals', 'serviceEvents', 'outcomes', 'clients']);
/** Channels consumed outside the pipeline whose payload already has its schema under canonical/. */
const SCHEMA_PAYLOAD_CHANNEL_IDS = new Set(['notifications', 'ministryOutcomes']);

/**
 * The `$id` of the schema a message's payload refers to (raw and canonical channels: a JSON
 * Schema 2020-12 file under sources/ or canonical/, given as an AsyncAPI multi-format schema),
 * or `null` for a channel whose payload is still only described in words (de-identified,
 * notifications, dead letters).
 */
function payloadSchemaId(channelId: string, message: JsonObject): string | null {
  const payload = message.payload as JsonObject;
  const folder = RAW_CHANNEL_IDS.has(channelId)
    ? 'sources'
    : CANONICAL_CHANNEL_IDS.has(channelId) || SCHEMA_PAYLOAD_CHANNEL_IDS.has(channelId)
      ? 'canonical'
      : undefined;
  if (folder === undefined) {
    expect(typeof payload.description).toBe('string');
    return null;
  }
  expect(payload.schemaFormat).toBe('application/schema+json;version=draft-2020-12');
  const ref = (payload.schema as JsonObject).$ref as string;
  expect(ref.startsWith(`./${folder}/`)).toBe(true);
  const schemaId = schemaIdForPath(ref);
  expect(schemaRegistry().has(schemaId)).toBe(true);
  return schemaId;
}

/** The `const` a message's headers pin for `header` (in the `allOf` beside the CloudEvents headers). */
function pinnedHeader(message: JsonObject, header: string): JsonValue | undefined {
  const parts = ((message.headers as JsonObject).allOf ?? []) as JsonValue[];
  for (const part of parts) {
    const property = isJsonObject(part) && isJsonObject(part.properties) ? part.properties[header] : undefined;
    if (isJsonObject(property) && 'const' in property) return property.const;
  }
  return undefined;
}

describe('contract topics (asyncapi.yaml)', () => {
  it('lists exactly the topics of the contract, dead-letter topics included', () => {
    const topics = contractTopics();
    expect(new Set(topics).size).toBe(topics.length);
    expect([...topics].sort()).toEqual([...EXPECTED_TOPICS].sort());
  });

  it('maps every consumed topic, and only those, to its dead-letter topic', () => {
    expect(consumedTopicsWithDlq()).toEqual(Object.fromEntries(CONSUMED.map((topic) => [topic, `${topic}.dlq`])));
    expect(dlqTopicFor('referrals.v1')).toBe('referrals.v1.dlq');
    for (const topic of EXTERNAL_ONLY) expect(() => dlqTopicFor(topic)).toThrow(/has no dead-letter topic/);
  });

  it('gives each topic its partitions, replicas and kind', () => {
    const specs = contractTopicSpecs();
    for (const spec of specs) {
      expect(spec.partitions).toBeGreaterThanOrEqual(1);
      expect(spec.replicas).toBeGreaterThanOrEqual(1);
    }
    const kind = (name: string) => specs.find((spec) => spec.name === name)?.tags;
    expect(kind('ow.case-records.v1')).toEqual(['raw']);
    expect(kind('clients.v1')).toEqual(['canonical']);
    expect(kind('ministry.outcomes.v1')).toEqual(['de-identified']);
    expect(kind('clients.v1.dlq')).toEqual(['dlq']);
    expect(specs.find((spec) => spec.name === 'clients.v1.dlq')?.dlqOf).toBe('clients.v1');
    // Callers get copies: mutating them does not change the next answer.
    specs[0].tags.push('mutated');
    expect(contractTopicSpecs()[0].tags).not.toContain('mutated');
  });

  it('declares a Kafka server on localhost:9092', () => {
    const servers = Object.values(document.servers as JsonObject);
    expect(servers).toHaveLength(1);
    expect(servers[0]).toMatchObject({ host: 'localhost:9092', protocol: 'kafka', bindings: { kafka: {} } });
  });

  it('gives every channel its Kafka binding and every message a key (clientId, or a pseudonym on the de-identified topic), CloudEvents headers and a payload', () => {
    for (const [id, channel] of Object.entries(document.channels)) {
      if (!isJsonObject(channel)) throw new Error(`channel ${id} is not an object`);
      expect({ id, kafka: (channel.bindings as JsonObject).kafka }).toEqual({
        id,
        kafka: {
          topic: channel.address,
          partitions: expect.any(Number),
          replicas: expect.any(Number),
          bindingVersion: '0.5.0',
        },
      });
      const messages = Object.values(channel.messages as JsonObject).map(deref);
      expect(messages.length).toBeGreaterThan(0);
      for (const message of messages) {
        if (!isJsonObject(message)) throw new Error(`a message of channel ${id} does not resolve`);
        const kafka = (deref(message.bindings) as JsonObject).kafka as JsonObject;
        expect(kafka.key).toMatchObject({ type: 'string' });
        expect(payloadSchemaId(id, message)).toBeDefined();
        const headerRefs = refsOf(message.headers);
        expect(headerRefs).toContain('./common/cloudevent-headers.json');
        if ((channel.address as string).endsWith('.dlq')) expect(headerRefs).toContain('./common/dlq-headers.json');
      }
    }
  });

  it('has every operation point at a declared channel and its messages', () => {
    const operations = Object.entries(document.operations as JsonObject);
    expect(operations.length).toBeGreaterThan(0);
    for (const [, operation] of operations) {
      const op = operation as JsonObject;
      expect(['send', 'receive']).toContain(op.action);
      expect(deref(op.channel)).toBeDefined();
      for (const message of op.messages as JsonValue[]) expect(deref(message)).toBeDefined();
    }
    const received = operations
      .filter(([, op]) => (op as JsonObject).action === 'receive')
      .map(([, op]) => deref((op as JsonObject).channel) as JsonObject);
    expect(received.map((channel) => channel.address).sort()).toEqual([...CONSUMED].sort());
  });

  it('gives every raw and canonical message its own event type, pinned with the schema of its payload', () => {
    const types: string[] = [];
    for (const [id, channel] of Object.entries(document.channels)) {
      if (!RAW_CHANNEL_IDS.has(id) && !CANONICAL_CHANNEL_IDS.has(id)) continue;
      for (const message of Object.values((channel as JsonObject).messages as JsonObject).map(deref) as JsonObject[]) {
        const type = pinnedHeader(message, 'ce_type');
        expect({ message: message.name, type }).toEqual({
          message: message.name,
          type: expect.stringMatching(/^ca\.on\.passerelle\.[a-z-]+(\.[a-z-]+)+$/),
        });
        expect(schemaRegistry().validate(`${SchemaIds.cloudEventHeaders}#/properties/ce_type`, type).ok).toBe(true);
        expect(pinnedHeader(message, 'ce_dataschema')).toBe(payloadSchemaId(id, message));
        types.push(type as string);
      }
    }
    expect(new Set(types).size).toBe(types.length);
    // The types named by DESIGN.md and the issues, on the channel that carries them.
    const typesOf = (channel: string) =>
      Object.values((document.channels[channel] as JsonObject).messages as JsonObject).map((m) =>
        pinnedHeader(deref(m) as JsonObject, 'ce_type'),
      );
    expect(typesOf('referrals')).toEqual(
      expect.arrayContaining([
        'ca.on.passerelle.referral.submitted',
        'ca.on.passerelle.referral.routed',
        'ca.on.passerelle.referral.accepted',
        'ca.on.passerelle.referral.rejected',
        'ca.on.passerelle.referral.cancelled',
        'ca.on.passerelle.referral.overdue',
        'ca.on.passerelle.consent.granted',
        'ca.on.passerelle.consent.withdrawn',
      ]),
    );
    expect(typesOf('clients')).toEqual([
      'ca.on.passerelle.client.linked',
      'ca.on.passerelle.client.updated',
      'ca.on.passerelle.client.link-conflict',
    ]);
    expect(typesOf('serviceEvents')).toEqual([
      'ca.on.passerelle.service-event.recorded',
      'ca.on.passerelle.benefit.issued',
    ]);
    expect(typesOf('outcomes')).toEqual(
      expect.arrayContaining(['ca.on.passerelle.outcome.recorded', 'ca.on.passerelle.outcome.follow-up-due']),
    );
  });

  it('has every internal $ref resolve and every file $ref name a schema of the registry', () => {
    const dir = schemasDir();
    for (const ref of refsOf(document)) {
      if (ref.startsWith('#')) {
        expect({ ref, resolved: resolvePointer(document, ref.slice(1)) !== undefined }).toEqual({
          ref,
          resolved: true,
        });
      } else {
        const file = resolve(dir, ref);
        expect(existsSync(file)).toBe(true);
        const { $id } = JSON.parse(readFileSync(file, 'utf8')) as { $id: string };
        expect(schemaRegistry().has($id)).toBe(true);
        expect(dirname(file).startsWith(join(dir))).toBe(true);
      }
    }
    expect(refsOf(document)).toContain('./common/dlq-headers.json');
    expect(schemaRegistry().has(SchemaIds.dlqHeaders)).toBe(true);
  });
});
