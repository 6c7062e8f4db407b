import fc from 'fast-check';
import type { Kafka, Message, TopicMessages } from 'kafkajs';
import { unavailableDependency } from './dependency-unavailable';
import { EventPublisher, produceRequests, recordBytes } from './event-publisher';
import { MessagingError, MessagingErrorCode } from './messaging.error';

const message = (n: number, bytes: number): Message => ({
  key: `k${n}`,
  value: Buffer.alloc(bytes, 1),
  headers: { ce_id: `id-${n}` },
});

describe('produceRequests', () => {
  it('keeps a small batch in one request', () => {
    const batch: TopicMessages[] = [
      { topic: 'a', messages: [message(1, 10), message(2, 10)] },
      { topic: 'b', messages: [message(3, 10)] },
    ];
    expect(produceRequests(batch, 1_000)).toEqual([batch]);
  });

  it('splits a batch over the limit into requests under it, in order, across topics', () => {
    const batch: TopicMessages[] = [
      { topic: 'a', messages: [message(1, 400), message(2, 400)] },
      { topic: 'b', messages: [message(3, 400), message(4, 400)] },
    ];
    const requests = produceRequests(batch, 1_000);
    expect(requests.map((r) => r.map((t) => `${t.topic}:${t.messages.map((m) => m.key).join(',')}`))).toEqual([
      ['a:k1,k2'],
      ['b:k3,k4'],
    ]);
  });

  it('sends a record larger than the limit alone, and refuses nothing', () => {
    const requests = produceRequests(
      [{ topic: 'a', messages: [message(1, 10), message(2, 5_000), message(3, 10)] }],
      1_000,
    );
    expect(requests.map((r) => r[0].messages.map((m) => m.key))).toEqual([['k1'], ['k2'], ['k3']]);
  });

  it('loses, duplicates and reorders nothing, and keeps every request with more than one record under the limit', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            topic: fc.constantFrom('a', 'b', 'c'),
            sizes: fc.array(fc.integer({ min: 0, max: 3_000 }), { maxLength: 20 }),
          }),
          { maxLength: 6 },
        ),
        fc.integer({ min: 200, max: 5_000 }),
        (topics, maxBytes) => {
          let n = 0;
          const batch = topics.map(({ topic, sizes }) => ({
            topic,
            messages: sizes.map((size) => message(n++, size)),
          }));
          const requests = produceRequests(batch, maxBytes);
          const flat = (list: TopicMessages[]) =>
            list.flatMap((t) => t.messages.map((m) => `${t.topic}/${String(m.key)}`));
          expect(requests.flatMap(flat)).toEqual(flat(batch));
          for (const request of requests) {
            const records = request.flatMap((t) => t.messages);
            if (records.length > 1)
              expect(records.reduce((sum, m) => sum + recordBytes(m), 0)).toBeLessThanOrEqual(maxBytes);
          }
        },
      ),
    );
  });
});

describe('EventPublisher write timeout', () => {
  /** A cluster that accepts connections and never acknowledges a write (as while it is down). */
  const silentKafka = (): { kafka: Kafka; writes: () => number } => {
    let writes = 0;
    const producer = {
      connect: () => Promise.resolve(),
      disconnect: () => Promise.resolve(),
      sendBatch: () => ((writes += 1), new Promise<never>(() => undefined)),
    };
    return { kafka: { producer: () => producer } as unknown as Kafka, writes: () => writes };
  };

  it('fails a send with WRITE_TIMED_OUT once the caller waited writeTimeoutMs, and says Kafka is down', async () => {
    jest.useFakeTimers();
    try {
      const { kafka, writes } = silentKafka();
      const publisher = new EventPublisher(kafka, { writeTimeoutMs: 5_000 });
      const sent = publisher.send('t', [{ key: 'k', value: 'v' }]).catch((error: unknown) => error);
      await jest.advanceTimersByTimeAsync(4_999);
      expect(writes()).toBe(1);
      let settled = false;
      void sent.then(() => (settled = true));
      await Promise.resolve();
      expect(settled).toBe(false);
      await jest.advanceTimersByTimeAsync(1);
      const error = await sent;
      expect(error).toBeInstanceOf(MessagingError);
      expect((error as MessagingError).code).toBe(MessagingErrorCode.WriteTimedOut);
      expect(unavailableDependency(error)).toBe('kafka');
    } finally {
      jest.useRealTimers();
    }
  });

  it('waits for acks as long as kafkajs retries when no timeout is set', async () => {
    jest.useFakeTimers();
    try {
      const publisher = new EventPublisher(silentKafka().kafka);
      let settled = false;
      void publisher.publishAll([{ topic: 't', events: [] }]);
      void publisher.send('t', [{ key: 'k', value: 'v' }]).finally(() => (settled = true));
      await jest.advanceTimersByTimeAsync(600_000);
      expect(settled).toBe(false);
    } finally {
      jest.useRealTimers();
    }
  });
});

describe('EventPublisher after a failed request', () => {
  it('starts a new idempotent producer, so the retry does not reuse the failed sequence numbers', async () => {
    const producers: Array<{ sent: number; disconnected: boolean }> = [];
    const kafka = {
      producer: () => {
        const n = producers.length;
        const state = { sent: 0, disconnected: false };
        producers.push(state);
        return {
          connect: () => Promise.resolve(),
          disconnect: () => ((state.disconnected = true), Promise.resolve()),
          sendBatch: () => {
            state.sent += 1;
            // The first producer's request fails as after a broker restart; the next one's succeed.
            return n === 0 ? Promise.reject(new Error('out of order sequence number')) : Promise.resolve([]);
          },
        };
      },
    } as unknown as Kafka;
    const publisher = new EventPublisher(kafka);
    await expect(publisher.send('t', [{ key: 'k', value: 'v' }])).rejects.toThrow('out of order sequence number');
    await publisher.send('t', [{ key: 'k', value: 'v' }]);
    await publisher.send('t', [{ key: 'k', value: 'w' }]);
    expect(producers).toEqual([
      { sent: 1, disconnected: true },
      { sent: 2, disconnected: false },
    ]);
  });

  it('tries to connect again after a failed connect', async () => {
    let attempts = 0;
    const kafka = {
      producer: () => ({
        connect: () => (
          (attempts += 1),
          attempts === 1 ? Promise.reject(new Error('ECONNREFUSED')) : Promise.resolve()
        ),
        disconnect: () => Promise.resolve(),
        sendBatch: () => Promise.resolve([]),
      }),
    } as unknown as Kafka;
    const publisher = new EventPublisher(kafka);
    await expect(publisher.send('t', [{ key: 'k', value: 'v' }])).rejects.toThrow('ECONNREFUSED');
    await publisher.send('t', [{ key: 'k', value: 'v' }]);
    expect(attempts).toBe(2);
  });
});
