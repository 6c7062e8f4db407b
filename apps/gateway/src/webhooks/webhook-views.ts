import type { components } from '@passerelle/contracts';
import type { AttemptRow, DeliveryRow, SubscriptionRow } from './webhook-subscription-repository';

export type WebhookSubscription = components['schemas']['WebhookSubscription'];
export type WebhookSubscriptionRequest = components['schemas']['WebhookSubscriptionRequest'];
export type WebhookSubscriptionList = components['schemas']['WebhookSubscriptionList'];
export type WebhookDelivery = components['schemas']['WebhookDelivery'];
export type WebhookDeliveryPage = components['schemas']['WebhookDeliveryPage'];

/** A stored subscription as the API shows it: never with its secret. */
export function subscriptionView(row: SubscriptionRow): WebhookSubscription {
  return {
    id: row.id,
    url: row.url,
    ...(row.changes !== null && { changes: row.changes as WebhookSubscription['changes'] }),
    ...(row.description !== null && { description: row.description }),
    createdAt: row.createdAt.toISOString(),
  };
}

/** What the log shows of a delivered notification, whatever its type (referral status, follow-up due, ...). */
interface DeliveredNotification {
  notificationId: string;
  referralId?: string;
  change: WebhookDelivery['change'];
}

/** A delivery of the log with its attempts, oldest first. */
export function deliveryView(delivery: DeliveryRow, attempts: AttemptRow[]): WebhookDelivery {
  // The body is the notification the dispatcher validated before queueing it: any type with these members.
  const notification = JSON.parse(delivery.body) as DeliveredNotification;
  return {
    deliveryId: delivery.id,
    eventId: delivery.eventId,
    eventType: delivery.eventType,
    notificationId: notification.notificationId,
    ...(notification.referralId !== undefined && { referralId: notification.referralId }),
    change: notification.change,
    state: delivery.state as WebhookDelivery['state'],
    createdAt: delivery.createdAt.toISOString(),
    ...(delivery.state === 'pending' &&
      delivery.nextAttemptAt !== null && { nextAttemptAt: delivery.nextAttemptAt.toISOString() }),
    ...(delivery.completedAt !== null && { completedAt: delivery.completedAt.toISOString() }),
    attempts: attempts.map((a) => ({
      attempt: a.attempt,
      attemptedAt: a.attemptedAt.toISOString(),
      durationMs: a.durationMs,
      ...(a.statusCode !== null && { statusCode: a.statusCode }),
      ...(a.error !== null && { error: a.error }),
      outcome: a.outcome as WebhookDelivery['attempts'][number]['outcome'],
      ...(a.nextAttemptAt !== null && { nextAttemptAt: a.nextAttemptAt.toISOString() }),
    })),
  };
}
