import { randomUUID } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { Database } from '@passerelle/persistence';

/** CloudEvent attributes of the notification, sent as `ce-*` headers (HTTP binary mode). */
export interface NotificationAttributes {
  id: string;
  type: string;
  source: string;
  time?: string;
  subject?: string;
}

/** A due delivery this process now holds (until `leaseToken` is cleared or its lease ends). */
export interface ClaimedDelivery {
  id: string;
  subscriptionId: string;
  /** null when the subscription was deleted after the delivery was queued. */
  url: string | null;
  secret: string | null;
  attributes: NotificationAttributes;
  body: string;
  /** Number of the attempt about to be made (from 1). */
  attempt: number;
  queuedAt: Date;
  leaseToken: string;
}

export interface AttemptRecord {
  attemptedAt: Date;
  durationMs: number;
  statusCode?: number;
  error?: string;
  outcome: 'delivered' | 'retry' | 'failed';
  nextAttemptAt?: Date;
}

/**
 * The dispatcher's access to deliveries. Claiming is one statement: due rows are locked with
 * `FOR UPDATE SKIP LOCKED` (two replicas never take the same row) and leased by moving
 * `next_attempt_at` past the POST's time limit, so no transaction stays open during the HTTP
 * call and a replica that dies mid-call leaves the delivery to be retried when the lease ends.
 */
export class DeliveryStore {
  constructor(private readonly db: Kysely<Database>) {}

  async claim(limit: number, leaseMs: number): Promise<ClaimedDelivery[]> {
    const token = randomUUID();
    const { rows } = await sql<{
      id: string;
      subscription_id: string;
      url: string;
      secret: string | null;
      deleted_at: Date | null;
      attributes: NotificationAttributes;
      body: string;
      attempts: number;
      created_at: Date;
    }>`
      with due as (
        select id from webhook_delivery
        where state = 'pending' and next_attempt_at <= now()
        order by next_attempt_at
        limit ${limit}
        for update skip locked
      )
      update webhook_delivery d
      set next_attempt_at = now() + make_interval(secs => ${leaseMs / 1000}), lease_token = ${token}
      from due, webhook_subscription s
      where d.id = due.id and s.id = d.subscription_id
      returning d.id, d.subscription_id, s.url, s.secret, s.deleted_at, d.attributes, d.body, d.attempts, d.created_at`.execute(
      this.db,
    );
    return rows.map((row) => ({
      id: row.id,
      subscriptionId: row.subscription_id,
      url: row.deleted_at === null ? row.url : null,
      secret: row.deleted_at === null ? row.secret : null,
      attributes: row.attributes,
      body: row.body,
      attempt: row.attempts + 1,
      queuedAt: row.created_at,
      leaseToken: token,
    }));
  }

  /**
   * Logs the attempt and moves the delivery on (delivered, retry later, failed), in one
   * transaction. The log row is written even when the lease was lost (the subscription deleted
   * meanwhile): the POST did happen.
   */
  async record(delivery: ClaimedDelivery, attempt: AttemptRecord): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await trx
        .insertInto('webhook_attempt')
        .values({
          delivery_id: delivery.id,
          attempt: delivery.attempt,
          attempted_at: attempt.attemptedAt.toISOString(),
          duration_ms: attempt.durationMs,
          status_code: attempt.statusCode ?? null,
          error: attempt.error ?? null,
          outcome: attempt.outcome,
          next_attempt_at: attempt.nextAttemptAt?.toISOString() ?? null,
        })
        .execute();
      const done = attempt.outcome !== 'retry';
      await trx
        .updateTable('webhook_delivery')
        .set({
          state: attempt.outcome === 'retry' ? 'pending' : attempt.outcome,
          attempts: delivery.attempt,
          next_attempt_at: attempt.nextAttemptAt?.toISOString() ?? null,
          completed_at: done ? new Date().toISOString() : null,
          lease_token: null,
        })
        .where('id', '=', delivery.id)
        .where('lease_token', '=', delivery.leaseToken)
        .execute();
    });
  }

  /** The subscription was deleted after this delivery was queued: nothing is sent. */
  async cancel(delivery: ClaimedDelivery): Promise<void> {
    await this.db
      .updateTable('webhook_delivery')
      .set({ state: 'cancelled', completed_at: new Date().toISOString(), next_attempt_at: null, lease_token: null })
      .where('id', '=', delivery.id)
      .where('lease_token', '=', delivery.leaseToken)
      .execute();
  }
}
