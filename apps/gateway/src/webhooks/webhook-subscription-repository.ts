import { Inject, Injectable } from '@nestjs/common';
import { sql, type NotNull } from 'kysely';
import { SecretSeal, SecretSealError, type SecretSealErrorCode } from '@passerelle/crypto';
import type { DatabaseHandle, GatewayDatabase } from '@passerelle/persistence';
import { DATABASE } from '../tokens';

export interface SubscriptionRow {
  id: string;
  url: string;
  changes: string[] | null;
  description: string | null;
  createdAt: Date;
}

export interface NewSubscription {
  id: string;
  org: string;
  url: string;
  changes: string[] | null;
  description: string | null;
  secret: string;
}

/** What {@link WebhookSubscriptionRepository.resealSecrets} did. */
export interface ResealReport {
  /** Secrets kept in clear or sealed with a previous key, now sealed with the current one. */
  resealed: number;
  /** Secrets sealed with the current key already. */
  current: number;
  /** Secrets no configured key opens: left as they are. */
  unopened: { id: string; code: SecretSealErrorCode }[];
}

export interface DeliveryRow {
  id: string;
  seq: string;
  eventId: string;
  eventType: string;
  body: string;
  state: string;
  createdAt: Date;
  nextAttemptAt: Date | null;
  completedAt: Date | null;
}

export interface AttemptRow {
  deliveryId: string;
  attempt: number;
  attemptedAt: Date;
  durationMs: number;
  statusCode: number | null;
  error: string | null;
  outcome: string;
  nextAttemptAt: Date | null;
}

const LIVE_COLUMNS = ['id', 'url', 'changes', 'description', 'created_at'] as const;

/**
 * The gateway's access to webhook subscriptions and their delivery log. Every query names the
 * organization: a subscription of another organization is never found.
 */
@Injectable()
export class WebhookSubscriptionRepository {
  constructor(
    @Inject(DATABASE) private readonly database: DatabaseHandle<GatewayDatabase>,
    /** Signing secrets are stored sealed (WEBHOOK_SECRET_KEY), bound to their subscription's id. */
    private readonly secrets: SecretSeal,
  ) {}

  /** Inserts unless the organization already has `limit` live subscriptions (checked under a per-organization lock). */
  async insertWithin(limit: number, subscription: NewSubscription): Promise<SubscriptionRow | 'limit-reached'> {
    return this.database.db.transaction().execute(async (trx) => {
      await sql`select pg_advisory_xact_lock(hashtext(${`webhook-subscriptions:${subscription.org}`}))`.execute(trx);
      const { count } = await trx
        .selectFrom('webhook_subscription')
        .select((eb) => eb.fn.countAll<string>().as('count'))
        .where('org', '=', subscription.org)
        .where('deleted_at', 'is', null)
        .executeTakeFirstOrThrow();
      if (Number(count) >= limit) return 'limit-reached';
      const row = await trx
        .insertInto('webhook_subscription')
        .values({ ...subscription, secret: this.secrets.seal(subscription.secret, subscription.id) })
        .returning(LIVE_COLUMNS)
        .executeTakeFirstOrThrow();
      return toSubscription(row);
    });
  }

  async listLive(org: string): Promise<SubscriptionRow[]> {
    const rows = await this.database.db
      .selectFrom('webhook_subscription')
      .select(LIVE_COLUMNS)
      .where('org', '=', org)
      .where('deleted_at', 'is', null)
      .orderBy('created_at')
      .orderBy('id')
      .execute();
    return rows.map(toSubscription);
  }

  async findLive(org: string, id: string): Promise<SubscriptionRow | undefined> {
    const row = await this.database.db
      .selectFrom('webhook_subscription')
      .select(LIVE_COLUMNS)
      .where('id', '=', id)
      .where('org', '=', org)
      .where('deleted_at', 'is', null)
      .executeTakeFirst();
    return row && toSubscription(row);
  }

