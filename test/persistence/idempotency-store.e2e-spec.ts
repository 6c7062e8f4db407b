import { sql } from 'kysely';
import { AuditLog, IdempotencyStore, type DatabaseHandle } from '@passerelle/persistence';
import { dropSuiteDatabase, openSuiteDatabase } from '../support/database';

describe('IdempotencyStore on PostgreSQL', () => {
  let database: DatabaseHandle;
  beforeEach(async () => {
    database = await openSuiteDatabase('idempotency');
  });
  afterEach(async () => {
    await dropSuiteDatabase(database);
  });

  const answer = (n: number) => ({ status: 202, body: { n }, headers: { location: `/v1/things/${n}` } });
  const submission = (referralId: string, sourceReferralId: string | null, eventId: string) => ({
    referral_id: referralId,
    referrer: 'ow:toronto',
    source_referral_id: sourceReferralId as string,
    event_id: eventId,
  });
  const audited = (n: number) => ({
    org: 'ow:toronto',
    subject: 'caseworker',
    action: 'write' as const,
    resource: `thing/${n}`,
    purpose: 'referral',
  });

  it('gives each of many concurrent keys its claim once, sharing statements, and the same key to one caller only', async () => {
    const store = new IdempotencyStore(database.db);
    // 100 keys, each claimed by two callers at once (same body): one holds it, the other sees it running.
    const claims = await Promise.all(
      Array.from({ length: 200 }, (_, n) => store.claim('ow:toronto', `key-${n % 100}`, 'hash')),
    );
    expect(claims.filter((c) => c.kind === 'new')).toHaveLength(100);
    expect(claims.filter((c) => c.kind === 'in-progress')).toHaveLength(100);
    const transactions = await sql<{
      n: number;
    }>`select count(distinct xmin::text)::int as n from idempotency_key`.execute(database.db);
    expect(transactions.rows[0].n).toBeLessThan(100);
    // Another body under a held key is a mismatch; the same key of another org is its own.
    expect(await store.claim('ow:toronto', 'key-1', 'other-hash')).toEqual({ kind: 'mismatch' });
    expect(await store.claim('ow:ottawa', 'key-1', 'other-hash')).toEqual({ kind: 'new' });
  });

  it('keeps each answer for replay, its audit entries in the same transaction, the chain whole', async () => {
    const store = new IdempotencyStore(database.db);
    await Promise.all(Array.from({ length: 50 }, (_, n) => store.claim('ow:toronto', `key-${n}`, `hash-${n}`)));
    await Promise.all(
      Array.from({ length: 50 }, (_, n) =>
        store.complete('ow:toronto', `key-${n}`, answer(n), n % 2 ? { audit: [audited(n)] } : {}),
      ),
    );
    for (const n of [0, 7, 49])
      expect(await store.claim('ow:toronto', `key-${n}`, `hash-${n}`)).toEqual({ kind: 'replay', response: answer(n) });
    expect(await new AuditLog(database.db).verify()).toEqual({ ok: true, rows: 25 });
    // Each audit row was written by the transaction that kept its request's answer.
    const together = await sql<{ n: number }>`
      select count(*)::int as n from audit_log a join idempotency_key k on a.resource = 'thing/' || (k.response_body->>'n') and a.xmin = k.xmin`.execute(
      database.db,
    );
    expect(together.rows[0].n).toBe(25);
  });

  it("commits the rows a request created in its answer's transaction", async () => {
    const store = new IdempotencyStore(database.db);
    const ids = Array.from({ length: 30 }, () => crypto.randomUUID());
    await Promise.all(ids.map((_, n) => store.claim('ow:toronto', `key-${n}`, 'hash')));
    await Promise.all(
      ids.map((id, n) =>
        store.complete('ow:toronto', `key-${n}`, answer(n), {
          referralSubmissions: [submission(id, `R-${n}`, `event-${n}`)],
          audit: [audited(n)],
        }),
      ),
    );
    const rows = await database.db
      .selectFrom('referral_submission')
      .select(['referral_id', 'source_referral_id'])
      .execute();
    expect(new Set(rows.map((r) => r.referral_id))).toEqual(new Set(ids));
    const together = await sql<{ n: number }>`
      select count(*)::int as n from referral_submission s join idempotency_key k on s.source_referral_id = 'R-' || (k.response_body->>'n') and s.xmin = k.xmin`.execute(
      database.db,
    );
    expect(together.rows[0].n).toBe(30);
    // The same row again (a replayed submission): the insert's own conflict rule applies.
    await store.claim('ow:toronto', 'again', 'hash');
    await store.complete('ow:toronto', 'again', answer(0), {
      referralSubmissions: [submission(ids[0], 'R-0', 'event-0')],
    });
    expect(await store.claim('ow:toronto', 'again', 'hash')).toMatchObject({ kind: 'replay' });
  });

  it('keeps no answer whose audit entry or row cannot be written, and frees a released key', async () => {
    const store = new IdempotencyStore(database.db);
    await store.claim('ow:toronto', 'bad', 'hash');
    await expect(
      store.complete('ow:toronto', 'bad', answer(1), {
        audit: [{ ...audited(1), purpose: null as unknown as string }],
      }),
    ).rejects.toThrow();
    // A row the request created that cannot be written: nothing of the answer is kept either.
    await expect(
      store.complete('ow:toronto', 'bad', answer(1), {
        audit: [audited(1)],
        referralSubmissions: [submission(crypto.randomUUID(), null, 'event-1')],
      }),
    ).rejects.toThrow();
    expect(await store.claim('ow:toronto', 'bad', 'hash')).toEqual({ kind: 'in-progress' });
    await store.release('ow:toronto', 'bad');
    expect(await store.claim('ow:toronto', 'bad', 'hash')).toEqual({ kind: 'new' });
    expect(await new AuditLog(database.db).verify()).toEqual({ ok: true, rows: 0 });
  });

  it('lets a request whose first attempt died take its key over once the claim is stale', async () => {
    const store = new IdempotencyStore(database.db, 1_000);
    await store.claim('ow:toronto', 'abandoned', 'hash');
    expect(await store.claim('ow:toronto', 'abandoned', 'hash')).toEqual({ kind: 'in-progress' });
    await sql`update idempotency_key set started_at = now() - interval '5 seconds'`.execute(database.db);
    expect(await store.claim('ow:toronto', 'abandoned', 'hash')).toEqual({ kind: 'new' });
    expect(await store.claim('ow:toronto', 'abandoned', 'hash')).toEqual({ kind: 'in-progress' });
  });
});
