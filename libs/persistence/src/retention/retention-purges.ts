import { sql, type Kysely } from 'kysely';
import { AuditLog } from '../audit-log';
import type { Database } from '../schema';
import { dormantClientKeys } from './client-key-retention';
import { closedRecords } from './closed-record-retention';
import { affected, inBatches } from './retention-batches';

/** The tables retention purges: it runs over every app's data, like migrations. */
export type RetentionDatabase = Pick<
  Database,
  | 'referral'
  | 'parked_event'
  | 'webhook_delivery'
  | 'webhook_attempt'
  | 'idempotency_key'
  | 'inbox'
  | 'audit_log'
  | 'audit_checkpoint'
  | 'retention_run'
  | 'client_key'
  | 'client_link'
  | 'client_link_conflict'
  | 'timer'
  | 'outcome'
  | 'referral_alert'
  | 'alert_acknowledgement'
>;

/** Rows one purge removed or de-identified, by what they are. */
export type PurgeCounts = Record<string, number>;

/**
 * The SQL of each purge (that of client keys and closed records in their own files). Every
 * `where` is the one of a partial index of migration 0017 or 0019, and rows another transaction
 * holds are skipped (`SKIP LOCKED`): the tracker applying an event to a referral is never waited
 * on, the next run takes what was skipped.
 */
export class RetentionPurges {
  private readonly audit: AuditLog;

  constructor(
    private readonly db: Kysely<RetentionDatabase>,
    private readonly batchRows: number,
  ) {
    this.audit = new AuditLog(db);
  }

  /**
   * Drops the client's personal data from referrals closed (not in an open status) that the ledger
   * has not changed since before `cutoff` (`changed_at`, its own clock: a closing reported late
   * still gets the whole period), and from events parked for them; status, history, codes stay.
   */
  async closedReferralPersonal(cutoff: Date, openStatuses: readonly string[]): Promise<PurgeCounts> {
    const at = cutoff.toISOString();
    const open = sql`${[...openStatuses]}::text[]`;
    // Parked events first: de-identifying a referral moves its changed_at past the cutoff.
    const parked = await inBatches(this.batchRows, async () =>
      affected(
        await sql`
          update parked_event set data = data - 'personal'
          where id in (
            select p.id from parked_event p join referral r on r.referral_id = p.referral_id
            where p.data ? 'personal' and r.changed_at < ${at}::timestamptz and not (r.status = any(${open}))
            limit ${this.batchRows} for update of p skip locked)`.execute(this.db),
      ),
    );
    const referrals = await inBatches(this.batchRows, async () =>
      affected(
        await sql`
          update referral set snapshot = snapshot - 'personal'
          where referral_id in (
            select referral_id from referral
            where snapshot ? 'personal' and changed_at < ${at}::timestamptz and not (status = any(${open}))
            limit ${this.batchRows} for update skip locked)`.execute(this.db),
      ),
    );
    return { referrals, parkedEvents: parked };
  }

  /** Destroys dormant clients' data keys and drops their links (`client-key-retention.ts`). */
  clientKeys(cutoff: Date, openStatuses: readonly string[]): Promise<PurgeCounts> {
    return dormantClientKeys(this.db, this.batchRows, cutoff, openStatuses);
  }

  /** Deletes timers, link conflicts and alerts done before `cutoff` (`closed-record-retention.ts`). */
  closedRecords(cutoff: Date): Promise<PurgeCounts> {
    return closedRecords(this.db, this.batchRows, cutoff);
  }

  /** Deletes deliveries that ended (delivered, failed, cancelled) before `cutoff`, with their attempts. */
  async webhookDeliveries(cutoff: Date): Promise<PurgeCounts> {
    let attempts = 0;
    const deliveries = await inBatches(this.batchRows, async () => {
      const { rows } = await sql<{ deliveries: number; attempts: number }>`
        with due as (
          select id from webhook_delivery
          where state <> 'pending' and completed_at < ${cutoff.toISOString()}::timestamptz
          limit ${this.batchRows} for update skip locked),
        gone_attempts as (delete from webhook_attempt where delivery_id in (select id from due) returning 1),
        gone as (delete from webhook_delivery where id in (select id from due) returning 1)
        select (select count(*) from gone)::int as deliveries, (select count(*) from gone_attempts)::int as attempts`.execute(
        this.db,
      );
      attempts += rows[0].attempts;
      return rows[0].deliveries;
    });
    return { deliveries, attempts };
  }

  /** Deletes idempotency keys (and their kept answers) of requests started before `cutoff`. */
  async idempotencyKeys(cutoff: Date): Promise<PurgeCounts> {
    const keys = await inBatches(this.batchRows, async () =>
      affected(
        await sql`
          delete from idempotency_key where (org, idempotency_key) in (
            select org, idempotency_key from idempotency_key where started_at < ${cutoff.toISOString()}::timestamptz
            limit ${this.batchRows} for update skip locked)`.execute(this.db),
      ),
    );
    return { keys };
  }

  /** Forgets event ids applied before `cutoff` (no topic still holds those events). */
  async inbox(cutoff: Date): Promise<PurgeCounts> {
    const events = await inBatches(this.batchRows, async () =>
      affected(
        await sql`
          delete from inbox where (consumer, event_id) in (
            select consumer, event_id from inbox where applied_at < ${cutoff.toISOString()}::timestamptz
            limit ${this.batchRows} for update skip locked)`.execute(this.db),
      ),
    );
    return { events };
  }

  /** Deletes the oldest audit entries written before `cutoff`, leaving a checkpoint per batch. */
  async auditLog(cutoff: Date): Promise<PurgeCounts> {
    return { entries: await inBatches(this.batchRows, () => this.audit.purgeBefore(cutoff, this.batchRows)) };
  }

  /** Deletes the job's own log of runs of slots before `cutoff` (one a crashed replica left unfinished too). */
  async retentionRuns(cutoff: Date): Promise<PurgeCounts> {
    const runs = await inBatches(this.batchRows, async () =>
      affected(
        await sql`
          delete from retention_run where slot in (
            select slot from retention_run where slot < ${cutoff.toISOString()}::timestamptz
            limit ${this.batchRows})`.execute(this.db),
      ),
    );
    return { runs };
  }
}
