import { Controller, Injectable, Logger, Module, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import { randomBytes } from 'node:crypto';
import { loadConfig, trackerSettings, type ConfigOf } from '@passerelle/config';
import { BATCH_HANDLER, ContractEventPattern, TopicNames, type KafkaBatchContext } from '@passerelle/messaging';
import { failureLine, recoveryLine } from '@passerelle/observability';
import { PersonalDataVault } from '@passerelle/crypto';
import { DurableTimers, Inbox, type DatabaseHandle } from '@passerelle/persistence';
import { APP_ENV, DATABASE, OutboxRelayWorker } from '@passerelle/runtime';
import { LedgerStore } from './ledger/ledger-store';
import { Pseudonymizer } from './ministry/deidentify';
import { OntarioBusinessCalendar } from '@passerelle/lifecycle';
import { DueTimers } from './tracking/due-timers';
import { EventBatches } from './tracking/event-batches';
import { OutcomeTracking } from './tracking/outcome-tracking';
import { CatchmentRouter } from './routing/catchment-router';
import { watchProviderDirectory } from './routing/directory-watch';
import { defaultProviderDirectoryFile, loadProviderDirectory } from './routing/provider-directory';
import { ReferralTracking } from './tracking/referral-tracking';
import { trackerRetentionProvider } from './retention/tracker-retention';
import { TrackedEvents } from './tracking/tracked-events';

const CONSUMER = 'referral-tracker';

/**
 * Relays the outbox while the app runs, in a worker thread, so producing what the tracker emits
 * does not hold up applying; a nudge after each applied batch keeps latency low.
 */
class TrackerOutboxRelay extends OutboxRelayWorker implements OnModuleInit, OnApplicationShutdown {
  onModuleInit(): Promise<void> {
    return this.start();
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
      refused: (error) =>
        logger.error(`provider directory change refused, routing goes on with the previous one: ${error.message}`),
    });
  }
  onApplicationShutdown(): void {
    this.stop?.();
  }
}

const TRACKER_SETTINGS = Symbol('TRACKER_SETTINGS');
type TrackerConfig = ConfigOf<typeof trackerSettings>;

/**
 * One handler per consumed type, each handing its events (every consecutive event of its type in
 * a Kafka batch, in one call) to {@link EventBatches}: validated now, applied with the rest of
 * the batch just before the batch's transaction commits.
 */
@Controller()
export class ReferralEventHandlers {
  constructor(private readonly batches: EventBatches) {}

  @ContractEventPattern('ca.on.passerelle.referral.submitted', BATCH_HANDLER)
  submitted(@Payload() _data: unknown[], @Ctx() context: KafkaBatchContext): Promise<void> {
    return this.batches.submit(context.inbound);
  }

  @ContractEventPattern('ca.on.passerelle.consent.granted', BATCH_HANDLER)
  consentGranted(@Payload() _data: unknown[], @Ctx() context: KafkaBatchContext): Promise<void> {
    return this.batches.submit(context.inbound);
  }

  @ContractEventPattern('ca.on.passerelle.consent.withdrawn', BATCH_HANDLER)
  consentWithdrawn(@Payload() _data: unknown[], @Ctx() context: KafkaBatchContext): Promise<void> {
    return this.batches.submit(context.inbound);
  }

  @ContractEventPattern('ca.on.passerelle.referral.response-recorded', BATCH_HANDLER)
  responseRecorded(@Payload() _data: unknown[], @Ctx() context: KafkaBatchContext): Promise<void> {
    return this.batches.submit(context.inbound);
  }

  @ContractEventPattern('ca.on.passerelle.referral.cancellation-requested', BATCH_HANDLER)
  cancellationRequested(@Payload() _data: unknown[], @Ctx() context: KafkaBatchContext): Promise<void> {
    return this.batches.submit(context.inbound);
  }

  @ContractEventPattern('ca.on.passerelle.referral.refused', BATCH_HANDLER)
  refused(@Payload() _data: unknown[], @Ctx() context: KafkaBatchContext): Promise<void> {
    return this.batches.submit(context.inbound);
  }

  @ContractEventPattern('ca.on.passerelle.referral.status-change-requested', BATCH_HANDLER)
  statusChangeRequested(@Payload() _data: unknown[], @Ctx() context: KafkaBatchContext): Promise<void> {
    return this.batches.submit(context.inbound);
  }

