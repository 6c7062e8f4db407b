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

/**
 * The hash-chained audit log of personal-data access (append-only: a trigger refuses UPDATE and
 * DELETE). `verify` recomputes the chain and names the first row that does not fit.
 *
 * Appends are group-committed: the chain forces them through one lock, so appends that arrive
 * while one is being written go together in the next `audit_append` call (one statement: lock,
 * chain's end, hashes and inserts in the database), keeping that lock from capping throughput.
 */
export class AuditLog {
  private readonly appends: GroupCommit<AuditEntry[]>;

  constructor(private readonly db: Kysely<Pick<SharedTables, 'audit_log'>>) {
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

  /** Recomputes the whole chain: `ok`, or the first row (by seq) whose hash or link does not hold. */
  async verify(): Promise<{ ok: true; rows: number } | { ok: false; brokenAt: string; reason: string }> {
    const rows = await this.db.selectFrom('audit_log').selectAll().orderBy('seq').execute();
    let prev = GENESIS;
    for (const r of rows) {
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
      if (chainHash(prev, r.at.toISOString(), entry) !== r.hash)
        return { ok: false, brokenAt: r.seq, reason: 'its content does not match its hash (it was changed)' };
      prev = r.hash;
    }
    return { ok: true, rows: rows.length };
  }
}

/** The row hash `audit_append` (migration 0013) computes in the database, recomputed here to verify. */
function chainHash(prev: string, at: string, e: AuditEntry): string {
  return createHash('sha256')
    .update(JSON.stringify([prev, at, e.org, e.subject, e.action, e.resource, e.purpose, e.clientId ?? null]))
    .digest('hex');
}
