import { createHash } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { GroupCommit } from './group-commit';
import type { SharedTables } from './schema';
import { sharedGroupCommit } from './shared-group-commit';

/** One access to personal data: who (org and subject), what, why. */
export interface AuditEntry {
  org: string;
  subject: string;
  /** `read` or `write`. */
  action: 'read' | 'write';
  /** What was touched, e.g. `referral/<id>`. */
  resource: string;
  purpose: string;
  clientId?: string;
}

export interface AuditRecord extends AuditEntry {
  seq: string;
  at: string;
  hash: string;
}

const GENESIS = '0'.repeat(64);
/** An entry as `audit_append(entries jsonb)` (migration 0013) takes it. */
export function auditAppendEntry(e: AuditEntry): Record<keyof AuditEntry, string | null> {
  return {
    org: e.org,
    subject: e.subject,
    action: e.action,
    resource: e.resource,
    purpose: e.purpose,
    clientId: e.clientId ?? null,
  };
}

/** Where a purge of the oldest entries left the chain (migration 0017). */
export interface AuditCheckpoint {
  /** The last purged entry: the first one kept chains onto its hash. */
  throughSeq: string;
  lastHash: string;
  /** Entries purged by every purge so far. */
  deleted: number;
}

export type AuditVerification =
  { ok: true; rows: number; checkpoint?: AuditCheckpoint } | { ok: false; brokenAt: string; reason: string };

/**
 * The hash-chained audit log of personal-data access (append-only: a trigger refuses UPDATE, and
 * DELETE outside `purgeBefore`). `verify` recomputes the chain, from the last purge's checkpoint
 * if there was one, and names the first row that does not fit.
 *
 * Appends are group-committed: the chain forces them through one lock, so appends that arrive
 * while one is being written go together in the next `audit_append` call (one statement: lock,
 * chain's end, hashes and inserts in the database), keeping that lock from capping throughput.
 */
export class AuditLog {
  private readonly appends: GroupCommit<AuditEntry[]>;

  constructor(private readonly db: Kysely<Pick<SharedTables, 'audit_log' | 'audit_checkpoint'>>) {
    this.appends = sharedGroupCommit<AuditEntry[]>(db, 'audit-log', async (groups) => {
      await sql`select audit_append(${JSON.stringify(groups.flat().map(auditAppendEntry))}::jsonb)`.execute(db);
    });
  }

  /** Resolves once the entries are committed (with whatever else was appended meanwhile). */
  append(entries: AuditEntry[]): Promise<void> {
    if (entries.length === 0) return Promise.resolve();
    return this.appends.submit(entries);
  }

  /** An organization's own entries, oldest first, after `afterSeq`. */
  async entriesOf(org: string, afterSeq: string | undefined, limit: number): Promise<AuditRecord[]> {
    let query = this.db.selectFrom('audit_log').selectAll().where('org', '=', org);
    if (afterSeq !== undefined) query = query.where('seq', '>', afterSeq);
    const rows = await query.orderBy('seq').limit(limit).execute();
    return rows.map((r) => ({
      seq: r.seq,
      at: r.at.toISOString(),
      org: r.org,
      subject: r.subject,
      action: r.action as AuditEntry['action'],
      resource: r.resource,
      purpose: r.purpose,
      ...(r.client_id !== null && { clientId: r.client_id }),
      hash: r.hash,
    }));
  }

  /**
   * Deletes up to `maxRows` of the oldest entries written before `cutoff` (never one after a kept
   * entry: the chain loses a prefix, not a link) and records the checkpoint, in one statement.
   * Returns how many went; call again until 0 for a backlog.
   */
  async purgeBefore(cutoff: Date, maxRows: number): Promise<number> {
    const { rows } = await sql<{
      purged: number;
    }>`select audit_purge(${cutoff.toISOString()}::timestamptz, ${maxRows}::integer) as purged`.execute(this.db);
    return rows[0].purged;
  }

  /** The chain's start after purges: the last checkpoint, with every purge's count. */
  async checkpoint(): Promise<AuditCheckpoint | undefined> {
    const last = await this.db
      .selectFrom('audit_checkpoint')
      .select(['through_seq', 'last_hash'])
      .select((eb) => eb.fn.sum<string>('deleted').over().as('total'))
      .orderBy('id', 'desc')
      .limit(1)
      .executeTakeFirst();
    return last && { throughSeq: last.through_seq, lastHash: last.last_hash, deleted: Number(last.total) };
  }

  /**
   * Recomputes the chain: `ok`, or the first row (by seq) whose hash or link does not hold. After a
   * purge the first row kept must chain onto the checkpoint, and no row may be older than it.
   */
  async verify(): Promise<AuditVerification> {
    const checkpoint = await this.checkpoint();
    const rows = await this.db.selectFrom('audit_log').selectAll().orderBy('seq').execute();
    let prev = checkpoint?.lastHash ?? GENESIS;
    for (const r of rows) {
      if (checkpoint !== undefined && BigInt(r.seq) <= BigInt(checkpoint.throughSeq))
        return { ok: false, brokenAt: r.seq, reason: 'is older than the last purge checkpoint (it was inserted)' };
      if (r.prev_hash !== prev)
        return {
          ok: false,
          brokenAt: r.seq,
          reason: 'does not follow the row before it (a row was removed or inserted)',
        };
      const entry: AuditEntry = {
        org: r.org,
        subject: r.subject,
        action: r.action as AuditEntry['action'],
        resource: r.resource,
        purpose: r.purpose,
        ...(r.client_id !== null && { clientId: r.client_id }),
      };
      if (auditChainHash(prev, r.at.toISOString(), entry) !== r.hash)
        return { ok: false, brokenAt: r.seq, reason: 'its content does not match its hash (it was changed)' };
      prev = r.hash;
    }
    return { ok: true, rows: rows.length, ...(checkpoint && { checkpoint }) };
  }
}

/**
 * The row hash `audit_append` (migrations 0013, 0017) computes in the database, recomputed here
 * to verify (and by tests that lay down a chain at chosen times).
 */
export function auditChainHash(prev: string, at: string, e: AuditEntry): string {
  return createHash('sha256')
    .update(JSON.stringify([prev, at, e.org, e.subject, e.action, e.resource, e.purpose, e.clientId ?? null]))
    .digest('hex');
}