  @ContractEventPattern('ca.on.passerelle.service-event.recorded', BATCH_HANDLER)
  serviceEventRecorded(@Payload() _data: unknown[], @Ctx() context: KafkaBatchContext): Promise<void> {
    return this.batches.submit(context.inbound);
  }

  @ContractEventPattern('ca.on.passerelle.employment.started', BATCH_HANDLER)
  employmentStarted(@Payload() _data: unknown[], @Ctx() context: KafkaBatchContext): Promise<void> {
    return this.batches.submit(context.inbound);
  }

  @ContractEventPattern('ca.on.passerelle.outcome.recorded', BATCH_HANDLER)
  outcomeRecorded(@Payload() _data: unknown[], @Ctx() context: KafkaBatchContext): Promise<void> {
    return this.batches.submit(context.inbound);
  }

  @ContractEventPattern('ca.on.passerelle.benefit.issued', BATCH_HANDLER)
  benefitIssued(@Payload() _data: unknown[], @Ctx() context: KafkaBatchContext): Promise<void> {
    return this.batches.submit(context.inbound);
  }
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
    LedgerStore,
    {
      provide: TRACKER_SETTINGS,
      useFactory: (env: NodeJS.ProcessEnv) => loadConfig(trackerSettings, env),
      inject: [APP_ENV],
    },
    { provide: CatchmentRouter, useFactory: () => new CatchmentRouter(loadProviderDirectory()) },
    DirectoryWatch,
    trackerRetentionProvider,
    {
      provide: ReferralTracking,
      useFactory: (router: CatchmentRouter, names: TopicNames, settings: TrackerConfig) =>
        new ReferralTracking(router, names, {
          calendar: OntarioBusinessCalendar.load(),
          responseBusinessDays: settings.responseBusinessDays,
        }),
      inject: [CatchmentRouter, TopicNames, TRACKER_SETTINGS],
    },
    {
      provide: OutcomeTracking,
      useFactory: (names: TopicNames, settings: TrackerConfig) => {
        if (!settings.pseudonymKey) {
          new Logger('ReferralTracker').warn(
            'MINISTRY_PSEUDONYM_KEY is not set: ministry pseudonyms use a random key and change at every restart (development only)',
          );
        }
        return new OutcomeTracking(names, new Pseudonymizer(settings.pseudonymKey ?? randomBytes(32)));
      },
      inject: [TopicNames, TRACKER_SETTINGS],
    },
    {
      provide: TrackedEvents,
      useFactory: (tracking: ReferralTracking, outcomes: OutcomeTracking) => new TrackedEvents(tracking, outcomes),
      inject: [ReferralTracking, OutcomeTracking],
    },
    {
      provide: TrackerTimers,
      useFactory: (
        database: DatabaseHandle,
        store: LedgerStore,
        tracking: ReferralTracking,
        outcomes: OutcomeTracking,
        settings: TrackerConfig,
        vault: PersonalDataVault,
      ) => {
        const logger = new Logger('TrackerTimers');
        return new TrackerTimers(database.db, new DueTimers(store, tracking, outcomes, vault), {
          pollMs: settings.timerPollMs,
          onError: (error, consecutive) => logger.warn(failureLine('firing due timers', error, consecutive)),
          onRecovered: (failures) => logger.log(recoveryLine('firing due timers', failures)),
        });
      },
      inject: [DATABASE, LedgerStore, ReferralTracking, OutcomeTracking, TRACKER_SETTINGS, PersonalDataVault],
    },
    { provide: Inbox, useFactory: (database: DatabaseHandle) => new Inbox(database.db, CONSUMER), inject: [DATABASE] },
    {
      provide: EventBatches,
      useFactory: (
        database: DatabaseHandle,
        inbox: Inbox,
        store: LedgerStore,
        events: TrackedEvents,
        relay: TrackerOutboxRelay,
        timers: TrackerTimers,
        vault: PersonalDataVault,
      ) =>
        // Once a batch committed: relay what it emitted, fire timers it scheduled in the past.
        new EventBatches(
          database.db,
          inbox,
          store,
          events,
          () => {
            relay.nudge();
            timers.nudge();
          },
          vault,
        ),
      inject: [DATABASE, Inbox, LedgerStore, TrackedEvents, TrackerOutboxRelay, TrackerTimers, PersonalDataVault],
    },
    {
      provide: TrackerOutboxRelay,
      useFactory: (env: NodeJS.ProcessEnv) => new TrackerOutboxRelay({ app: CONSUMER, env }),
      inject: [APP_ENV],
    },
  ],
})
export class ReferralTrackerModule {}
