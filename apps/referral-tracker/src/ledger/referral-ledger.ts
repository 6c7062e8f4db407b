import { sql, type Transaction } from 'kysely';
import type { Consent, Referral } from '@passerelle/contracts';
import type { Database } from '@passerelle/persistence';

type Trx = Transaction<Database>;

/** One status change as the history keeps it. */
export interface HistoryEntry {
  referralId: string;
  fromStatus: Referral['status'] | null;
  toStatus: Referral['status'];
  businessStatus: Referral['businessStatus'];
  actor: 'referrer' | 'provider' | 'system';
  actorOrg: string;
  reason?: Referral['statusReason'] | { code: string; text: string };
  eventId: string;
  occurredAt: string;
}

export interface StoredConsent {
  consentId: string;
  clientId: string;
  purpose: string;
  recipients: string[];
  grantedAt: Date;
  expiresOn: Date | null;
  withdrawnAt: Date | null;
}

/**
 * PostgreSQL side of the referral tracker: referrals (current snapshot), their history and the
 * consents that allow routing. Every method runs in the caller's transaction, the one that also
 * holds the inbox row and the outbox rows of the change.
 */
export class ReferralLedger {
  /**
   * Serializes everything about one referral, even before its row exists: the transaction that
   * records a referral and one that finds it missing and parks an event for it never interleave,
   * so a parked event is always seen by the recording transaction, or sees the referral.
   */
  async lockReferral(trx: Trx, referralId: string): Promise<void> {
    await sql`select pg_advisory_xact_lock(hashtextextended(${referralId}, 0))`.execute(trx);
  }

  /**
   * The referral if nobody else holds it right now (`busy` otherwise): for timers, which hold
   * timer rows and must not wait on an event's transaction that may want those rows.
   */
  async referralIfFree(trx: Trx, referralId: string): Promise<Referral | undefined | 'busy'> {
    const { rows } = await sql<{ locked: boolean }>`select pg_try_advisory_xact_lock(hashtextextended(${referralId}, 0)) as locked`.execute(trx);
    if (!rows[0]?.locked) return 'busy';
    const row = await trx.selectFrom('referral').select('snapshot').where('referral_id', '=', referralId).forUpdate().skipLocked().executeTakeFirst();
    if (row) return row.snapshot as Referral;
    const exists = await trx.selectFrom('referral').select('referral_id').where('referral_id', '=', referralId).executeTakeFirst();
    return exists ? 'busy' : undefined;
  }

  /** The referral, locked for the rest of the transaction (concurrent changes queue up). */
  async referralForUpdate(trx: Trx, referralId: string): Promise<Referral | undefined> {
    await this.lockReferral(trx, referralId);
    const row = await trx.selectFrom('referral').select('snapshot').where('referral_id', '=', referralId).forUpdate().executeTakeFirst();
    return row?.snapshot as Referral | undefined;
  }

  /** Referrals of a client in the given statuses, locked, oldest first. */
  async referralsOfClient(trx: Trx, clientId: string, statuses: readonly string[]): Promise<Referral[]> {
    if (statuses.length === 0) return [];
    const rows = await trx
      .selectFrom('referral')
      .select('snapshot')
      .where('client_id', '=', clientId)
      .where('status', 'in', [...statuses])
      .orderBy('requested_at')
      .orderBy('referral_id')
      .forUpdate()
      .execute();
    return rows.map((r) => r.snapshot as Referral);
  }

  async insert(trx: Trx, referral: Referral): Promise<void> {
    await trx
      .insertInto('referral')
      .values({
        referral_id: referral.referralId,
        client_id: referral.clientId,
        referrer: referral.referrer,
        provider: referral.provider ?? null,
        status: referral.status,
        business_status: referral.businessStatus,
        consent_id: referral.consentId,
        requested_at: referral.requestedAt,
        updated_at: referral.updatedAt,
        snapshot: JSON.stringify(referral),
      })
      .execute();
  }

  async update(trx: Trx, referral: Referral): Promise<void> {
    await trx
      .updateTable('referral')
      .set((eb) => ({
        provider: referral.provider ?? null,
        status: referral.status,
        business_status: referral.businessStatus,
        updated_at: referral.updatedAt,
        snapshot: JSON.stringify(referral),
        version: eb('version', '+', 1),
      }))
      .where('referral_id', '=', referral.referralId)
      .execute();
  }

