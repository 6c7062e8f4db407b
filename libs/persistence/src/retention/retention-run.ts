import { sql, type Kysely } from 'kysely';
import { AuditLog, type AuditEntry } from '../audit-log';
import { retentionCutoffs, retentionSlot, type RetentionKind, type RetentionPolicy } from './retention-policy';
import { RetentionPurges, type PurgeCounts, type RetentionDatabase } from './retention-purges';

export interface RetentionRunOptions {
  policy: RetentionPolicy;
  /** Rows per purge statement. */
  batchRows: number;
  /** The schedule's interval: a run is claimed once per slot of this length. */
  intervalMs: number;
  /** Referral statuses that are not closed (from `libs/lifecycle`): persistence holds no lifecycle rule. */
  openReferralStatuses: readonly string[];
}

/** What one run purged: per kind, its cutoff and the rows it removed or de-identified. */
export interface RetentionReport {
  slot: string;
  now: string;
  purged: { kind: RetentionKind; cutoff: string; rows: PurgeCounts }[];
}

/** Who the retention job's own audit entries name. */
export const RETENTION_AUDIT_ORG = 'passerelle';
export const RETENTION_AUDIT_SUBJECT = 'retention-job';

/**
 * One retention run: every kind of data past its cutoff (README, "Retention") purged in short
 * batches, then the run itself audited (one entry per kind: cutoff and rows) and recorded.
 *
 * Once across replicas: a run claims its schedule slot (`retention_run`, one row per slot), so of
 * the replicas that tick within one interval only the first purges; and it holds a session
 * advisory lock of its schema while it works, so a run that outlasts its slot is never joined by
 * the next one.
 */
export class RetentionRun {
  private readonly purges: RetentionPurges;
  private readonly audit: AuditLog;

  constructor(
    private readonly db: Kysely<RetentionDatabase>,
    private readonly options: RetentionRunOptions,
  ) {
    this.purges = new RetentionPurges(db, options.batchRows);
    this.audit = new AuditLog(db);
  }

  /** Runs the slot of `now`, unless another run holds or already ran it (then `undefined`). */
  async run(now: Date = new Date()): Promise<RetentionReport | undefined> {
    const slot = retentionSlot(now, this.options.intervalMs);
    // The lock is a session's: it and its release go over one connection, the purges over the pool.
    return this.db.connection().execute(async (session) => {
      const lock = sql`hashtextextended(current_schema() || '.retention', 0)`;
      const { rows } = await sql<{ locked: boolean }>`select pg_try_advisory_lock(${lock}) as locked`.execute(session);
      if (!rows[0].locked) return undefined;
      try {
        const claimed = await sql`insert into retention_run (slot) values (${slot.toISOString()}::timestamptz)
          on conflict do nothing`.execute(session);
        if (Number(claimed.numAffectedRows ?? 0n) === 0) return undefined;
        let report: RetentionReport;
        try {
          report = await this.purge(now, slot);
        } catch (error) {
          // Free the slot for the retry: what was purged stays purged, the rest is found again.
          await sql`delete from retention_run where slot = ${slot.toISOString()}::timestamptz`.execute(session);
          throw error;
        }
        await sql`update retention_run set finished_at = now(), report = ${JSON.stringify(report)}::jsonb
          where slot = ${slot.toISOString()}::timestamptz`.execute(session);
        return report;
      } finally {
        await sql`select pg_advisory_unlock(${lock})`.execute(session);
      }
    });
  }

  private async purge(now: Date, slot: Date): Promise<RetentionReport> {
    const cutoffs = retentionCutoffs(now, this.options.policy);
    const purged: RetentionReport['purged'] = [];
    for (const [kind, cutoff] of Object.entries(cutoffs) as [RetentionKind, Date][]) {
      purged.push({ kind, cutoff: cutoff.toISOString(), rows: await this.purgeKind(kind, cutoff) });
    }
    await this.audit.append(purged.map(auditEntryOf));
    return { slot: slot.toISOString(), now: now.toISOString(), purged };
  }

  private purgeKind(kind: RetentionKind, cutoff: Date): Promise<PurgeCounts> {
    switch (kind) {
      case 'closed-referral-personal':
        return this.purges.closedReferralPersonal(cutoff, this.options.openReferralStatuses);
      case 'client-keys':
        return this.purges.clientKeys(cutoff, this.options.openReferralStatuses);
      case 'webhook-deliveries':
        return this.purges.webhookDeliveries(cutoff);
      case 'idempotency-keys':
        return this.purges.idempotencyKeys(cutoff);
      case 'inbox':
        return this.purges.inbox(cutoff);
      case 'closed-records':
        return this.purges.closedRecords(cutoff);
      case 'audit-log':
        return this.purges.auditLog(cutoff);
      case 'retention-runs':
        return this.purges.retentionRuns(cutoff);
    }
  }
}

/** A run's audit entry for one kind: what went (`resource`), why (`purpose`), with cutoff and counts. */
function auditEntryOf({ kind, cutoff, rows }: RetentionReport['purged'][number]): AuditEntry {
  const counts = Object.entries(rows)
    .map(([what, n]) => `${what}=${n}`)
    .join('&');
  return {
    org: RETENTION_AUDIT_ORG,
    subject: RETENTION_AUDIT_SUBJECT,
    action: 'write',
    resource: `retention/${kind}?cutoff=${cutoff}&${counts}`,
    purpose: 'retention',
  };
}
