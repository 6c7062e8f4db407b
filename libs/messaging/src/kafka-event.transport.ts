import { Logger } from '@nestjs/common';
import { BaseRpcContext, Server, type CustomTransportStrategy } from '@nestjs/microservices';
import { isObservable, lastValueFrom } from 'rxjs';
import type { Kafka } from 'kafkajs';
import { ConsumerRunner, type ConsumerRunnerOptions, type InboundEvent } from './consumer-runner';
import type { EventPublisher } from './event-publisher';

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
}

/**
 * Nest custom transport over `ConsumerRunner`: handlers keep `@EventPattern('<ce type>')`, while
 * commits, retries, the DLQ and CloudEvents decoding stay in libs/messaging (the stock Kafka
 * transport has none of these). Events of a type no handler here knows are skipped: topics carry
 * types meant for other services.
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
      const { beforeListen: _ignored, ...runnerOptions } = this.options;
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
      if (!handler) continue;
      const result: unknown = await handler(inbound.event.data, new KafkaEventContext(inbound));
      if (isObservable(result)) await lastValueFrom(result, { defaultValue: undefined });
    }
  }
}
