import type { Kafka, Producer } from 'kafkajs';
import type { CloudEvent } from '@passerelle/messaging';
import { EventPublisher } from '@passerelle/messaging';
import { createTopics, readRecords, testKafka, uniqueName } from '../support/kafka';

describe('EventPublisher on a real broker', () => {
  it("publishes a batch several times the broker's request limit, every event once, in order per key", async () => {
    const kafka = testKafka();
    const topics = [uniqueName('pub-a'), uniqueName('pub-b')];
    await createTopics(kafka, topics, 1);
    const publisher = new EventPublisher(kafka);
    // 2 × 1,500 events of ~1.5 KB: about 4.5 MB in one call, where one request may carry 1 MiB.
    const events = (topic: string): CloudEvent[] =>
      Array.from({ length: 1_500 }, (_, n) => ({
        specversion: '1.0',
        id: `${topic}-${n}`,
        source: '/test',
        type: 'ca.on.passerelle.test.published',
        partitionkey: 'one-key',
        datacontenttype: 'application/json',
        data: { n, padding: 'é'.repeat(700) },
      }));
    try {
      await publisher.publishAll(topics.map((topic) => ({ topic, events: events(topic) })));
      for (const topic of topics) {
        const records = await readRecords(kafka, topic, 1_500, 60_000);
        expect(records.map((r) => (JSON.parse(r.value!.toString()) as { n: number }).n)).toEqual(
          Array.from({ length: 1_500 }, (_, n) => n),
        );
      }
    } finally {
      await publisher.disconnect();
    }
  }, 120_000);

  it('lets concurrent sends share produce requests, each record once and in call order', async () => {
    const kafka = testKafka();
    const topic = uniqueName('pub-concurrent');
    await createTopics(kafka, [topic], 1);
    // Count the produce requests the publisher's own producer sends (kafkajs instrumentation).
    let produceRequests = 0;
    const counted = Object.create(kafka) as Kafka;
    counted.producer = (config) => {
      const producer: Producer = kafka.producer(config);
      producer.on(producer.events.REQUEST, ({ payload }) => {
        if (payload.apiName === 'Produce') produceRequests += 1;
      });
      return producer;
    };
    const publisher = new EventPublisher(counted);
    const sends = 200;
    try {
      await Promise.all(
        Array.from({ length: sends }, (_, n) =>
          publisher.send(topic, [{ key: 'one-key', value: JSON.stringify({ n }) }]),
        ),
      );
      const records = await readRecords(kafka, topic, sends, 60_000);
      expect(records.map((r) => (JSON.parse(r.value!.toString()) as { n: number }).n)).toEqual(
        Array.from({ length: sends }, (_, n) => n),
      );
      expect(produceRequests).toBeGreaterThan(0);
      expect(produceRequests).toBeLessThan(sends / 4);
    } finally {
      await publisher.disconnect();
    }
  }, 120_000);

  it('fails every send of a group whose request the broker refuses, and goes on with the next group', async () => {
    const kafka = testKafka();
    const topic = uniqueName('pub-refused');
    await createTopics(kafka, [topic], 1);
    const publisher = new EventPublisher(kafka);
    const record = (n: number) => ({ key: 'one-key', value: JSON.stringify({ n }) });
    try {
      await publisher.send(topic, [record(0)]); // connected, so the next sends group behind one in flight
      const first = publisher.send(topic, [record(1)]);
      // Sent while the first is in flight: one group. A 2 MB record is over the broker's limit.
      const tooLarge = publisher.send(topic, [{ key: 'one-key', value: Buffer.alloc(2_000_000, 1) }]);
      const sameGroup = publisher.send(topic, [record(2)]);
      await expect(first).resolves.toBeUndefined();
      await expect(tooLarge).rejects.toThrow();
      await expect(sameGroup).rejects.toThrow();
      await publisher.send(topic, [record(3)]);
      const values = (await readRecords(kafka, topic, 3, 60_000)).map(
        (r) => (JSON.parse(r.value!.toString()) as { n: number }).n,
      );
      expect(values).toEqual([0, 1, 3]);
    } finally {
      await publisher.disconnect();
    }
  }, 120_000);
});