  async record(trx: Trx, entry: HistoryEntry): Promise<void> {
    await trx
      .insertInto('referral_history')
      .values({
        referral_id: entry.referralId,
        from_status: entry.fromStatus,
        to_status: entry.toStatus,
        business_status: entry.businessStatus,
        actor: entry.actor,
        actor_org: entry.actorOrg,
        reason: entry.reason === undefined ? null : JSON.stringify(entry.reason),
        event_id: entry.eventId,
        occurred_at: entry.occurredAt,
      })
      .execute();
  }

  async history(trx: Trx, referralId: string): Promise<HistoryEntry[]> {
    const rows = await trx.selectFrom('referral_history').selectAll().where('referral_id', '=', referralId).orderBy('id').execute();
    return rows.map((r) => ({
      referralId: r.referral_id,
      fromStatus: r.from_status as Referral['status'] | null,
      toStatus: r.to_status as Referral['status'],
      businessStatus: r.business_status as Referral['businessStatus'],
      actor: r.actor as HistoryEntry['actor'],
      actorOrg: r.actor_org,
      ...(r.reason !== null && { reason: r.reason as HistoryEntry['reason'] }),
      eventId: r.event_id,
      occurredAt: r.occurred_at.toISOString(),
    }));
  }

  /** Keeps an event about a referral not seen yet, to apply when it is recorded. */
  async park(trx: Trx, referralId: string, event: { type: string; data: unknown; cause: { eventId: string; correlationId?: string; occurredAt: string } }): Promise<void> {
    await trx
      .insertInto('parked_event')
      .values({ referral_id: referralId, event_type: event.type, data: JSON.stringify(event.data), cause: JSON.stringify(event.cause), event_time: event.cause.occurredAt })
      .execute();
  }

  /** Referrals of a client that are routed and have parked events waiting. */
  async routedWithParkedEvents(trx: Trx, clientId: string): Promise<string[]> {
    const rows = await trx
      .selectFrom('parked_event')
      .innerJoin('referral', 'referral.referral_id', 'parked_event.referral_id')
      .select('parked_event.referral_id')
      .distinct()
      .where('referral.client_id', '=', clientId)
      .where('referral.provider', 'is not', null)
      .execute();
    return rows.map((r) => r.referral_id).sort();
  }

  /** The events parked for a referral, oldest event first, removed from the parking. */
  async unpark(trx: Trx, referralId: string): Promise<Array<{ type: string; data: unknown; cause: { eventId: string; correlationId?: string; occurredAt: string } }>> {
    const rows = await trx.deleteFrom('parked_event').where('referral_id', '=', referralId).returning(['id', 'event_type', 'data', 'cause', 'event_time']).execute();
    return rows
      .sort((a, b) => a.event_time.getTime() - b.event_time.getTime() || Number(a.id) - Number(b.id))
      .map((r) => ({ type: r.event_type, data: r.data, cause: r.cause as { eventId: string; correlationId?: string; occurredAt: string } }));
  }

  /** Keeps the latest word on a consent: a grant never undoes a withdrawal already recorded. */
  async saveConsent(trx: Trx, consent: Consent): Promise<void> {
    await trx
      .insertInto('consent')
      .values({
        consent_id: consent.consentId,
        client_id: consent.clientId,
        purpose: consent.purpose,
        recipients: consent.recipients,
        granted_at: consent.grantedAt,
        expires_on: consent.expiresOn ?? null,
        withdrawn_at: consent.withdrawnAt ?? null,
        snapshot: JSON.stringify(consent),
      })
      .onConflict((oc) =>
        oc.column('consent_id').doUpdateSet((eb) => ({
          purpose: eb.ref('excluded.purpose'),
          recipients: eb.ref('excluded.recipients'),
          expires_on: eb.ref('excluded.expires_on'),
          withdrawn_at: eb.fn.coalesce('consent.withdrawn_at', 'excluded.withdrawn_at'),
          snapshot: eb.ref('excluded.snapshot'),
        })),
      )
      .execute();
  }

  async consent(trx: Trx, consentId: string): Promise<StoredConsent | undefined> {
    const row = await trx.selectFrom('consent').selectAll().where('consent_id', '=', consentId).executeTakeFirst();
    if (!row) return undefined;
    return {
      consentId: row.consent_id,
      clientId: row.client_id,
      purpose: row.purpose,
      recipients: row.recipients,
      grantedAt: row.granted_at,
      expiresOn: row.expires_on,
      withdrawnAt: row.withdrawn_at,
    };
  }
}
