import { Controller, Logger, Module, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import type { Transaction } from 'kysely';
import { schemaIdForPath, schemaRegistry, type Consent, type Referral, type ReferralResponse, type ServiceEvent } from '@passerelle/contracts';
import { EventPublisher, TopicNames, type CloudEvent, type KafkaEventContext } from '@passerelle/messaging';
import { Inbox, OutboxRelay, type Database, type DatabaseHandle } from '@passerelle/persistence';
import { DATABASE } from '@passerelle/runtime';
import { ReferralLedger } from './ledger/referral-ledger';
import { CatchmentRouter } from './routing/catchment-router';
import { loadProviderDirectory } from './routing/provider-directory';
import { ReferralTracking } from './tracking/referral-tracking';
import { TrackerError, TrackerErrorCode } from './tracking/tracker.error';
import type { Cause } from './tracking/tracker-events';

const CONSUMER = 'referral-tracker';

/** Relays the outbox while the app runs; a nudge after each applied event keeps latency low. */
class TrackerOutboxRelay extends OutboxRelay implements OnModuleInit, OnApplicationShutdown {
  onModuleInit(): void {
    this.start();
  }
  async onApplicationShutdown(): Promise<void> {
    await this.stop();
  }
}

@Controller()
export class ReferralEventHandlers {
  constructor(
    private readonly tracking: ReferralTracking,
    private readonly inbox: Inbox,
    private readonly relay: TrackerOutboxRelay,
  ) {}

  @EventPattern<string>('ca.on.passerelle.referral.submitted')
  submitted(@Payload() _data: unknown, @Ctx() context: KafkaEventContext): Promise<void> {
    return this.apply(context, schemaIdForPath('canonical/referral.json'), (trx, data: Referral, cause) => this.tracking.submitted(trx, data, cause));
  }

  @EventPattern<string>('ca.on.passerelle.consent.granted')
  consentGranted(@Payload() _data: unknown, @Ctx() context: KafkaEventContext): Promise<void> {
    return this.apply(context, schemaIdForPath('canonical/consent.json'), (trx, data: Consent, cause) => this.tracking.consentGranted(trx, data, cause));
  }

  @EventPattern<string>('ca.on.passerelle.consent.withdrawn')
  consentWithdrawn(@Payload() _data: unknown, @Ctx() context: KafkaEventContext): Promise<void> {
    return this.apply(context, schemaIdForPath('canonical/consent.json'), (trx, data: Consent, cause) => this.tracking.consentWithdrawn(trx, data, cause));
  }

  @EventPattern<string>('ca.on.passerelle.referral.response-recorded')
  responseRecorded(@Payload() _data: unknown, @Ctx() context: KafkaEventContext): Promise<void> {
    return this.apply(context, schemaIdForPath('canonical/referral-response.json'), (trx, data: ReferralResponse, cause) => this.tracking.responseRecorded(trx, data, cause));
  }

  @EventPattern<string>('ca.on.passerelle.service-event.recorded')
  serviceEventRecorded(@Payload() _data: unknown, @Ctx() context: KafkaEventContext): Promise<void> {
    return this.apply(context, schemaIdForPath('canonical/service-event.json'), (trx, data: ServiceEvent, cause) => this.tracking.serviceEventRecorded(trx, data, cause));
  }

  /** Validates the event's data, applies it once (inbox, state, outbox in one transaction), then wakes the relay. */
  private async apply<T>(context: KafkaEventContext, schemaId: string, effect: (trx: Transaction<Database>, data: T, cause: Cause) => Promise<void>): Promise<void> {
    const { event, topic, partition, offset } = context.inbound;
    const valid = schemaRegistry().validate<T>(schemaId, event.data);
    if (!valid.ok) {
      throw new TrackerError(TrackerErrorCode.InvalidEvent, valid.errors.map((e) => `${e.pointer || '/'}: ${e.message}`).join('; '));
    }
    const cause = causeOf(event);
    const applied = await this.inbox.applyOnce({ eventId: event.id, eventType: event.type, topic, partition, offset }, (trx) => effect(trx, valid.value, cause));
    if (applied) this.relay.nudge();
  }
}

function causeOf(event: CloudEvent): Cause {
  return { eventId: event.id, ...(event.correlationid !== undefined && { correlationId: event.correlationid }), occurredAt: event.time ?? new Date().toISOString() };
}

/**
 * The closed-loop referral ledger: records referrals, routes them (consent first, then the
 * provider directory), enforces the lifecycle, cancels on consent withdrawal, and emits through
 * a transactional outbox. Canonical topics carry many event types; those it does not handle are
 * skipped, not dead-lettered.
 */
@Module({
  controllers: [ReferralEventHandlers],
  providers: [
    ReferralLedger,
    { provide: CatchmentRouter, useFactory: () => new CatchmentRouter(loadProviderDirectory()) },
    {
      provide: ReferralTracking,
      useFactory: (ledger: ReferralLedger, router: CatchmentRouter, names: TopicNames) => new ReferralTracking(ledger, router, names),
      inject: [ReferralLedger, CatchmentRouter, TopicNames],
    },
    { provide: Inbox, useFactory: (database: DatabaseHandle) => new Inbox(database.db, CONSUMER), inject: [DATABASE] },
    {
      provide: TrackerOutboxRelay,
      useFactory: (database: DatabaseHandle, publisher: EventPublisher) => {
        const logger = new Logger('OutboxRelay');
        return new TrackerOutboxRelay(
          database.db,
          {
            deliver: (messages) => {
              const byTopic = new Map<string, CloudEvent[]>();
              for (const { topic, event } of messages) byTopic.set(topic, [...(byTopic.get(topic) ?? []), event as unknown as CloudEvent]);
              return publisher.publishAll([...byTopic].map(([topic, events]) => ({ topic, events })));
            },
          },
          { onError: (error) => logger.warn(`outbox relay failed, retrying: ${String(error)}`) },
        );
      },
      inject: [DATABASE, EventPublisher],
    },
  ],
})
export class ReferralTrackerModule {}


