import { Controller, Logger, Module, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { loadConfig, webhookDeliverySettings, type ConfigOf } from '@passerelle/config';
import type { KafkaEventContext } from '@passerelle/messaging';
import { SecretSeal } from '@passerelle/crypto';
import { failureLine, recoveryLine } from '@passerelle/observability';
import { Inbox, afterCommit, type DatabaseHandle } from '@passerelle/persistence';
import { APP_ENV, DATABASE } from '@passerelle/runtime';
import { DispatchError, DispatchErrorCode } from './dispatch.error';
import { DeliveryDispatcher } from './delivery/delivery-dispatcher';
import { DeliveryStore } from './delivery/delivery-store';
import { WebhookSender } from './delivery/webhook-sender';
import { NOTIFICATION_EVENT_TYPES, addressedNotification } from './fan-out/addressed-notification';
import { NotificationFanOut } from './fan-out/notification-fan-out';

const CONSUMER = 'webhook-dispatcher';
/** A claimed delivery stays this replica's for the POST's time limit plus this margin (recording it). */
const LEASE_MARGIN_MS = 30_000;

type DeliveryConfig = ConfigOf<typeof webhookDeliverySettings>;

/** Sends due deliveries while the app runs; on shutdown, finishes (and records) the POSTs in flight. */
class RunningDispatcher extends DeliveryDispatcher implements OnModuleInit, OnApplicationShutdown {
  onModuleInit(): void {
    this.start();
  }
  async onApplicationShutdown(): Promise<void> {
    await this.stop();
  }
}

@Controller()
export class NotificationHandlers {
  private readonly fanOut = new NotificationFanOut();
  private readonly logger = new Logger('NotificationFanOut');

  constructor(
    private readonly inbox: Inbox,
    private readonly dispatcher: RunningDispatcher,
  ) {}

  /**
   * Every notification type of the contract comes here (an added one too): one addressed to a
   * `recipient` with a `change` is queued, one delivery per matching subscription, with the inbox
   * row (exactly once); one that is not is skipped and logged.
   */
  @EventPattern(NOTIFICATION_EVENT_TYPES)
  async notified(@Payload() _data: unknown, @Ctx() context: KafkaEventContext): Promise<void> {
    const { event, topic, partition, offset } = context.inbound;
    const verdict = addressedNotification(event.type, event.data);
    if (verdict.kind === 'invalid') throw new DispatchError(DispatchErrorCode.InvalidEvent, verdict.reason);
    if (verdict.kind === 'skip') {
      this.logger.log(`notification ${event.id} skipped: ${verdict.reason}`);
      return;
    }
    let queued = 0;
    await this.inbox.applyOnce({ eventId: event.id, eventType: event.type, topic, partition, offset }, async (trx) => {
      queued = await this.fanOut.queue(trx, event, verdict.notification);
    });
    if (queued > 0) afterCommit(() => this.dispatcher.nudge());
  }
}

/**
 * Status webhooks: consumes notifications.v1, queues a delivery per subscription of the
 * recipient (PostgreSQL, exactly once), and POSTs them signed, with retries and a delivery log.
 */
@Module({
  controllers: [NotificationHandlers],
  providers: [
    { provide: Inbox, useFactory: (database: DatabaseHandle) => new Inbox(database.db, CONSUMER), inject: [DATABASE] },
    {
      provide: RunningDispatcher,
      useFactory: (database: DatabaseHandle, env: NodeJS.ProcessEnv) => {
        const settings: DeliveryConfig = loadConfig(webhookDeliverySettings, env);
        const logger = new Logger('WebhookDispatcher');
        return new RunningDispatcher(
          new DeliveryStore(database.db),
          new WebhookSender(settings.timeoutMs, settings.webhookAddresses),
          new SecretSeal(settings.webhookSecretKey, settings.webhookSecretPreviousKeys),
          {
            concurrency: settings.concurrency,
            pollMs: settings.pollMs,
            leaseMs: settings.timeoutMs + LEASE_MARGIN_MS,
            policy: {
              maxAttempts: settings.maxAttempts,
              maxAgeMs: settings.maxAgeMs,
              baseMs: settings.retryBaseMs,
              maxDelayMs: settings.retryMaxMs,
            },
            onError: (error, consecutive) => logger.warn(failureLine('webhook dispatch', error, consecutive)),
            onRecovered: (failures) => logger.log(recoveryLine('webhook dispatch', failures)),
            onUnrecorded: (delivery, error) =>
              logger.warn(
                `delivery ${delivery.id} attempt ${delivery.attempt} not recorded, retried when its lease ends: ${String(error)}`,
              ),
            // Ids and outcome only: never the URL, the secret or the body.
            onAttempt: (delivery, outcome, detail) =>
              logger.debug(
                `delivery ${delivery.id} (subscription ${delivery.subscriptionId}) attempt ${delivery.attempt}: ${outcome} (${detail})`,
              ),
          },
        );
      },
      inject: [DATABASE, APP_ENV],
    },
  ],
})
export class WebhookDispatcherModule {}
