import { createHash } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { Database } from './schema';

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
/** One appender at a time: each row chains onto the one before it. */
const AUDIT_LOCK = 7_402_915_118_220_077n;

/** Rows per INSERT: 9 parameters a row stays far under PostgreSQL's 65,535. */
const INSERT_ROWS = 1_000;

interface PendingAppend {
  entries: AuditEntry[];
  done: () => void;
  failed: (error: unknown) => void;
}

/**
 * Group commit for one database: appends that arrive while a write is running wait for it, then
 * go together in the next transaction (one lock, one read of the chain's end, one insert). The
 * chain forces appends through one lock; batching them keeps that lock from capping throughput.
 */
class AuditAppender {
  private queue: PendingAppend[] = [];
  private writing = false;

  constructor(private readonly db: Kysely<Database>) {}

  append(entries: AuditEntry[]): Promise<void> {
    return new Promise((done, failed) => {
      this.queue.push({ entries, done, failed });
      if (!this.writing) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.writing = true;
    while (this.queue.length > 0) {
      const batch = this.queue;
      this.queue = [];
      try {
        await this.write(batch.flatMap((p) => p.entries));
        for (const p of batch) p.done();
      } catch (error) {
        // Nothing of the batch was written (one transaction): each caller learns it and may retry.
        for (const p of batch) p.failed(error);
      }
    }
    this.writing = false;
  }

  private async write(entries: AuditEntry[]): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await sql`select pg_advisory_xact_lock(${AUDIT_LOCK.toString()}::bigint)`.execute(trx);
      const last = await trx.selectFrom('audit_log').select('hash').orderBy('seq', 'desc').limit(1).executeTakeFirst();
      let prev = last?.hash ?? GENESIS;
      const rows = entries.map((entry) => {
        const at = new Date().toISOString();
        const hash = chainHash(prev, at, entry);
        const row = { at, org: entry.org, subject: entry.subject, action: entry.action, resource: entry.resource, purpose: entry.purpose, client_id: entry.clientId ?? null, prev_hash: prev, hash };
        prev = hash;
        return row;
      });
      // One VALUES list takes its sequence numbers in list order, so seq order is chain order.
      for (let at = 0; at < rows.length; at += INSERT_ROWS) await trx.insertInto('audit_log').values(rows.slice(at, at + INSERT_ROWS)).execute();
    });
  }
}

const appenders = new WeakMap<Kysely<Database>, AuditAppender>();

/**
 * The hash-chained audit log of personal-data access (append-only: a trigger refuses UPDATE and
 * DELETE). `verify` recomputes the chain and names the first row that does not fit.
 */
export class AuditLog {
  constructor(private readonly db: Kysely<Database>) {}

  /** Resolves once the entries are committed (with whatever else was appended meanwhile). */
  append(entries: AuditEntry[]): Promise<void> {
    if (entries.length === 0) return Promise.resolve();
    let appender = appenders.get(this.db);
    if (!appender) {
      appender = new AuditAppender(this.db);
      appenders.set(this.db, appender);
    }
    return appender.append(entries);
  }

  /** An organization's own entries, oldest first, after `afterSeq`. */
  async entriesOf(org: string, afterSeq: string | undefined, limit: number): Promise<AuditRecord[]> {
    let query = this.db.selectFrom('audit_log').selectAll().where('org', '=', org);
    if (afterSeq !== undefined) query = query.where('seq', '>', afterSeq);
    const rows = await query.orderBy('seq').limit(limit).execute();
    return rows.map((r) => ({
      seq: String(r.seq),
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
      if (r.prev_hash !== prev) return { ok: false, brokenAt: String(r.seq), reason: 'does not follow the row before it (a row was removed or inserted)' };
      const entry: AuditEntry = { org: r.org, subject: r.subject, action: r.action as AuditEntry['action'], resource: r.resource, purpose: r.purpose, ...(r.client_id !== null && { clientId: r.client_id }) };
      if (chainHash(prev, r.at.toISOString(), entry) !== r.hash) return { ok: false, brokenAt: String(r.seq), reason: 'its content does not match its hash (it was changed)' };
      prev = r.hash;
    }
    return { ok: true, rows: rows.length };
  }
}

function chainHash(prev: string, at: string, e: AuditEntry): string {
  return createHash('sha256')
    .update(JSON.stringify([prev, at, e.org, e.subject, e.action, e.resource, e.purpose, e.clientId ?? null]))
    .digest('hex');
}
