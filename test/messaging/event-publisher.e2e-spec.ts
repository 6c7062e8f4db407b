import type { Kafka, Producer } from 'kafkajs';
import type { CloudEvent } from '@passerelle/messaging';
import { EventPublisher } from '@passerelle/messaging';
import { createTopics, readRecords, testKafka, uniqueName } from '../support/kafka';

describe('EventPublisher on a real broker', () => {
  it('publishes a batch several times the broker\'s request limit, every event once, in order per key', async () => {
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
        expect(records.map((r) => (JSON.parse(r.value!.toString()) as { n: number }).n)).toEqual(Array.from({ length: 1_500 }, (_, n) => n));
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
        Array.from({ length: sends }, (_, n) => publisher.send(topic, [{ key: 'one-key', value: JSON.stringify({ n }) }])),
      );
      const records = await readRecords(kafka, topic, sends, 60_000);
      expect(records.map((r) => (JSON.parse(r.value!.toString()) as { n: number }).n)).toEqual(Array.from({ length: sends }, (_, n) => n));
      expect(produceRequests).toBeGreaterThan(0);
      expect(produceRequests).toBeLessThan(sends / 4);
    } finally {
      await publisher.disconnect();
    }
  }, 120_000);
});
