import { Catch, Logger, type RpcExceptionFilter } from '@nestjs/common';
import { BaseRpcContext, Server, type CustomTransportStrategy, type MessageHandler } from '@nestjs/microservices';
import { isObservable, lastValueFrom, throwError, type Observable } from 'rxjs';
import type { Kafka } from 'kafkajs';
import { ConsumerRunner, type ConsumerRunnerOptions, type InboundEvent } from './consumer-runner';
import type { EventPublisher } from './event-publisher';
import { MessagingError, MessagingErrorCode } from './messaging.error';

/** What a handler gets as its second argument (`@Ctx()`): the whole event and where it came from. */
export class KafkaEventContext extends BaseRpcContext<[InboundEvent]> {
  constructor(inbound: InboundEvent) {
    super([inbound]);
  }
  get inbound(): InboundEvent {
    return this.args[0];
  }
}

/**
 * `@Ctx()` of a batch handler: the consecutive events of one type, in offset order, from one
 * partition's batch. Declare one with `@EventPattern<string>(type, BATCH_HANDLER)`.
 */
export class KafkaBatchContext extends BaseRpcContext<[InboundEvent[]]> {
  constructor(inbound: InboundEvent[]) {
    super([inbound]);
  }
  get inbound(): InboundEvent[] {
    return this.args[0];
  }
}

/**
 * Extras of `@EventPattern` for a handler that takes every consecutive event of its type at once
 * (payload: their `data` array; context: {@link KafkaBatchContext}). When it throws, the runner
 * retries the events one by one, so the handler then gets one-event batches and the failing
 * record alone reaches the DLQ.
 */
export const BATCH_HANDLER = { batch: true } as const;

export interface KafkaEventTransportOptions extends Omit<ConsumerRunnerOptions, 'handleBatch' | 'kafka' | 'publisher'> {
  kafka: Kafka;
  publisher: EventPublisher;
  /** Runs before the consumer subscribes (topic provisioning, migrations). */
  beforeListen?: () => Promise<void>;
  /**
   * An event no handler here knows: `skip` on topics that carry types meant for other services
   * (canonical topics); `dead-letter` where every record must be handled (raw source topics),
   * so nothing is silently dropped and the DLQ record can be replayed once a handler exists.
   */
  unknownTypes: 'skip' | 'dead-letter';
  /**
   * Wraps the handling of each batch handed over by the runner (a whole Kafka batch, or a single
   * event when the runner retries one by one): e.g. one database transaction per batch.
   */
  aroundBatch?: (handle: () => Promise<void>) => Promise<void>;
}

/**
 * Nest custom transport over `ConsumerRunner`: handlers keep `@EventPattern('<ce type>')`, while
 * commits, retries, the DLQ and CloudEvents decoding stay in libs/messaging (the stock Kafka
 * transport has none of these).
 */
export class KafkaEventTransport extends Server implements CustomTransportStrategy {
  override readonly propagatesEventHandlerErrors = true;
  protected override readonly logger = new Logger(KafkaEventTransport.name);
  private runner?: ConsumerRunner;

  constructor(private readonly options: KafkaEventTransportOptions) {
    super();
  }

  async listen(callback: (error?: unknown) => void): Promise<void> {
    try {
      await this.options.beforeListen?.();
      const { beforeListen: _ignored, unknownTypes: _mode, aroundBatch, ...runnerOptions } = this.options;
      this.runner = new ConsumerRunner({
        ...runnerOptions,
        handleBatch: (events) => (aroundBatch ? aroundBatch(() => this.dispatch(events)) : this.dispatch(events)),
      });
      await this.runner.start();
      callback();
    } catch (error) {
      callback(error);
    }
  }

  async close(): Promise<void> {
    await this.runner?.stop();
    await this.options.publisher.disconnect();
  }

  on(): never {
    throw new Error('KafkaEventTransport has no event listeners; use ConsumerRunner.events');
  }

  // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- Nest's CustomTransportStrategy declares unwrap<T>()
  unwrap<T>(): T {
    if (!this.runner) throw new Error('KafkaEventTransport is not listening yet');
    return this.runner as T;
  }

  /** Handlers by event type: Nest's lookup parses the pattern as JSON on every call, and they are all registered before listening. */
  private readonly handlers = new Map<string, MessageHandler | null>();

  private handlerOf(type: string): MessageHandler | null {
    let handler = this.handlers.get(type);
    if (handler === undefined) {
      handler = this.getHandlerByPattern(type);
      this.handlers.set(type, handler);
    }
    return handler;
  }

  private dispatch(events: InboundEvent[]): Promise<void> {
    return dispatchEvents(events, (type) => this.handlerOf(type), this.options.unknownTypes);
  }
}

/**
 * Hands a batch to the handlers, in offset order: a batch handler gets each run of consecutive
 * events of its type at once, any other handler one event at a time.
 */
export async function dispatchEvents(
  events: InboundEvent[],
  handlerOf: (type: string) => MessageHandler | null,
  unknownTypes: KafkaEventTransportOptions['unknownTypes'],
): Promise<void> {
  let next = 0;
  while (next < events.length) {
    const inbound = events[next];
    const handler = handlerOf(inbound.event.type);
    if (!handler) {
      next += 1;
      if (unknownTypes === 'skip') continue;
      throw new MessagingError(MessagingErrorCode.NoHandler, `no handler for event type ${inbound.event.type}`);
    }
    let result: unknown;
    if (handler.extras?.batch === true) {
      let end = next + 1;
      while (end < events.length && events[end].event.type === inbound.event.type) end += 1;
      const run = events.slice(next, end);
      next = end;
      result = await handler(
        run.map((e) => e.event.data),
        new KafkaBatchContext(run),
      );
    } else {
      next += 1;
      result = await handler(inbound.event.data, new KafkaEventContext(inbound));
    }
    if (isObservable(result)) await lastValueFrom(result, { defaultValue: undefined });
  }
}

/**
 * Nest's default RPC filter turns any handler error into `{ status: 'error', message: 'Internal
 * server error' }`; this one hands the original error back to the transport, so retries see
 * whether it is retriable and the DLQ record says what went wrong.
 */
@Catch()
export class PropagateHandlerErrors implements RpcExceptionFilter<unknown> {
  catch(exception: unknown): Observable<never> {
    return throwError(() => exception);
  }
}