  /**
   * Moves every stored signing secret onto the current key (after WEBHOOK_SECRET_KEY was rotated,
   * or first set), in one transaction; a secret no configured key opens is left as it is and
   * named, so the previous key it needs is not dropped unnoticed.
   */
  async resealSecrets(): Promise<ResealReport> {
    return this.database.db.transaction().execute(async (trx) => {
      const rows = await trx
        .selectFrom('webhook_subscription')
        .select(['id', 'secret'])
        .where('secret', 'is not', null)
        .orderBy('id')
        .forUpdate()
        .$narrowType<{ secret: NotNull }>()
        .execute();
      const report: ResealReport = { resealed: 0, current: 0, unopened: [] };
      for (const row of rows) {
        let value: ReturnType<SecretSeal['reseal']>;
        try {
          value = this.secrets.reseal(row.secret, row.id);
        } catch (error) {
          if (!(error instanceof SecretSealError)) throw error;
          report.unopened.push({ id: row.id, code: error.code });
          continue;
        }
        if (value === 'current') {
          report.current += 1;
        } else {
          await trx.updateTable('webhook_subscription').set({ secret: value }).where('id', '=', row.id).execute();
          report.resealed += 1;
        }
      }
      return report;
    });
  }

  /** The signing secret of a live subscription of the organization. */
  async secretOf(org: string, id: string): Promise<string | undefined> {
    const row = await this.database.db
      .selectFrom('webhook_subscription')
      .select(['id', 'secret'])
      .where('id', '=', id)
      .where('org', '=', org)
      .where('deleted_at', 'is', null)
      .executeTakeFirst();
    return row?.secret == null ? undefined : this.secrets.open(row.secret, row.id);
  }

  /**
   * Deletes (keeps the row for the deliveries that name it, erases the secret) and cancels what
   * was still pending, in one transaction. An attempt in flight finds its lease gone and changes
   * nothing but the log. Returns whether there was such a live subscription.
   */
  async delete(org: string, id: string): Promise<boolean> {
    return this.database.db.transaction().execute(async (trx) => {
      const now = new Date().toISOString();
      const deleted = await trx
        .updateTable('webhook_subscription')
        .set({ deleted_at: now, secret: null })
        .where('id', '=', id)
        .where('org', '=', org)
        .where('deleted_at', 'is', null)
        .returning('id')
        .executeTakeFirst();
      if (!deleted) return false;
      await trx
        .updateTable('webhook_delivery')
        .set({ state: 'cancelled', completed_at: now, next_attempt_at: null, lease_token: null })
        .where('subscription_id', '=', id)
        .where('state', '=', 'pending')
        .execute();
      return true;
    });
  }

  /** Deliveries of a subscription, newest first, before `beforeSeq` (keyset), with their attempts. */
  async deliveries(
    subscriptionId: string,
    limit: number,
    beforeSeq?: string,
  ): Promise<{ deliveries: DeliveryRow[]; attempts: AttemptRow[] }> {
    let select = this.database.db
      .selectFrom('webhook_delivery')
      .select(['id', 'seq', 'event_id', 'event_type', 'body', 'state', 'created_at', 'next_attempt_at', 'completed_at'])
      .where('subscription_id', '=', subscriptionId);
    if (beforeSeq !== undefined) select = select.where('seq', '<', beforeSeq);
    const rows = await select.orderBy('seq', 'desc').limit(limit).execute();
    const deliveries = rows.map((r) => ({
      id: r.id,
      seq: r.seq,
      eventId: r.event_id,
      eventType: r.event_type,
      body: r.body,
      state: r.state,
      createdAt: r.created_at,
      nextAttemptAt: r.next_attempt_at,
      completedAt: r.completed_at,
    }));
    if (deliveries.length === 0) return { deliveries, attempts: [] };
    const attempts = await this.database.db
      .selectFrom('webhook_attempt')
      .select([
        'delivery_id',
        'attempt',
        'attempted_at',
        'duration_ms',
        'status_code',
        'error',
        'outcome',
        'next_attempt_at',
      ])
      .where(
        'delivery_id',
        'in',
        deliveries.map((d) => d.id),
      )
      .orderBy('delivery_id')
      .orderBy('attempt')
      .orderBy('id')
      .execute();
    return {
      deliveries,
      attempts: attempts.map((a) => ({
        deliveryId: a.delivery_id,
        attempt: a.attempt,
        attemptedAt: a.attempted_at,
        durationMs: a.duration_ms,
        statusCode: a.status_code,
        error: a.error,
        outcome: a.outcome,
        nextAttemptAt: a.next_attempt_at,
      })),
    };
  }
}

function toSubscription(row: {
  id: string;
  url: string;
  changes: string[] | null;
  description: string | null;
  created_at: Date;
}): SubscriptionRow {
  return { id: row.id, url: row.url, changes: row.changes, description: row.description, createdAt: row.created_at };
}
