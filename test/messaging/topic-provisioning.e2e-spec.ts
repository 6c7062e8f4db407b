import { contractTopics } from '@passerelle/contracts';
import {
  MessagingError,
  MessagingErrorCode,
  TopicNames,
  createKafka,
  provisionContractTopics,
  provisionTopics,
} from '@passerelle/messaging';
import { testBrokers, testKafka, uniqueName } from '../support/kafka';

describe('topic provisioning', () => {
  const kafka = createKafka({ brokers: testBrokers(), clientId: 'provisioning-e2e' });

  it('creates every contract topic with its layout, even when three replicas start together', async () => {
    const names = new TopicNames(`${uniqueName('prov')}.`);
    const created = await Promise.all(
      [1, 2, 3].map(() => provisionContractTopics(kafka, { names, replicationFactor: 1 })),
    );
    const all = contractTopics().map((t) => names.ofUnchecked(t));
    expect(new Set(created.flat())).toEqual(new Set(all));
    const admin = testKafka().admin();
    await admin.connect();
    const { topics } = await admin.fetchTopicMetadata({ topics: all });
    await admin.disconnect();
    expect(topics.find((t) => t.name === names.of('referrals.v1'))!.partitions).toHaveLength(3);
    expect(await provisionContractTopics(kafka, { names, replicationFactor: 1 })).toEqual([]);
  });

  it('fails with a clear error when the cluster cannot host the topics', async () => {
    const topic = uniqueName('impossible');
    const attempt = provisionTopics(kafka, [topic], { partitions: 1, replicationFactor: 3 }, 3_000);
    await expect(attempt).rejects.toBeInstanceOf(MessagingError);
    await expect(attempt).rejects.toMatchObject({ code: MessagingErrorCode.TopicProvisioning });
    await expect(attempt).rejects.toThrow(topic);
  });
});
