import { Catch, Logger, type RpcExceptionFilter } from '@nestjs/common';
import { BaseRpcContext, Server, type CustomTransportStrategy } from '@nestjs/microservices';
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

export interface KafkaEventTransportOptions
  extends Omit<ConsumerRunnerOptions, 'handleBatch' | 'kafka' | 'publisher'> {
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
      const { beforeListen: _ignored, unknownTypes: _mode, ...runnerOptions } = this.options;
      this.runner = new ConsumerRunner({ ...runnerOptions, handleBatch: (events) => this.dispatch(events) });
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

  unwrap<T>(): T {
    if (!this.runner) throw new Error('KafkaEventTransport is not listening yet');
    return this.runner as T;
  }

  private async dispatch(events: InboundEvent[]): Promise<void> {
    for (const inbound of events) {
      const handler = this.getHandlerByPattern(inbound.event.type);
      if (!handler) {
        if (this.options.unknownTypes === 'skip') continue;
        throw new MessagingError(MessagingErrorCode.NoHandler, `no handler for event type ${inbound.event.type}`);
      }
      const result: unknown = await handler(inbound.event.data, new KafkaEventContext(inbound));
      if (isObservable(result)) await lastValueFrom(result, { defaultValue: undefined });
    }
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
