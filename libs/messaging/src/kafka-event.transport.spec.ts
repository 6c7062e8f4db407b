import type { MessageHandler } from '@nestjs/microservices';
import type { InboundEvent } from './consumer-runner';
import { BATCH_HANDLER, KafkaBatchContext, KafkaEventContext, dispatchEvents } from './kafka-event.transport';
import { MessagingError } from './messaging.error';

function inbound(offset: number, type: string): InboundEvent {
  return {
    event: {
      specversion: '1.0',
      id: `id-${offset}`,
      source: '/test',
      type,
      datacontenttype: 'application/json',
      data: { offset },
    },
    topic: 't',
    partition: 0,
    offset: String(offset),
    key: null,
    timestamp: '0',
    raw: { key: null, value: null, headers: {}, offset: String(offset), timestamp: '0' },
  };
}

/** A handler recording what it was given, as Nest would build it from `@EventPattern(type, extras)`. */
function recorder(
  calls: Array<{ handler: string; offsets: number[] }>,
  name: string,
  extras?: Record<string, unknown>,
): MessageHandler {
  const handler = ((_data: unknown, context: KafkaEventContext | KafkaBatchContext) => {
    const events = context instanceof KafkaBatchContext ? context.inbound : [context.inbound];
    calls.push({ handler: name, offsets: events.map((e) => Number(e.offset)) });
    return Promise.resolve();
  }) as MessageHandler;
  handler.extras = extras;
  return handler;
}

describe('dispatchEvents', () => {
  const events = [inbound(0, 'a'), inbound(1, 'a'), inbound(2, 'b'), inbound(3, 'b'), inbound(4, 'a'), inbound(5, 'c')];

  it('gives a batch handler each run of consecutive events of its type, and others one event at a time, in offset order', async () => {
    const calls: Array<{ handler: string; offsets: number[] }> = [];
    const handlers: Record<string, MessageHandler> = {
      a: recorder(calls, 'a', BATCH_HANDLER),
      b: recorder(calls, 'b'),
    };
    await dispatchEvents(events, (type) => handlers[type] ?? null, 'skip');
    expect(calls).toEqual([
      { handler: 'a', offsets: [0, 1] },
      { handler: 'b', offsets: [2] },
      { handler: 'b', offsets: [3] },
      { handler: 'a', offsets: [4] },
    ]);
  });

  it('refuses a batch holding a type no handler knows when unknown types must be dead-lettered', async () => {
    const calls: Array<{ handler: string; offsets: number[] }> = [];
    const handlers: Record<string, MessageHandler> = {
      a: recorder(calls, 'a', BATCH_HANDLER),
      b: recorder(calls, 'b'),
    };
    await expect(dispatchEvents(events, (type) => handlers[type] ?? null, 'dead-letter')).rejects.toThrow(
      MessagingError,
    );
    await expect(dispatchEvents(events, (type) => handlers[type] ?? null, 'dead-letter')).rejects.toThrow(
      'no handler for event type c',
    );
  });

  it('passes a batch handler failure on, so the runner can retry record by record', async () => {
    const failing = (() => Promise.reject(new Error('poison'))) as MessageHandler;
    failing.extras = BATCH_HANDLER;
    await expect(dispatchEvents(events.slice(0, 2), () => failing, 'skip')).rejects.toThrow('poison');
  });
});
