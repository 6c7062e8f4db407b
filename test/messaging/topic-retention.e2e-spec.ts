import { ConfigResourceTypes } from 'kafkajs';
import { contractTopicSpecs } from '@passerelle/contracts';
import { TopicNames, createKafka, provisionContractTopics, type TopicRetentionDays } from '@passerelle/messaging';
import { testBrokers, testKafka, uniqueName } from '../support/kafka';

const DAY = 86_400_000;
const retention: TopicRetentionDays = {
  rawTopicRetentionDays: 7,
  canonicalTopicRetentionDays: 14,
  deidentifiedTopicRetentionDays: 60,
  notificationTopicRetentionDays: 3,
  dlqTopicRetentionDays: 30,
};

describe('topic retention set at provisioning', () => {
  const kafka = createKafka({ brokers: testBrokers(), clientId: 'topic-retention-e2e' });
  const admin = testKafka().admin();
  beforeAll(() => admin.connect());
  afterAll(() => admin.disconnect());

  /** Each topic's own overrides (not the broker's defaults), by topic. */
  async function overrides(topics: string[]): Promise<Map<string, Record<string, string>>> {
    const { resources } = await admin.describeConfigs({
      includeSynonyms: false,
      resources: topics.map((name) => ({ type: ConfigResourceTypes.TOPIC, name })),
    });
    return new Map(
      resources.map((r) => [
        r.resourceName,
        Object.fromEntries(r.configEntries.filter((e) => !e.isDefault).map((e) => [e.configName, e.configValue])),
      ]),
    );
  }

  it('creates every contract topic with the retention of its kind', async () => {
    const names = new TopicNames(`${uniqueName('ret')}.`);
    await provisionContractTopics(kafka, { names, replicationFactor: 1, partitions: 1, retention });
    const specs = contractTopicSpecs();
    const configs = await overrides(specs.map((t) => names.ofUnchecked(t.name)));
    const retentionOf = (topic: string) => configs.get(names.ofUnchecked(topic))?.['retention.ms'];
    expect(retentionOf('ow.case-records.v1')).toBe(String(7 * DAY));
    expect(retentionOf('referrals.v1')).toBe(String(14 * DAY));
    expect(retentionOf('ministry.outcomes.v1')).toBe(String(60 * DAY));
    expect(retentionOf('notifications.v1')).toBe(String(3 * DAY));
    expect(retentionOf('referrals.v1.dlq')).toBe(String(30 * DAY));
    for (const topic of specs) expect(retentionOf(topic.name)).toBeDefined();
  });

  it('updates a topic that already existed with another retention, keeping its other overrides', async () => {
    const names = new TopicNames(`${uniqueName('ret-existing')}.`);
    const clients = names.of('clients.v1');
    const clientsDlq = names.of('clients.v1.dlq');
    await admin.createTopics({
      waitForLeaders: true,
      topics: [
        {
          topic: clients,
          numPartitions: 1,
          replicationFactor: 1,
          configEntries: [
            { name: 'retention.ms', value: String(DAY) },
            { name: 'max.message.bytes', value: '2000000' },
          ],
        },
        { topic: clientsDlq, numPartitions: 1, replicationFactor: 1 },
      ],
    });
    expect((await overrides([clients])).get(clients)?.['retention.ms']).toBe(String(DAY));

    const created = await provisionContractTopics(kafka, { names, replicationFactor: 1, partitions: 1, retention });
    expect(created).not.toContain(clients);
    const after = await overrides([clients, clientsDlq]);
    expect(after.get(clients)).toMatchObject({ 'retention.ms': String(14 * DAY), 'max.message.bytes': '2000000' });
    expect(after.get(clientsDlq)?.['retention.ms']).toBe(String(30 * DAY));

    // A second start with another setting moves it again; one with the same leaves it as it is.
    await provisionContractTopics(kafka, {
      names,
      replicationFactor: 1,
      partitions: 1,
      retention: { ...retention, canonicalTopicRetentionDays: 2 },
    });
    expect((await overrides([clients])).get(clients)).toMatchObject({
      'retention.ms': String(2 * DAY),
      'max.message.bytes': '2000000',
    });
  });
});
