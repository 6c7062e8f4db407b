import fc from 'fast-check';
import type { Message, TopicMessages } from 'kafkajs';
import { produceRequests, recordBytes } from './event-publisher';

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
