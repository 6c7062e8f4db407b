import { Kafka as CloudEventsKafka, type CloudEventV1 } from 'cloudevents';
import { KafkaJSConnectionError, type Kafka } from 'kafkajs';
import {
  ConsumerRunner,
  EventPublisher,
  createKafka,
  deterministicEventId,
  dlqTopicFor,
  type CloudEvent,
  type InboundEvent,
} from '@passerelle/messaging';
import { SchemaIds, schemaRegistry } from '@passerelle/contracts';
import {
  committedOffset,
  createTopics,
  headersAsStrings,
  readRecords,
  testBrokers,
  testKafka,
  uniqueName,
  waitFor,
} from '../support/kafka';

function sampleEvent(n: number, data: Record<string, unknown> = {}): CloudEvent<Record<string, unknown>> {
  const type = 'ca.on.passerelle.referral.submitted';
  return {
    specversion: '1.0',
    id: deterministicEventId({ sourceSystem: 'sams:toronto', recordId: `R-${n}`, version: 1, type }),
    source: '/ow/sams/toronto',
    type,
    time: '2026-11-23T15:04:05.123Z',
    subject: `referral/R-${n}`,
    dataschema: 'https://schemas.passerelle.ontario.ca/v1/canonical/referral.json',
    correlationid: `corr-${n}`,
    causationid: `cause-${n}`,
    partitionkey: 'client-42',
    datacontenttype: 'application/json',
    data: { n, name: 'Éloïse Tremblay-Côté', ...data },
  };
}

