import { sql } from 'kysely';
import {
  AuditLog,
  RETENTION_AUDIT_SUBJECT,
  RetentionRun,
  openDatabase,
  type DatabaseHandle,
  type RetentionReport,
} from '@passerelle/persistence';
import { dropSuiteDatabase, openSuiteDatabase, testDatabaseUrl } from '../support/database';
import { CUTOFF, HOUR, NOW, RUN_OPTIONS, seed, type Seeded } from './retention-seed';

const options = RUN_OPTIONS;

describe('retention run', () => {
  let database: DatabaseHandle;
  let seeded: Seeded;
  beforeEach(async () => {
    database = await openSuiteDatabase('retention');
    seeded = await seed(database.db);
  });
  afterEach(async () => {
    await dropSuiteDatabase(database);
  });

  const rowsOf = (report: RetentionReport | undefined) =>
    Object.fromEntries((report?.purged ?? []).map((p) => [p.kind, p.rows]));
  const ids = async (query: string) =>
    (await sql<{ id: string }>`${sql.raw(query)}`.execute(database.db)).rows.map((r) => r.id).sort();

  it('purges exactly what is past each cutoff and nothing else', async () => {
    const report = await new RetentionRun(database.db, options).run(NOW);
    expect(rowsOf(report)).toEqual({
      'closed-referral-personal': { referrals: 3, parkedEvents: 1 },
      'client-keys': { keys: 2, links: 3 },
      'webhook-deliveries': { deliveries: 3, attempts: 5 },
      'idempotency-keys': { keys: 1 },
      inbox: { events: 1 },
      'closed-records': { timers: 3, conflicts: 1, alerts: 1 },
      'audit-log': { entries: 2 },
      'retention-runs': { runs: 1 },
    });
    expect(report?.purged.find((p) => p.kind === 'inbox')?.cutoff).toBe(new Date(CUTOFF.inbox).toISOString());

    const { referrals } = seeded;
    expect(await ids(`select referral_id as id from referral where snapshot ? 'personal'`)).toEqual(
      [...referrals.kept].sort(),
    );
    // De-identified, not deleted: the row, its status and its history stay.
    expect(await ids(`select referral_id as id from referral`)).toEqual(
      [...referrals.due, ...referrals.kept, ...seeded.records.clients.referrals].sort(),
    );
    expect(await ids(`select distinct referral_id as id from referral_history`)).toHaveLength(6);
    const closed = await sql<{ status: string; snapshot: { referralId: string } }>`
      select status, snapshot from referral where referral_id = ${referrals.due[0]}`.execute(database.db);
    expect(closed.rows[0]).toEqual({
      status: 'completed',
      snapshot: { referralId: referrals.due[0], status: 'completed' },
    });
    expect(await ids(`select id::text as id from parked_event where data ? 'personal'`)).toEqual([seeded.parked.kept]);
    expect(await ids(`select id::text as id from parked_event`)).toHaveLength(2);

    expect(await ids(`select id::text as id from webhook_delivery`)).toEqual([...seeded.deliveries.kept].sort());
    expect(await ids(`select distinct delivery_id::text as id from webhook_attempt`)).toEqual(
      [...seeded.deliveries.kept].sort(),
    );
    expect(await ids(`select idempotency_key as id from idempotency_key`)).toEqual([seeded.keys.kept]);
    expect(await ids(`select event_id as id from inbox`)).toEqual([seeded.inbox.kept]);
    const auditSeqs = await ids(`select seq::text as id from audit_log where subject <> '${RETENTION_AUDIT_SUBJECT}'`);
    expect(auditSeqs).toEqual(seeded.audit.kept.sort());
    const runs = await sql<{ slot: Date }>`select slot from retention_run order by slot`.execute(database.db);
    expect(runs.rows.map((r) => r.slot.toISOString())).toEqual([seeded.runs.kept, report!.slot]);
  });

  it('finds nothing more to purge when run again at the same instant', async () => {
    const first = await new RetentionRun(database.db, options).run(NOW);
    const counts = (report: RetentionReport | undefined) =>
      (report?.purged ?? []).flatMap((p) => Object.values(p.rows)).reduce((a, b) => a + b, 0);
    expect(counts(first)).toBe(27);
    // Another slot (the same instant on a shorter schedule), the same cutoffs.
    const again = await new RetentionRun(database.db, { ...options, intervalMs: 60_000 }).run(NOW);
    expect(again).toBeDefined();
    expect(counts(again)).toBe(0);
    // The run of a slot already run is not repeated.
    expect(await new RetentionRun(database.db, options).run(new Date(NOW.getTime() + 1000))).toBeUndefined();
  });

  it('lets only one of two replicas running the same slot do the work', async () => {
    const other = openDatabase({ url: testDatabaseUrl(), schema: database.schema, maxConnections: 4 });
    try {
      const reports = await Promise.all([
        new RetentionRun(database.db, options).run(NOW),
        new RetentionRun(other.db, options).run(NOW),
      ]);
      expect(reports.filter((r) => r !== undefined)).toHaveLength(1);
      expect(rowsOf(reports.find((r) => r !== undefined))['webhook-deliveries']).toEqual({
        deliveries: 3,
        attempts: 5,
      });
      const runs = await sql<{
        n: number;
      }>`select count(*)::int as n from retention_run where slot > ${new Date(NOW.getTime() - HOUR).toISOString()}::timestamptz`.execute(
        database.db,
      );
      expect(runs.rows[0].n).toBe(1);
    } finally {
      await other.close();
    }
  });

  it('skips while another run holds the lock, leaving its slot free for later', async () => {
    const holder = openDatabase({ url: testDatabaseUrl(), schema: database.schema, maxConnections: 1 });
    try {
      await holder.db.connection().execute(async (session) => {
        await sql`select pg_advisory_lock(hashtextextended(current_schema() || '.retention', 0))`.execute(session);
        expect(await new RetentionRun(database.db, options).run(NOW)).toBeUndefined();
        await sql`select pg_advisory_unlock(hashtextextended(current_schema() || '.retention', 0))`.execute(session);
      });
      // The skipped slot was not claimed: it runs once the lock is free.
      expect(await new RetentionRun(database.db, options).run(NOW)).toBeDefined();
    } finally {
      await holder.close();
    }
  });

  it('frees the slot of a run that failed, so the retry purges it', async () => {
    await sql`alter table inbox rename to inbox_away`.execute(database.db);
    await expect(new RetentionRun(database.db, options).run(NOW)).rejects.toThrow(/inbox/);
    await sql`alter table inbox_away rename to inbox`.execute(database.db);
    const retry = await new RetentionRun(database.db, options).run(NOW);
    expect(rowsOf(retry).inbox).toEqual({ events: 1 });
    // What the failed run had purged before failing stays purged; the retry finds the rest.
    expect(rowsOf(retry)['webhook-deliveries']).toEqual({ deliveries: 0, attempts: 0 });
  });

  it('keeps the audit chain verifiable from the checkpoint, and audits the run itself', async () => {
    const log = new AuditLog(database.db);
    expect(await log.verify()).toEqual({ ok: true, rows: 4 });
    await new RetentionRun(database.db, options).run(NOW);

    const verified = await log.verify();
    expect(verified).toEqual({
      ok: true,
      rows: 2 + 8,
      checkpoint: { throughSeq: seeded.audit.due[1], lastHash: expect.any(String), deleted: 2 },
    });
    const runEntries = await log.entriesOf('passerelle', undefined, 100);
    expect(runEntries.map((e) => e.resource.split('?')[0])).toEqual([
      'retention/closed-referral-personal',
      'retention/client-keys',
      'retention/webhook-deliveries',
      'retention/idempotency-keys',
      'retention/inbox',
      'retention/closed-records',
      'retention/audit-log',
      'retention/retention-runs',
    ]);
    expect(runEntries[2]).toMatchObject({
      subject: RETENTION_AUDIT_SUBJECT,
      action: 'write',
      purpose: 'retention',
      resource: `retention/webhook-deliveries?cutoff=${new Date(CUTOFF.webhook).toISOString()}&deliveries=3&attempts=5`,
    });
    expect(runEntries[1].resource).toBe(
      `retention/client-keys?cutoff=${new Date(CUTOFF.clientKey).toISOString()}&keys=2&links=3`,
    );
  });

  it('chains new entries onto the checkpoint when every entry was purged, and still catches tampering', async () => {
    const log = new AuditLog(database.db);
    expect(await log.purgeBefore(new Date('2100-01-01T00:00:00Z'), 3)).toBe(3);
    expect(await log.purgeBefore(new Date('2100-01-01T00:00:00Z'), 3)).toBe(1);
    expect(await log.purgeBefore(new Date('2100-01-01T00:00:00Z'), 3)).toBe(0);
    await log.append([
      { org: 'ow:toronto', subject: 'u2', action: 'read', resource: 'referral/x', purpose: 'service-delivery' },
    ]);
    expect(await log.verify()).toMatchObject({ ok: true, rows: 1, checkpoint: { deleted: 4 } });

    // Outside audit_purge the log and its checkpoints stay append-only.
    await expect(sql`delete from audit_log`.execute(database.db)).rejects.toThrow('audit_log is append-only');
    await expect(sql`delete from audit_checkpoint`.execute(database.db)).rejects.toThrow(
      'audit_checkpoint is append-only',
    );
    await expect(sql`update audit_log set purpose = 'x'`.execute(database.db)).rejects.toThrow('append-only');
    // A row slipped in under the checkpoint is caught.
    await sql`insert into audit_log (seq, at, org, subject, action, resource, purpose, prev_hash, hash)
      values (1, now(), 'x', 'x', 'read', 'x', 'x', 'x', 'x')`.execute(database.db);
    expect(await log.verify()).toMatchObject({ ok: false, brokenAt: '1' });
  });
});
