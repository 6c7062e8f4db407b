import { sql, type Insertable, type Kysely } from 'kysely';
import type { GroupCommit } from './group-commit';
import { auditAppendEntry, type AuditEntry } from './audit-log';
import type { GatewayTables, ReferralSubmissionTable, SharedTables } from './schema';
import { sharedGroupCommit } from './shared-group-commit';

/** A response kept for replay. */
export interface StoredResponse {
  status: number;
  body: unknown;
  headers: Record<string, string>;
}

export type IdempotencyClaim =
  | { kind: 'new' }
  | { kind: 'replay'; response: StoredResponse }
  /** The first request with this key is still being answered. */
  | { kind: 'in-progress' }
  /** The key was used with another request body. */
  | { kind: 'mismatch' };

/**
 * `Idempotency-Key` in PostgreSQL, per organization: the first request claims the key (atomic
 * insert), its answer is stored for replay; a retry with the same body gets that answer, one with
 * another body a mismatch, one while the first runs an in-progress. A claim whose request died
 * (no answer after `staleAfterMs`) may be taken over, so a crash never locks a key forever.
 * Claims and answers are group-committed: those that arrive while one statement runs go in the
 * next together (an HTTP request pays two short statements, shared with its neighbours).
 */
/** The tables the store writes: its keys, and the effects an answer commits with. */
export type IdempotencyTables = Pick<SharedTables, 'idempotency_key' | 'audit_log'> &
  Pick<GatewayTables, 'referral_submission'>;

export class IdempotencyStore {
  private readonly claims: GroupCommit<Claim>;
  private readonly answers: GroupCommit<Answer>;

  constructor(
    private readonly db: Kysely<IdempotencyTables>,
    private readonly staleAfterMs = 60_000,
  ) {
    this.claims = sharedGroupCommit<Claim>(db, 'idempotency-claims', (claims) => insertClaims(db, claims));
    this.answers = sharedGroupCommit<Answer>(db, 'idempotency-answers', (answers) => writeAnswers(db, answers));
  }

  async claim(org: string, key: string, requestHash: string): Promise<IdempotencyClaim> {
    const claim: Claim = { org, key, requestHash, inserted: false };
    await this.claims.submit(claim);
    if (claim.inserted) return { kind: 'new' };
    const row = await this.db
      .selectFrom('idempotency_key')
      .selectAll()
      .where('org', '=', org)
      .where('idempotency_key', '=', key)
      .executeTakeFirst();
    if (!row) return this.claim(org, key, requestHash); // abandoned between the two statements
    if (row.request_hash !== requestHash) return { kind: 'mismatch' };
    if (row.state === 'done' && row.response_status !== null) {
      return {
        kind: 'replay',
        response: {
          status: row.response_status,
          body: row.response_body,
          headers: (row.response_headers ?? {}) as Record<string, string>,
        },
      };
    }
    const takenOver = await this.db
      .updateTable('idempotency_key')
      .set({ started_at: new Date().toISOString() })
      .where('org', '=', org)
      .where('idempotency_key', '=', key)
      .where('state', '=', 'running')
      .where('started_at', '<', sql<Date>`now() - make_interval(secs => ${this.staleAfterMs / 1000})`)
      .executeTakeFirst();
    return Number(takenOver.numUpdatedRows) > 0 ? { kind: 'new' } : { kind: 'in-progress' };
  }

  /**
   * Keeps the answer for replay, with what the request wrote (`effects`): all are committed
   * together, in one statement, and this resolves once they are. The claim before it commits
   * without waiting for the disk (see `insertClaims`): this commit's flush covers it.
   */
  complete(org: string, key: string, response: StoredResponse, effects: AnswerEffects = {}): Promise<void> {
    return this.answers.submit({
      org,
      key,
      response,
      audit: effects.audit ?? [],
      referralSubmissions: effects.referralSubmissions ?? [],
    });
  }

  /** The request failed without an answer worth keeping (e.g. Kafka down): the key is free again. */
  async release(org: string, key: string): Promise<void> {
    await this.db
      .deleteFrom('idempotency_key')
      .where('org', '=', org)
      .where('idempotency_key', '=', key)
      .where('state', '=', 'running')
      .execute();
  }
}

interface Claim {
  org: string;
  key: string;
  requestHash: string;
  /** Set by the write: this request holds the key. */
  inserted: boolean;
}

