import {
  ConsumerRunner,
  EventPublisher,
  createKafka,
  deterministicEventId,
  dlqTopicFor,
  replayDeadLetters,
  type CloudEvent,
} from '@passerelle/messaging';
import {
  createTopics,
  headersAsStrings,
  readRecords,
  testBrokers,
  testKafka,
  uniqueName,
  waitFor,
} from '../support/kafka';

describe('replaying a DLQ', () => {
  const kafka = createKafka({ brokers: testBrokers(), clientId: 'replay-e2e' });
  const publisher = new EventPublisher(kafka);

  afterAll(async () => {
    await publisher.disconnect();
  });

  it('puts parked records back unchanged, once, and the consumer then applies them', async () => {
    const topic = uniqueName('replay');
    await createTopics(testKafka(), [topic, dlqTopicFor(topic)]);
    const type = 'ca.on.passerelle.referral.submitted';
    const events: CloudEvent[] = [1, 2].map((n) => ({
      specversion: '1.0',
      id: deterministicEventId({ sourceSystem: 'test', recordId: String(n), version: 1, type }),
      source: '/test',
      type,
      partitionkey: `client-${n}`,
      datacontenttype: 'application/json',
      data: { n },
    }));
    await publisher.publish(topic, events);

    let accepting = false; // the "bug" that parks records, fixed before the replay
    const applied: string[] = [];
    const runner = new ConsumerRunner({
      kafka,
      groupId: uniqueName('replay-group'),
      topics: [topic],
      publisher,
      maxAttempts: 1,
      retryBaseMs: 10,
      handleBatch: (batch) => {
        if (!accepting) return Promise.reject(new Error('mapping missing'));
        applied.push(...batch.map((e) => e.event.id));
        return Promise.resolve();
      },
    });
    void runner.start();
    try {
      await readRecords(testKafka(), dlqTopicFor(topic), 2);
      accepting = true;
      const groupId = uniqueName('replayer');
      const report = await replayDeadLetters({ kafka, publisher, dlqTopic: dlqTopicFor(topic), groupId });
      expect(report).toEqual({ replayed: 2, skipped: 0, byTopic: { [topic]: 2 } });
      await waitFor(() => applied.length === 2, 30_000, 'the replayed records to be applied');
      expect(applied.sort()).toEqual(events.map((e) => e.id).sort());

      // The replayed copies are the originals: same key, value and CloudEvents headers, no dlq_*.
      const onTopic = await readRecords(testKafka(), topic, 4);
      const replayed = onTopic.filter((r) => Number(r.offset) >= 2);
      for (const record of replayed) {
        const headers = headersAsStrings(record.headers);
        expect(Object.keys(headers).some((h) => h.startsWith('dlq_'))).toBe(false);
        const original = onTopic.find(
          (r) => Number(r.offset) < 2 && headersAsStrings(r.headers).ce_id === headers.ce_id,
        )!;
        expect(headers).toEqual(headersAsStrings(original.headers));
        expect(record.value!.equals(original.value!)).toBe(true);
        expect(record.key!.toString()).toBe(original.key!.toString());
      }

      // A second run finds nothing new: each parked record is replayed once.
      expect(await replayDeadLetters({ kafka, publisher, dlqTopic: dlqTopicFor(topic), groupId })).toEqual({
        replayed: 0,
        skipped: 0,
        byTopic: {},
      });
    } finally {
      await runner.stop();
    }
  });
});
