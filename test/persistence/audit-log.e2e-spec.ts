import { sql } from 'kysely';
import { AuditLog, type DatabaseHandle } from '@passerelle/persistence';
import { dropSuiteDatabase, openSuiteDatabase } from '../support/database';

describe('AuditLog: append-only and hash-chained', () => {
  let database: DatabaseHandle;
  beforeEach(async () => {
    database = await openSuiteDatabase('audit');
  });
  afterEach(async () => {
    await dropSuiteDatabase(database);
  });

  const entry = (n: number) => ({
    org: n % 2 ? 'eo:provider-7' : 'ow:toronto',
    subject: 'system',
    action: 'read' as const,
    resource: `referral/${n}`,
    purpose: 'service-delivery',
    clientId: crypto.randomUUID(),
  });

  async function filled(): Promise<AuditLog> {
    const log = new AuditLog(database.db);
    await Promise.all([0, 1, 2, 3, 4].map((n) => log.append([entry(n)])));
    await log.append([entry(5), entry(6)]);
    return log;
  }

  it('chains every entry, even appended concurrently, and shows an organization only its own', async () => {
    const log = await filled();
    expect(await log.verify()).toEqual({ ok: true, rows: 7 });
    const provider = await log.entriesOf('eo:provider-7', undefined, 100);
    expect(provider.every((e) => e.org === 'eo:provider-7')).toBe(true);
    expect(provider).toHaveLength(3);
    expect(await log.entriesOf('eo:provider-7', provider[0].seq, 100)).toHaveLength(2);
  });

  it('commits many concurrent appends in few transactions, each caller resolved once its entries are in, the chain whole', async () => {
    const log = new AuditLog(database.db);
    await Promise.all(Array.from({ length: 200 }, (_, n) => log.append([entry(n), entry(n + 1000)])));
    expect(await log.verify()).toEqual({ ok: true, rows: 400 });
    const rows = await database.db.selectFrom('audit_log').select('resource').orderBy('seq').execute();
    expect(new Set(rows.map((r) => r.resource)).size).toBe(400);
    // Each row's xmin is the transaction that wrote it: one append per transaction would make 200.
    const transactions = await sql<{ n: number }>`select count(distinct xmin::text)::int as n from audit_log`.execute(
      database.db,
    );
    expect(transactions.rows[0].n).toBeLessThan(50);
  });

  it('fails every caller of a batch that could not be written, and writes the next batch', async () => {
    const log = new AuditLog(database.db);
    const tooLong = { ...entry(1), resource: 'x'.repeat(10), purpose: null as unknown as string };
    await expect(log.append([tooLong])).rejects.toThrow();
    await log.append([entry(2)]);
    expect(await log.verify()).toEqual({ ok: true, rows: 1 });
  });

  it('hashes in the database exactly as verify recomputes, whatever the characters', async () => {
    const log = new AuditLog(database.db);
    const awkward = [
      'Zoë "Zed" Côté',
      'back\\slash',
      'tab\tnew\nline\r',
      'ctrl \u0001\u001f\u007f',
      'emoji 🇨🇦',
      '/path/ü',
      'ℹ\u2028',
    ];
    await log.append(
      awkward.map((text, n) => ({
        org: `ow:${text}`,
        subject: text,
        action: 'write' as const,
        resource: `referral/${text}`,
        purpose: text,
        ...(n % 2 ? {} : { clientId: crypto.randomUUID().toUpperCase() }),
      })),
    );
    expect(await log.verify()).toEqual({ ok: true, rows: awkward.length });
    const stored = await log.entriesOf(`ow:${awkward[0]}`, undefined, 10);
    expect(stored).toEqual([
      expect.objectContaining({
        subject: awkward[0],
        purpose: awkward[0],
        clientId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      }),
    ]);
  });

  it('refuses UPDATE and DELETE', async () => {
    await filled();
    await expect(sql`update audit_log set purpose = 'curiosity' where seq = 2`.execute(database.db)).rejects.toThrow(
      'append-only',
    );
    await expect(sql`delete from audit_log where seq = 2`.execute(database.db)).rejects.toThrow('append-only');
  });

  it('breaks the chain at a changed row, and at the row after a deleted one', async () => {
    const log = await filled();
    // Someone with the power to switch the trigger off (the table owner) edits history.
    await sql`alter table audit_log disable trigger audit_log_append_only`.execute(database.db);
    await sql`update audit_log set purpose = 'curiosity' where seq = 3`.execute(database.db);
    expect(await log.verify()).toMatchObject({ ok: false, brokenAt: '3' });
    await sql`update audit_log set purpose = 'service-delivery' where seq = 3`.execute(database.db);
    expect(await log.verify()).toMatchObject({ ok: true });
    await sql`delete from audit_log where seq = 5`.execute(database.db);
    expect(await log.verify()).toMatchObject({ ok: false, brokenAt: '6' });
  });

  it('purges the oldest entries while others append, the chain verifiable from the checkpoint', async () => {
    const log = await filled();
    const later = new Date(Date.now() + 3_600_000);
    const appends = Array.from({ length: 60 }, (_, n) => log.append([entry(n)]));
    let purged = 0;
    for (let n = 0; n < 10; n += 1) purged += await log.purgeBefore(later, 5);
    await Promise.all(appends);
    const verified = await log.verify();
    expect(verified).toMatchObject({ ok: true, rows: 67 - purged, checkpoint: { deleted: purged } });
    expect(purged).toBeGreaterThanOrEqual(7);
    // Purged to nothing, the next entry still chains on.
    while ((await log.purgeBefore(later, 50)) > 0);
    await log.append([entry(99)]);
    expect(await log.verify()).toMatchObject({ ok: true, rows: 1, checkpoint: { deleted: 67 } });
  });

  it('breaks the chain when entries are deleted around audit_purge, leaving no checkpoint', async () => {
    const log = await filled();
    await database.db.transaction().execute(async (trx) => {
      await sql`select set_config('passerelle.audit_purge', 'on', true)`.execute(trx);
      await sql`delete from audit_log where seq <= 2`.execute(trx);
    });
    expect(await log.verify()).toMatchObject({ ok: false, brokenAt: '3' });
  });
});