/**
 * Every claim of a group in one insert; those whose key already exists are left `inserted:
 * false` for the caller to look at. A key twice in one group: the first claims it, the second is
 * left to find it taken, as if it had come a moment later.
 *
 * The claim commits with `synchronous_commit` off: it is visible to every other request at once,
 * only its flush to disk is left to the answer's commit, which flushes the log up to itself and
 * so past the claim. A claim lost in a crash before that is a request that never got an answer:
 * its retry claims the key again, as it would after a crash before the claim.
 */
async function insertClaims(db: Kysely<IdempotencyTables>, claims: Claim[]): Promise<void> {
  const first = new Map<string, Claim>();
  for (const claim of claims) {
    const id = JSON.stringify([claim.org, claim.key]);
    if (!first.has(id)) first.set(id, claim);
  }
  const claimed = [...first.values()];
  // unnest of arrays, not jsonb_to_recordset: the planner sees how many rows come (not a fixed 100).
  const inserted = await sql<{ org: string; idempotency_key: string }>`
    insert into idempotency_key (org, idempotency_key, request_hash, state)
    select c.org, c.key, c.hash, 'running'
    from (select set_config('synchronous_commit', 'off', true)) as relaxed, unnest(${claimed.map((c) => c.org)}::text[], ${claimed.map((c) => c.key)}::text[], ${claimed.map((c) => c.requestHash)}::text[]) as c(org, key, hash)
    on conflict (org, idempotency_key) do nothing
    returning org, idempotency_key`.execute(db);
  for (const row of inserted.rows) {
    const claim = first.get(JSON.stringify([row.org, row.idempotency_key]));
    if (claim) claim.inserted = true;
  }
}

/**
 * What a request wrote, to commit with its kept answer: a small set of named, typed effects (the
 * store knows each table it writes; callers never name tables or columns).
 */
export interface AnswerEffects {
  /** Audit entries of the personal data it touched (chained by `audit_append`). */
  audit?: AuditEntry[];
  /**
   * Referrals a `202` promises can be read at once. A submission already recorded (a replay of
   * the same referral under another key) is left as it is.
   */
  referralSubmissions?: Insertable<ReferralSubmissionTable>[];
}

interface Answer {
  org: string;
  key: string;
  response: StoredResponse;
  audit: AuditEntry[];
  referralSubmissions: Insertable<ReferralSubmissionTable>[];
}

/**
 * Every answer of a group in one UPDATE, matched to its claim by org and key, and in the same
 * statement (one transaction) the group's effects: a request's answer is never kept without what
 * it wrote, nor the other way round.
 */
async function writeAnswers(db: Kysely<IdempotencyTables>, answers: Answer[]): Promise<void> {
  const audit = answers.flatMap((a) => a.audit).map(auditAppendEntry);
  const submissions = answers.flatMap((a) => a.referralSubmissions);
  // unnest of arrays, not jsonb_to_recordset, whose fixed 100-row estimate made the planner scan
  // the whole table instead of looking each key up.
  const update = sql`
    update idempotency_key as k
    set state = 'done', response_status = a.status, response_body = a.body::jsonb, response_headers = a.headers::jsonb, completed_at = now()
    from unnest(
      ${answers.map((a) => a.org)}::text[], ${answers.map((a) => a.key)}::text[], ${answers.map((a) => a.response.status)}::integer[],
      ${answers.map((a) => JSON.stringify(a.response.body ?? null))}::text[], ${answers.map((a) => JSON.stringify(a.response.headers))}::text[]
    ) as a(org, key, status, body, headers)
    where k.org = a.org and k.idempotency_key = a.key`;
  const effects =
    submissions.length > 0
      ? [
          sql`submitted as (${db
            .insertInto('referral_submission')
            .values(submissions)
            .onConflict((conflict) => conflict.column('referral_id').doNothing())})`,
        ]
      : [];
  if (audit.length === 0 && effects.length === 0) {
    await update.execute(db);
    return;
  }
  // Only a group with audit entries takes the audit chain's lock.
  const tail = audit.length > 0 ? sql`select audit_append(${JSON.stringify(audit)}::jsonb)` : sql`select 1`;
  await sql`with ${sql.join([sql`answered as (${update} returning 1)`, ...effects])} ${tail}`.execute(db);
}
