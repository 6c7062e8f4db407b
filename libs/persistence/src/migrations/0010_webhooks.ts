import { sql, type Kysely } from 'kysely';

/**
 * Status webhooks: the subscriptions organizations register through the gateway, one delivery
 * per (subscription, notification) written by the webhook dispatcher with its inbox row, and the
 * log of every attempt to deliver it (what the organization reads back).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('webhook_subscription')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('org', 'text', (c) => c.notNull())
    .addColumn('url', 'text', (c) => c.notNull())
    // null: every change; otherwise only these `change` values of the notification.
    .addColumn('changes', sql`text[]`)
    .addColumn('description', 'text')
    // Signing secret; erased when the subscription is deleted.
    .addColumn('secret', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('deleted_at', 'timestamptz')
    .execute();
  await sql`create index webhook_subscription_live_by_org on webhook_subscription (org, created_at) where deleted_at is null`.execute(
    db,
  );

  await db.schema
    .createTable('webhook_delivery')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    // Keyset order of the delivery log (timestamps alone may tie).
    .addColumn('seq', 'bigserial', (c) => c.notNull().unique())
    .addColumn('subscription_id', 'uuid', (c) => c.notNull().references('webhook_subscription.id'))
    .addColumn('event_id', 'text', (c) => c.notNull())
    .addColumn('event_type', 'text', (c) => c.notNull())
    // CloudEvent attributes of the notification (sent as ce-* headers) and the exact body bytes.
    .addColumn('attributes', 'jsonb', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('next_attempt_at', 'timestamptz')
    // Who holds the delivery while its POST is in flight (the lease ends at next_attempt_at).
    .addColumn('lease_token', 'uuid')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('completed_at', 'timestamptz')
    .addUniqueConstraint('webhook_delivery_once', ['subscription_id', 'event_id'])
    .addCheckConstraint('webhook_delivery_state', sql`state in ('pending', 'delivered', 'failed', 'cancelled')`)
    .execute();
  await db.schema
    .createIndex('webhook_delivery_by_subscription')
    .on('webhook_delivery')
    .columns(['subscription_id', 'seq'])
    .execute();
  await sql`create index webhook_delivery_due on webhook_delivery (next_attempt_at) where state = 'pending'`.execute(
    db,
  );

  await db.schema
    .createTable('webhook_attempt')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('delivery_id', 'uuid', (c) => c.notNull().references('webhook_delivery.id'))
    .addColumn('attempt', 'integer', (c) => c.notNull())
    .addColumn('attempted_at', 'timestamptz', (c) => c.notNull())
    .addColumn('duration_ms', 'integer', (c) => c.notNull())
    .addColumn('status_code', 'integer')
    .addColumn('error', 'text')
    .addColumn('outcome', 'text', (c) => c.notNull())
    .addColumn('next_attempt_at', 'timestamptz')
    .addCheckConstraint('webhook_attempt_outcome', sql`outcome in ('delivered', 'retry', 'failed')`)
    .execute();
  await db.schema
    .createIndex('webhook_attempt_by_delivery')
    .on('webhook_attempt')
    .columns(['delivery_id', 'attempt'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('webhook_attempt').execute();
  await db.schema.dropTable('webhook_delivery').execute();
  await db.schema.dropTable('webhook_subscription').execute();
}