describe('libs/messaging on the real broker', () => {
  let kafka: Kafka;
  let publisher: EventPublisher;
  const runners: ConsumerRunner[] = [];

  beforeAll(async () => {
    kafka = createKafka({ brokers: testBrokers(), clientId: 'messaging-e2e' });
    publisher = new EventPublisher(kafka);
    await publisher.connect();
  });

  afterEach(async () => {
    await Promise.all(runners.splice(0).map((r) => r.stop()));
  });

  afterAll(async () => {
    await publisher.disconnect();
  });

  async function topicWithDlq(prefix: string): Promise<string> {
    const topic = uniqueName(prefix);
    await createTopics(testKafka(), [topic, dlqTopicFor(topic)]);
    return topic;
  }

  function startRunner(
    topic: string,
    handle: (event: InboundEvent) => void | Promise<void>,
    extra: Partial<ConstructorParameters<typeof ConsumerRunner>[0]> = {},
  ): { runner: ConsumerRunner; groupId: string } {
    const groupId = uniqueName('group');
    const runner = new ConsumerRunner({
      kafka,
      groupId,
      topics: [topic],
      publisher,
      maxAttempts: 3,
      retryBaseMs: 20,
      handleBatch: async (events) => {
        for (const event of events) await handle(event);
      },
      ...extra,
    });
    runners.push(runner);
    void runner.start();
    return { runner, groupId };
  }

  it('round-trips an event with every CloudEvents attribute, readable by the official SDK', async () => {
    const topic = await topicWithDlq('roundtrip');
    const sent = sampleEvent(1);
    await publisher.publish(topic, [sent]);

    const received: InboundEvent[] = [];
    startRunner(topic, (event) => {
      received.push(event);
    });
    await waitFor(() => received.length === 1, 30_000, 'the event');
    expect(received[0].event).toEqual(sent);
    expect(received[0].key).toBe('client-42');

    const [raw] = await readRecords(testKafka(), topic, 1);
    const headers = headersAsStrings(raw.headers);
    expect(headers).toMatchObject({
      ce_specversion: '1.0',
      ce_id: sent.id,
      ce_source: sent.source,
      ce_type: sent.type,
      ce_time: sent.time,
      ce_subject: sent.subject,
      ce_dataschema: sent.dataschema,
      ce_correlationid: sent.correlationid,
      ce_causationid: sent.causationid,
      ce_partitionkey: 'client-42',
      'content-type': 'application/json',
    });

    const value = raw.value!.toString();
    const message = { key: raw.key!.toString(), value, body: value, headers, timestamp: raw.timestamp };
    expect(CloudEventsKafka.isEvent(message)).toBe(true);
    const sdkEvent = CloudEventsKafka.toEvent(message);
    const single = (Array.isArray(sdkEvent) ? sdkEvent[0] : sdkEvent) as CloudEventV1<unknown> & {
      validate(): boolean;
    };
    expect(single.validate()).toBe(true);
    expect(single).toMatchObject({
      specversion: '1.0',
      id: sent.id,
      source: sent.source,
      type: sent.type,
      subject: sent.subject,
      dataschema: sent.dataschema,
      datacontenttype: 'application/json',
      correlationid: sent.correlationid,
      causationid: sent.causationid,
      partitionkey: 'client-42',
    });
    expect(new Date(single.time!).toISOString()).toBe(sent.time);
    expect(single.data).toEqual(sent.data);
  });

  it('forwards consumed events unchanged: same key, bytes and CloudEvents headers', async () => {
    const topic = await topicWithDlq('forward-in');
    const output = await topicWithDlq('forward-out');
    await publisher.publish(topic, [sampleEvent(1), sampleEvent(2)]);
    startRunner(topic, async (event) => {
      await publisher.forward(output, [event]);
    });
    const forwarded = await readRecords(testKafka(), output, 2);
    const originals = await readRecords(testKafka(), topic, 2);
    for (const copy of forwarded) {
      const original = originals.find(
        (o) => headersAsStrings(o.headers).ce_id === headersAsStrings(copy.headers).ce_id,
      )!;
      expect(headersAsStrings(copy.headers)).toEqual(headersAsStrings(original.headers));
      expect(copy.value!.equals(original.value!)).toBe(true);
      expect(copy.key!.toString()).toBe(original.key!.toString());
    }
  });

  it('parks a record whose handler keeps failing on <topic>.dlq and goes on with the next one', async () => {
    const topic = await topicWithDlq('poison');
    const poison = sampleEvent(1, { poison: true });
    const good = sampleEvent(2);
    await publisher.publish(topic, [poison, good]);

    const attempts = new Map<string, number>();
    const applied: string[] = [];
    const { groupId } = startRunner(topic, ({ event }) => {
      attempts.set(event.id, (attempts.get(event.id) ?? 0) + 1);
      if ((event.data as { poison?: boolean }).poison) throw new Error('ledger refused: boom');
      applied.push(event.id);
    });

    const [dead] = await readRecords(testKafka(), dlqTopicFor(topic), 1);
    await waitFor(() => applied.includes(good.id), 30_000, 'the record behind the poison one');
    expect(applied).toEqual([good.id]);
    // Once inside its batch (with the good record), then three times on its own.
    expect(attempts.get(poison.id)).toBe(4);

    const [original] = await readRecords(testKafka(), topic, 1);
    expect(dead.value!.equals(original.value!)).toBe(true);
    expect(dead.key!.toString()).toBe(original.key!.toString());
    const headers = headersAsStrings(dead.headers);
    expect(headers).toMatchObject({
      ...headersAsStrings(original.headers),
      dlq_original_topic: topic,
      dlq_original_partition: '0',
      dlq_original_offset: original.offset,
      dlq_error: 'ledger refused: boom',
      dlq_error_name: 'Error',
      dlq_error_code: 'HANDLER_FAILED',
      dlq_attempts: '3',
    });
    expect(schemaRegistry().validate(SchemaIds.dlqHeaders, headers)).toEqual({ ok: true, value: headers });
    await waitFor(async () => (await committedOffset(testKafka(), groupId, topic)) === '2', 15_000, 'commit past both');
  });

  it('retries a record through a database outage without counting it towards the DLQ', async () => {
    const topic = await topicWithDlq('outage');
    const event = sampleEvent(1);
    await publisher.publish(topic, [event]);

    // Down for five tries, more than maxAttempts (3): the record is not at fault and must not be parked.
    let tries = 0;
    const applied: string[] = [];
    const { groupId } = startRunner(topic, ({ event: inbound }) => {
      tries += 1;
      if (tries <= 5) {
        throw Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' });
      }
      applied.push(inbound.id);
    });

    await waitFor(async () => (await committedOffset(testKafka(), groupId, topic)) === '1', 30_000, 'commit past it');
    expect(applied).toEqual([event.id]);
    expect(tries).toBe(6);
    const admin = testKafka().admin();
    await admin.connect();
    try {
      const [dlq] = await admin.fetchTopicOffsets(dlqTopicFor(topic));
      expect(dlq.high).toBe('0');
    } finally {
      await admin.disconnect();
    }
  });

  it('retries a whole batch through a Kafka outage, then applies each record once, none parked', async () => {
    const topic = await topicWithDlq('outage-batch');
    const events = [sampleEvent(1), sampleEvent(2), sampleEvent(3)];
    await publisher.publish(topic, events);

    // Kafka "down" for the first five tries, more than maxAttempts (3): nothing may reach the DLQ.
    let tries = 0;
    const applied: string[] = [];
    const batchSizes: number[] = [];
    const { groupId } = startRunner(topic, () => undefined, {
      handleBatch: (batch) => {
        batchSizes.push(batch.length);
        tries += 1;
        if (tries <= 5) throw new KafkaJSConnectionError('Connection error: connect ECONNREFUSED 127.0.0.1:9092');
        applied.push(...batch.map((inbound) => inbound.event.id));
        return Promise.resolve();
      },
    });

    await waitFor(async () => (await committedOffset(testKafka(), groupId, topic)) === '3', 30_000, 'commit past all');
    expect(applied).toEqual(events.map((e) => e.id));
    // The same batch of three each time: an outage is waited out whole, not split record by record.
    expect(batchSizes).toEqual([3, 3, 3, 3, 3, 3]);
    const admin = testKafka().admin();
    await admin.connect();
    try {
      const [dlq] = await admin.fetchTopicOffsets(dlqTopicFor(topic));
      expect(dlq.high).toBe('0');
    } finally {
      await admin.disconnect();
    }
  });

  it('sends records the codec rejects to the DLQ with the reason, and keeps consuming', async () => {
    const topic = await topicWithDlq('badinput');
    const good = sampleEvent(9);
    const valid = { ce_specversion: '1.0', ce_id: 'x-1', ce_source: '/test', ce_type: 'ca.on.passerelle.test.sent' };
    await publisher.send(topic, [
      { key: 'k', value: '{"a":1}' }, // no headers at all
      { key: 'k', value: '{"a":1}', headers: { ...valid, ce_specversion: '0.3' } },
      { key: 'k', value: '{"a":', headers: valid },
      { key: 'k', value: '{"a":1}', headers: { ce_specversion: '1.0', ce_id: 'x-2', ce_source: '/test' } },
      { key: 'k', value: '<a/>', headers: { ...valid, 'content-type': 'application/xml' } },
    ]);
    await publisher.publish(topic, [good]);

    const applied: string[] = [];
    startRunner(topic, ({ event }) => {
      applied.push(event.id);
    });
    const dead = await readRecords(testKafka(), dlqTopicFor(topic), 5);
    await waitFor(() => applied.length === 1, 30_000, 'the good record');
    expect(applied).toEqual([good.id]);

    const reasons = dead
      .sort(
        (a, b) =>
          Number(headersAsStrings(a.headers).dlq_original_offset) -
          Number(headersAsStrings(b.headers).dlq_original_offset),
      )
      .map((r) => headersAsStrings(r.headers));
    expect(reasons.map((h) => h.dlq_error_code)).toEqual([
      'MISSING_HEADER',
      'UNSUPPORTED_SPECVERSION',
      'INVALID_JSON',
      'MISSING_HEADER',
      'UNSUPPORTED_CONTENT_TYPE',
    ]);
    expect(reasons[0].dlq_error).toContain('ce_specversion');
    expect(reasons[1].dlq_error).toContain('0.3');
    expect(reasons[3].dlq_error).toContain('ce_type');
    // Retrying bad bytes cannot help: each went to the DLQ on its first attempt.
    expect(reasons.every((h) => h.dlq_attempts === '1')).toBe(true);
  });

  it('applies a batch once, and isolates a failing record by retrying the batch record by record', async () => {
    const topic = await topicWithDlq('batch');
    const events = [1, 2, 3, 4, 5].map((n) => sampleEvent(n, n === 3 ? { poison: true } : {}));
    await publisher.publish(topic, events);

    const applied: number[] = [];
    const batchSizes: number[] = [];
    const groupId = uniqueName('group');
    const runner = new ConsumerRunner({
      kafka,
      groupId,
      topics: [topic],
      publisher,
      maxAttempts: 2,
      retryBaseMs: 10,
      handleBatch: (batch) => {
        batchSizes.push(batch.length);
        if (batch.some((e) => (e.event.data as { poison?: boolean }).poison))
          return Promise.reject(new Error('poison in batch'));
        applied.push(...batch.map((e) => (e.event.data as { n: number }).n));
        return Promise.resolve();
      },
    });
    runners.push(runner);
    void runner.start();

    await readRecords(testKafka(), dlqTopicFor(topic), 1);
    await waitFor(() => applied.length === 4, 30_000, 'the four good records');
    expect(applied.sort()).toEqual([1, 2, 4, 5]);
    expect(batchSizes[0]).toBe(5);
    await waitFor(async () => (await committedOffset(testKafka(), groupId, topic)) === '5', 15_000, 'commit');
  });

  it('keeps heartbeating while a handler runs longer than the session timeout', async () => {
    const topic = await topicWithDlq('longhandler');
    await publisher.publish(topic, [sampleEvent(1)]);
    let calls = 0;
    let joins = 0;
    let handlerStartedAt = 0;
    const heartbeats: number[] = [];
    // The handler runs until the test lets it finish.
    let finishHandler = (): void => undefined;
    const handlerMayFinish = new Promise<void>((resolve) => (finishHandler = resolve));
    const { runner, groupId } = startRunner(
      topic,
      async () => {
        calls += 1;
        handlerStartedAt = Date.now();
        await handlerMayFinish;
      },
      { sessionTimeoutMs: 6_000, heartbeatIntervalMs: 1_000 },
    );
    runner.on(runner.events.GROUP_JOIN, () => {
      joins += 1;
    });
    // Emitted only for a heartbeat the broker accepted: an evicted member's is refused.
    runner.on(runner.events.HEARTBEAT, ({ timestamp }) => heartbeats.push(timestamp));
    try {
      await waitFor(() => calls === 1, 20_000, 'the handler to start');
      // Past the session timeout counted from the handler's start, the member is still in the group.
      await waitFor(
        () => heartbeats.some((at) => at > handlerStartedAt + 7_000) || undefined,
        20_000,
        'a heartbeat accepted after the session timeout',
      );
    } finally {
      finishHandler(); // also on failure, or stopping the runner would wait for the handler forever
    }
    await waitFor(async () => (await committedOffset(testKafka(), groupId, topic)) === '1', 15_000, 'commit');
    // Without heartbeats the member would be evicted after 6 s, rejoin and get the record again.
    expect(calls).toBe(1);
    expect(joins).toBeLessThanOrEqual(1);
  }, 60_000);

  it('on stop, finishes the work in hand, commits exactly it, and a restart resumes after it', async () => {
    const topic = await topicWithDlq('drain');
    await publisher.publish(
      topic,
      [1, 2, 3, 4].map((n) => sampleEvent(n)),
    );
    const started: number[] = [];
    const finished: number[] = [];
    // Records wait in the handler until the test has asked the runner to stop.
    let stopAsked = (): void => undefined;
    const stopWasAsked = new Promise<void>((resolve) => (stopAsked = resolve));
    const handle = async ({ event }: InboundEvent): Promise<void> => {
      const n = (event.data as { n: number }).n;
      started.push(n);
      await stopWasAsked;
      finished.push(n);
    };
    const { runner, groupId } = startRunner(topic, handle, { maxBatchSize: 2 });
    try {
      await waitFor(() => started.length === 1, 20_000, 'the first record to start');
    } catch (error) {
      stopAsked(); // or stopping the runner would wait for the handler forever
      throw error;
    }
    // stop() marks the consumer as no longer running before it returns; the record in hand then finishes.
    const stopped = runner.stop();
    stopAsked();
    await stopped;
    // Nothing started was abandoned half-way, and the commit covers exactly what finished.
    expect(finished).toEqual(started);
    expect(finished.length).toBeLessThan(4);
    expect(await committedOffset(testKafka(), groupId, topic)).toBe(String(finished.length));

    const resumed = new ConsumerRunner({
      kafka,
      groupId,
      topics: [topic],
      publisher,
      maxAttempts: 3,
      retryBaseMs: 20,
      handleBatch: async (events) => {
        for (const event of events) await handle(event);
      },
    });
    runners.push(resumed);
    void resumed.start();
    await waitFor(() => finished.length === 4, 30_000, 'the rest after restart');
    expect(finished).toEqual([1, 2, 3, 4]);
  });
});
