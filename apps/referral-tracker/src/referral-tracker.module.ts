import { Controller, Injectable, Logger, Module, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import type { Transaction } from 'kysely';
import { randomBytes } from 'node:crypto';
import { loadConfig, trackerSettings, type ConfigOf } from '@passerelle/config';
import {
  schemaIdForPath,
  schemaRegistry,
  type BenefitIssued,
  type Consent,
  type EmploymentSpell,
  type OutcomeMilestone,
  type Referral,
  type ReferralCancellation,
  type ReferralResponse,
  type ServiceEvent,
} from '@passerelle/contracts';
import { EventPublisher, TopicNames, type CloudEvent, type KafkaEventContext } from '@passerelle/messaging';
import { DurableTimers, Inbox, OutboxRelay, afterCommit, type Database, type DatabaseHandle, type DueTimer, type TimerOutcome } from '@passerelle/persistence';
import { APP_ENV, DATABASE } from '@passerelle/runtime';
import { OutcomeLedger } from './ledger/outcome-ledger';
import { ReferralLedger } from './ledger/referral-ledger';
import { Pseudonymizer } from './ministry/deidentify';
import { OntarioBusinessCalendar } from './timers/ontario-business-calendar';
import { EMPLOYMENT_STARTED, FOLLOW_UP_TIMER, OUTCOME_RECORDED, OutcomeTracking } from './tracking/outcome-tracking';
import { CatchmentRouter } from './routing/catchment-router';
import { watchProviderDirectory } from './routing/directory-watch';
import { defaultProviderDirectoryFile, loadProviderDirectory } from './routing/provider-directory';
import { OVERDUE_TIMER, RESPONSE_RECORDED, ReferralTracking, SERVICE_EVENT_RECORDED } from './tracking/referral-tracking';
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

/** Fires due timers (overdue referrals, outcome follow-ups) while the app runs. */
class TrackerTimers extends DurableTimers implements OnModuleInit, OnApplicationShutdown {
  onModuleInit(): void {
    this.start();
  }
  async onApplicationShutdown(): Promise<void> {
    await this.stop();
  }
}

/** Follows edits of `data/provider-directory.json` at run time (a bad edit is refused and logged). */
@Injectable()
class DirectoryWatch implements OnModuleInit, OnApplicationShutdown {
  private stop?: () => void;
  constructor(private readonly router: CatchmentRouter) {}
  onModuleInit(): void {
    const logger = new Logger('ProviderDirectory');
    this.stop = watchProviderDirectory(defaultProviderDirectoryFile(), this.router, {
      reloaded: (providers) => logger.log(`provider directory reloaded: ${providers} providers`),
      refused: (error) => logger.error(`provider directory change refused, routing goes on with the previous one: ${error.message}`),
    });
  }
  onApplicationShutdown(): void {
    this.stop?.();
  }
}

const TRACKER_SETTINGS = Symbol('TRACKER_SETTINGS');
type TrackerConfig = ConfigOf<typeof trackerSettings>;

@Controller()
export class ReferralEventHandlers {
  constructor(
    private readonly tracking: ReferralTracking,
    private readonly outcomes: OutcomeTracking,
    private readonly ledger: ReferralLedger,
    private readonly inbox: Inbox,
    private readonly relay: TrackerOutboxRelay,
    private readonly timers: TrackerTimers,
  ) {}

  @EventPattern<string>('ca.on.passerelle.referral.submitted')
  submitted(@Payload() _data: unknown, @Ctx() context: KafkaEventContext): Promise<void> {
    return this.apply(context, schemaIdForPath('canonical/referral.json'), async (trx, data: Referral, cause) => {
      await this.tracking.submitted(trx, data, cause);
      await this.applyParked(trx, data.clientId);
    });
  }

  /**
   * Events that overtook their referral (other topics are not ordered with referrals.v1) wait
   * until it is recorded and routed, then apply, oldest first, in the transaction that routed it.
   */
  private async applyParked(trx: Transaction<Database>, clientId: string): Promise<void> {
    for (const referralId of await this.ledger.routedWithParkedEvents(trx, clientId)) {
      for (const parked of await this.ledger.unpark(trx, referralId)) {
        const apply = this.parkedHandlers[parked.type];
        if (!apply) throw new Error(`no handler for parked ${parked.type}`);
        await apply(trx, parked.data, parked.cause);
      }
    }
  }

  /** What a parked event of each type does once its referral is known. */
  private readonly parkedHandlers: Record<string, (trx: Transaction<Database>, data: unknown, cause: Cause) => Promise<void>> = {
    [RESPONSE_RECORDED]: (trx, data, cause) => this.tracking.responseRecorded(trx, data as ReferralResponse, cause),
    [SERVICE_EVENT_RECORDED]: (trx, data, cause) => this.tracking.serviceEventRecorded(trx, data as ServiceEvent, cause),
    [EMPLOYMENT_STARTED]: (trx, data, cause) => this.outcomes.employmentStarted(trx, data as EmploymentSpell, cause),
    [OUTCOME_RECORDED]: (trx, data, cause) => this.outcomes.outcomeRecorded(trx, data as OutcomeMilestone, cause),
  };

  @EventPattern<string>('ca.on.passerelle.consent.granted')
  consentGranted(@Payload() _data: unknown, @Ctx() context: KafkaEventContext): Promise<void> {
    return this.apply(context, schemaIdForPath('canonical/consent.json'), async (trx, data: Consent, cause) => {
      await this.tracking.consentGranted(trx, data, cause);
      await this.applyParked(trx, data.clientId);
    });
  }

  @EventPattern<string>('ca.on.passerelle.consent.withdrawn')
  consentWithdrawn(@Payload() _data: unknown, @Ctx() context: KafkaEventContext): Promise<void> {
    return this.apply(context, schemaIdForPath('canonical/consent.json'), (trx, data: Consent, cause) => this.tracking.consentWithdrawn(trx, data, cause));
  }

  @EventPattern<string>('ca.on.passerelle.referral.response-recorded')
  responseRecorded(@Payload() _data: unknown, @Ctx() context: KafkaEventContext): Promise<void> {
    return this.apply(context, schemaIdForPath('canonical/referral-response.json'), (trx, data: ReferralResponse, cause) => this.tracking.responseRecorded(trx, data, cause));
  }

  @EventPattern<string>('ca.on.passerelle.referral.cancellation-requested')
  cancellationRequested(@Payload() _data: unknown, @Ctx() context: KafkaEventContext): Promise<void> {
    return this.apply(context, schemaIdForPath('canonical/referral-cancellation.json'), async (trx, data: ReferralCancellation, cause) => {
      await this.tracking.changeStatus(trx, data.referralId, { to: 'cancelled', actor: 'referrer', reason: { text: data.reason } }, { actor: 'referrer', org: data.requestedBy }, cause);
    });
  }

  @EventPattern<string>('ca.on.passerelle.service-event.recorded')
  serviceEventRecorded(@Payload() _data: unknown, @Ctx() context: KafkaEventContext): Promise<void> {
    return this.apply(context, schemaIdForPath('canonical/service-event.json'), (trx, data: ServiceEvent, cause) => this.tracking.serviceEventRecorded(trx, data, cause));
  }

  @EventPattern<string>('ca.on.passerelle.employment.started')
  employmentStarted(@Payload() _data: unknown, @Ctx() context: KafkaEventContext): Promise<void> {
    return this.apply(context, schemaIdForPath('canonical/employment-spell.json'), (trx, data: EmploymentSpell, cause) => this.outcomes.employmentStarted(trx, data, cause));
  }

  @EventPattern<string>('ca.on.passerelle.outcome.recorded')
  outcomeRecorded(@Payload() _data: unknown, @Ctx() context: KafkaEventContext): Promise<void> {
    return this.apply(context, schemaIdForPath('canonical/outcome-milestone.json'), (trx, data: OutcomeMilestone, cause) => this.outcomes.outcomeRecorded(trx, data, cause));
  }

  @EventPattern<string>('ca.on.passerelle.benefit.issued')
  benefitIssued(@Payload() _data: unknown, @Ctx() context: KafkaEventContext): Promise<void> {
    return this.apply(context, schemaIdForPath('canonical/benefit-issued.json'), (trx, data: BenefitIssued, cause) => this.outcomes.benefitIssued(trx, data, cause));
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
    if (applied) {
      // Once the batch committed: relay what it emitted, fire timers it scheduled in the past.
      afterCommit(() => {
        this.relay.nudge();
        this.timers.nudge();
      });
    }
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
    OutcomeLedger,
    { provide: TRACKER_SETTINGS, useFactory: (env: NodeJS.ProcessEnv) => loadConfig(trackerSettings, env), inject: [APP_ENV] },
    { provide: CatchmentRouter, useFactory: () => new CatchmentRouter(loadProviderDirectory()) },
    DirectoryWatch,
    {
      provide: ReferralTracking,
      useFactory: (ledger: ReferralLedger, facts: OutcomeLedger, router: CatchmentRouter, names: TopicNames, settings: TrackerConfig) =>
        new ReferralTracking(ledger, facts, router, names, { calendar: OntarioBusinessCalendar.load(), responseBusinessDays: settings.responseBusinessDays }),
      inject: [ReferralLedger, OutcomeLedger, CatchmentRouter, TopicNames, TRACKER_SETTINGS],
    },
    {
      provide: OutcomeTracking,
      useFactory: (referrals: ReferralLedger, facts: OutcomeLedger, names: TopicNames, settings: TrackerConfig) => {
        if (!settings.pseudonymKey) {
          new Logger('ReferralTracker').warn('MINISTRY_PSEUDONYM_KEY is not set: ministry pseudonyms use a random key and change at every restart (development only)');
        }
        return new OutcomeTracking(referrals, facts, names, new Pseudonymizer(settings.pseudonymKey ?? randomBytes(32)));
      },
      inject: [ReferralLedger, OutcomeLedger, TopicNames, TRACKER_SETTINGS],
    },
    {
      provide: TrackerTimers,
      useFactory: (database: DatabaseHandle, tracking: ReferralTracking, outcomes: OutcomeTracking, settings: TrackerConfig) => {
        const logger = new Logger('TrackerTimers');
        const fire: Record<string, (trx: Transaction<Database>, timer: DueTimer) => Promise<TimerOutcome>> = {
          [OVERDUE_TIMER]: (trx, timer) => tracking.responseDeadlinePassed(trx, timer),
          [FOLLOW_UP_TIMER]: (trx, timer) => outcomes.followUpDue(trx, timer),
        };
        return new TrackerTimers(
          database.db,
          async (trx, timer) => {
            const handler = fire[timer.kind];
            if (!handler) throw new Error(`timer ${timer.key} has unknown kind ${timer.kind}`);
            return handler(trx, timer);
          },
          { pollMs: settings.timerPollMs, onError: (error) => logger.warn(`firing due timers failed, retrying: ${String(error)}`) },
        );
      },
      inject: [DATABASE, ReferralTracking, OutcomeTracking, TRACKER_SETTINGS],
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


