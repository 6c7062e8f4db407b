import { randomUUID } from 'node:crypto';
import { sql, type Transaction } from 'kysely';
import type { ReferralNotification } from '@passerelle/contracts';
import type { CloudEvent } from '@passerelle/messaging';
import type { Database } from '@passerelle/persistence';
import type { NotificationAttributes } from '../delivery/delivery-store';

/**
 * Turns one notification into one pending delivery per live subscription of its recipient that
 * wants its `change`, in the caller's transaction (the inbox row's): a notification is queued
 * exactly once, however often Kafka delivers it. Subscriptions registered later do not get it.
 */
export class NotificationFanOut {
  /** Returns how many deliveries it queued. */
  async queue(trx: Transaction<Database>, event: CloudEvent, notification: ReferralNotification): Promise<number> {
    const subscriptions = await trx
      .selectFrom('webhook_subscription')
      .select('id')
      .where('org', '=', notification.recipient)
      .where('deleted_at', 'is', null)
      .where((eb) => eb.or([eb('changes', 'is', null), sql<boolean>`${notification.change} = any(changes)`]))
      .execute();
    if (subscriptions.length === 0) return 0;
    const attributes: NotificationAttributes = {
      id: event.id,
      type: event.type,
      source: event.source,
      ...(event.time !== undefined && { time: event.time }),
      ...(event.subject !== undefined && { subject: event.subject }),
    };
    const body = JSON.stringify(notification);
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
