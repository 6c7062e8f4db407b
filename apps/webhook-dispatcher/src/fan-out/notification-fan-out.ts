import { randomUUID } from 'node:crypto';
import type { Transaction } from 'kysely';
import type { CloudEvent } from '@passerelle/messaging';
import type { Database } from '@passerelle/persistence';
import type { NotificationAttributes } from '../delivery/delivery-store';
import type { AddressedNotification } from './addressed-notification';

/** A live subscription as the fan-out sees it. */
export interface SubscriptionFilter {
  org: string;
  /** The `changes` it asked for; null: every change. */
  changes: readonly string[] | null;
}

/** Whether a subscription gets a notification: its organization is the recipient, and its filter (if any) lists the change. */
export function subscriptionWants(subscription: SubscriptionFilter, notification: AddressedNotification): boolean {
  return (
    subscription.org === notification.recipient &&
    (subscription.changes === null || subscription.changes.includes(notification.change))
  );
}

/**
 * Turns one notification into one pending delivery per live subscription of its recipient that
 * wants its `change`, in the caller's transaction (the inbox row's): a notification is queued
 * exactly once, however often Kafka delivers it. Subscriptions registered later do not get it.
 * Whatever the notification's type: only its `recipient` and `change` matter here.
 */
export class NotificationFanOut {
  /** Returns how many deliveries it queued. */
  async queue(trx: Transaction<Database>, event: CloudEvent, notification: AddressedNotification): Promise<number> {
    const live = await trx
      .selectFrom('webhook_subscription')
      .select(['id', 'org', 'changes'])
      .where('org', '=', notification.recipient)
      .where('deleted_at', 'is', null)
      .execute();
    const subscriptions = live.filter((subscription) => subscriptionWants(subscription, notification));
    if (subscriptions.length === 0) return 0;
    const attributes: NotificationAttributes = {
      id: event.id,
      type: event.type,
      source: event.source,
      ...(event.time !== undefined && { time: event.time }),
      ...(event.subject !== undefined && { subject: event.subject }),
    };
    const body = JSON.stringify(notification.body);
    const now = new Date().toISOString();
    const inserted = await trx
      .insertInto('webhook_delivery')
      .values(
        subscriptions.map(({ id }) => ({
          id: randomUUID(),
          subscription_id: id,
          event_id: event.id,
          event_type: event.type,
          attributes: JSON.stringify(attributes),
          body,
          state: 'pending',
          next_attempt_at: now,
        })),
      )
      .onConflict((oc) => oc.columns(['subscription_id', 'event_id']).doNothing())
      .returning('id')
      .execute();
    return inserted.length;
  }
}
