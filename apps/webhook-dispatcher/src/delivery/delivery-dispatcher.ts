import { SecretSealError, type SecretSeal } from '@passerelle/crypto';
import { PollingLoop, type LoopFailureHandlers } from '@passerelle/persistence';
import type { ClaimedDelivery, DeliveryStore } from './delivery-store';
import { afterFailure, type RetryPolicy } from './retry-schedule';
import {
  ATTEMPT_HEADER,
  DELIVERY_ID_HEADER,
  SIGNATURE_HEADER,
  TIMESTAMP_HEADER,
  webhookSignature,
} from './webhook-signature';
import type { SendResult, WebhookSender } from './webhook-sender';

export interface DispatcherOptions extends LoopFailureHandlers {
  /** POSTs in flight at most. */
  concurrency: number;
  pollMs: number;
  /** How long a claimed delivery stays this process's: longer than one POST may take. */
  leaseMs: number;
  policy: RetryPolicy;
  /** A delivery whose attempt could not be recorded (the database failed): retried once its lease ends. */
  onUnrecorded?: (delivery: ClaimedDelivery, error: unknown) => void;
  /** One line per attempt: ids, attempt number and outcome only (never the URL's query, secret or body). */
  onAttempt?: (delivery: ClaimedDelivery, outcome: string, detail: string) => void;
}

/**
 * Sends due deliveries: claims as many as it has free slots, POSTs each signed, logs the attempt
 * and schedules the retry (or gives up). Slots free up one by one, so one slow receiver holds one
 * slot, not the whole batch. `stop()` claims nothing more and waits for the POSTs in flight
 * (each bounded by the HTTP time limit) to be recorded: SIGTERM drains.
 */
export class DeliveryDispatcher {
  private readonly loop: PollingLoop;
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    private readonly store: Pick<DeliveryStore, 'claim' | 'record' | 'cancel'>,
    private readonly sender: WebhookSender,
    /** Opens the signing secrets the gateway stored sealed (WEBHOOK_SECRET_KEY). */
    private readonly secrets: SecretSeal,
    private readonly options: DispatcherOptions,
  ) {
    this.loop = new PollingLoop(() => this.step(), options.pollMs, options);
  }

  start(): void {
    this.loop.start();
  }

  /** A delivery was just queued: look now instead of at the next poll. */
  nudge(): void {
    this.loop.nudge();
  }

  async stop(): Promise<void> {
    await this.loop.stop();
    await Promise.allSettled([...this.inFlight]);
  }

  /** Claims what fits in the free slots; with none free, waits for one. Returns how much it did (0: idle). */
  async step(): Promise<number> {
    const free = this.options.concurrency - this.inFlight.size;
    if (free <= 0) {
      await Promise.race(this.inFlight);
      return 1;
    }
    const claimed = await this.store.claim(free, this.options.leaseMs);
    for (const delivery of claimed) {
      const running: Promise<void> = this.deliver(delivery)
        .catch((error: unknown) => this.options.onUnrecorded?.(delivery, error))
        .finally(() => this.inFlight.delete(running));
      this.inFlight.add(running);
    }
    return claimed.length;
  }

  private async deliver(delivery: ClaimedDelivery): Promise<void> {
    if (delivery.url === null || delivery.secret === null) {
      await this.store.cancel(delivery);
      this.options.onAttempt?.(delivery, 'cancelled', 'subscription deleted');
      return;
    }
    const attemptedAt = new Date();
    const timestamp = Math.floor(attemptedAt.getTime() / 1000).toString();
    const result = await this.attempt(delivery, delivery.url, delivery.secret, timestamp);
    if ('statusCode' in result && result.statusCode >= 200 && result.statusCode < 300) {
      await this.store.record(delivery, {
        attemptedAt,
        durationMs: result.durationMs,
        statusCode: result.statusCode,
        outcome: 'delivered',
      });
      this.options.onAttempt?.(delivery, 'delivered', `HTTP ${result.statusCode}`);
      return;
    }
    const next = afterFailure(delivery.attempt, delivery.queuedAt, new Date(), this.options.policy);
    const answer = 'statusCode' in result ? { statusCode: result.statusCode } : { error: result.error };
    await this.store.record(delivery, {
      attemptedAt,
      durationMs: result.durationMs,
      ...answer,
      outcome: next.outcome,
      ...(next.outcome === 'retry' && { nextAttemptAt: next.nextAttemptAt }),
    });
    this.options.onAttempt?.(
      delivery,
      next.outcome,
      'statusCode' in answer ? `HTTP ${answer.statusCode}` : answer.error,
    );
  }

  /**
   * The POST, signed with the subscription's secret; a secret that does not open (no key, or
   * not the key that sealed it) is a failed attempt naming why, retried like any other, so an
   * operator who sets the right key loses nothing.
   */
  private async attempt(
    delivery: ClaimedDelivery,
    url: string,
    storedSecret: string,
    timestamp: string,
  ): Promise<SendResult> {
    let secret: string;
    try {
      secret = this.secrets.open(storedSecret, delivery.subscriptionId);
    } catch (error) {
      // Anything else is unexpected: not recorded, the delivery is retried when its lease ends.
      if (!(error instanceof SecretSealError)) throw error;
      return { error: error.code, durationMs: 0 };
    }
    return this.sender.send(url, this.headers(delivery, secret, timestamp), delivery.body);
  }

  private headers(delivery: ClaimedDelivery, secret: string, timestamp: string): Record<string, string> {
    const { attributes } = delivery;
    return {
      'content-type': 'application/json',
      'user-agent': 'Passerelle-Webhooks/1.0',
      [DELIVERY_ID_HEADER]: delivery.id,
      [ATTEMPT_HEADER]: String(delivery.attempt),
      [TIMESTAMP_HEADER]: timestamp,
      [SIGNATURE_HEADER]: webhookSignature(secret, timestamp, delivery.body),
      // CloudEvents HTTP binding, binary mode: the body is the event's data.
      'ce-specversion': '1.0',
      'ce-id': attributes.id,
      'ce-type': attributes.type,
      'ce-source': attributes.source,
      ...(attributes.time !== undefined && { 'ce-time': attributes.time }),
      ...(attributes.subject !== undefined && { 'ce-subject': attributes.subject }),
    };
  }
}
