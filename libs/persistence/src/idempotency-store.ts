import { sql, type Kysely } from 'kysely';
import type { Database } from './schema';

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
 */
export class IdempotencyStore {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly staleAfterMs = 60_000,
  ) {}

  async claim(org: string, key: string, requestHash: string): Promise<IdempotencyClaim> {
    const inserted = await this.db
      .insertInto('idempotency_key')
      .values({ org, idempotency_key: key, request_hash: requestHash, state: 'running' })
      .onConflict((oc) => oc.columns(['org', 'idempotency_key']).doNothing())
      .returning('org')
      .executeTakeFirst();
    if (inserted) return { kind: 'new' };
    const row = await this.db.selectFrom('idempotency_key').selectAll().where('org', '=', org).where('idempotency_key', '=', key).executeTakeFirst();
    if (!row) return this.claim(org, key, requestHash); // abandoned between the two statements
    if (row.request_hash !== requestHash) return { kind: 'mismatch' };
    if (row.state === 'done' && row.response_status !== null) {
      return { kind: 'replay', response: { status: row.response_status, body: row.response_body, headers: (row.response_headers ?? {}) as Record<string, string> } };
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

  async complete(org: string, key: string, response: StoredResponse): Promise<void> {
    await this.db
      .updateTable('idempotency_key')
      .set({
        state: 'done',
        response_status: response.status,
        response_body: JSON.stringify(response.body),
        response_headers: JSON.stringify(response.headers),
        completed_at: new Date().toISOString(),
      })
      .where('org', '=', org)
      .where('idempotency_key', '=', key)
      .execute();
  }

  /** The request failed without an answer worth keeping (e.g. Kafka down): the key is free again. */
  async release(org: string, key: string): Promise<void> {
    await this.db.deleteFrom('idempotency_key').where('org', '=', org).where('idempotency_key', '=', key).where('state', '=', 'running').execute();
  }
}
