import { randomBytes, randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { PersonalDataErrorCode, PersonalDataVault } from '@passerelle/crypto';
import {
  AuditLog,
  ClientKeyRepository,
  RetentionRun,
  openDatabase,
  type DatabaseHandle,
  type RetentionReport,
} from '@passerelle/persistence';
import { dropSuiteDatabase, openSuiteDatabase, testDatabaseUrl } from '../support/database';
import { HOUR, NOW, POLICY, RUN_OPTIONS, seed, type Seeded } from './retention-seed';

const options = RUN_OPTIONS;

/** The `client-keys` and `closed-records` kinds (the run as a whole: retention.e2e-spec.ts). */
describe("retention of dormant clients' keys and of closed records", () => {
  let database: DatabaseHandle;
  let seeded: Seeded;
  beforeEach(async () => {
    database = await openSuiteDatabase('retention_keys');
    seeded = await seed(database.db);
  });
  afterEach(async () => {
    await dropSuiteDatabase(database);
  });

  const ids = async (query: string) =>
    (await sql<{ id: string }>`${sql.raw(query)}`.execute(database.db)).rows.map((r) => r.id).sort();
  const rowsOf = (report: RetentionReport | undefined, kind: string) =>
    report?.purged.find((p) => p.kind === kind)?.rows;
  /** Live keys last used `days` before now, of clients with no referral. */
  const staleKeys = async (days: number, n: number): Promise<string[]> => {
    const clients = Array.from({ length: n }, () => randomUUID());
    for (const id of clients)
      await sql`insert into client_key (client_id, wrapped_key, master_key_id, used_at)
        values (${id}, 'wrapped', 'mk-1', now() - make_interval(days => ${days}))`.execute(database.db);
    return clients;
  };

  it("destroys dormant clients' keys and links and blanks the ids their conflicts name; other clients keep theirs", async () => {
    const { clients } = seeded.records;
    const erasedBefore = await sql`select * from client_key where client_id = ${clients.erased}`.execute(database.db);
    const report = await new RetentionRun(database.db, options).run(NOW);
    expect(rowsOf(report, 'client-keys')).toEqual({ keys: 2, links: 3 });

    const kept = [clients.open, clients.usedAtCutoff, clients.changedAtCutoff];
    expect(await ids(`select client_id::text as id from client_key`)).toEqual([...kept, clients.erased].sort());
    expect(await ids(`select distinct client_id::text as id from client_link`)).toEqual([...kept].sort());
    // The erased client's tombstone is not a dormant key: untouched.
    const erasedAfter = await sql`select * from client_key where client_id = ${clients.erased}`.execute(database.db);
    expect(erasedAfter.rows).toEqual(erasedBefore.rows);
    // The conflict naming a dormant client stays, without its source ids; the others keep theirs.
    expect(await ids(`select conflict_id::text as id from client_link_conflict where identities = '[]'`)).toEqual([
      clients.conflictWithDormant,
    ]);
    // Their referrals stay (ids and statuses only).
    expect(
      await ids(`select referral_id::text as id from referral where client_id = '${clients.dormant[0]}'`),
    ).toHaveLength(1);
    expect(await new AuditLog(database.db).verify()).toMatchObject({ ok: true });
  });

  it('deletes timers, linked conflicts and acknowledged alerts done before the cutoff, alerts with their acknowledgement', async () => {
    const { timers, conflicts, alerts } = seeded.records;
    const report = await new RetentionRun(database.db, options).run(NOW);
    expect(rowsOf(report, 'closed-records')).toEqual({ timers: 3, conflicts: 1, alerts: 1 });

    expect(await ids(`select id::text as id from timer`)).toEqual([...timers.kept].sort());
    expect(await ids(`select conflict_id::text as id from client_link_conflict`)).toEqual([...conflicts.kept].sort());
    expect(await ids(`select alert_id::text as id from referral_alert`)).toEqual([...alerts.kept].sort());
    expect(await ids(`select alert_id::text as id from alert_acknowledgement`)).toEqual([alerts.kept[0]]);
    expect(await new AuditLog(database.db).verify()).toMatchObject({ ok: true });
  });

  it("renews a key's use mark at most once an hour: a fresh mark is read without a write", async () => {
    const [fresh] = await staleKeys(0, 1);
    const [hourOld] = await staleKeys(0, 1);
    await sql`update client_key set used_at = now() - interval '2 hours' where client_id = ${hourOld}`.execute(
      database.db,
    );
    const before = await sql<{ client_id: string; used_at: Date; xmin: string }>`
      select client_id::text, used_at, xmin::text from client_key where client_id in (${fresh}, ${hourOld})`.execute(
      database.db,
    );
    const loaded = await new ClientKeyRepository(database.db).use([fresh, hourOld, randomUUID()]);
    expect(loaded.map((k) => k.clientId).sort()).toEqual([fresh, hourOld].sort());
    const after = await sql<{ client_id: string; used_at: Date; xmin: string }>`
      select client_id::text, used_at, xmin::text from client_key where client_id in (${fresh}, ${hourOld})`.execute(
      database.db,
    );
    const row = (rows: typeof after.rows, id: string) => rows.find((r) => r.client_id === id)!;
    // The fresh row is the same tuple (no new row version); the hour-old one was marked now.
    expect(row(after.rows, fresh)).toEqual(row(before.rows, fresh));
    expect(row(after.rows, hourOld).xmin).not.toBe(row(before.rows, hourOld).xmin);
    expect(row(after.rows, hourOld).used_at.getTime()).toBeGreaterThan(Date.now() - 60_000);
  });

  it('never destroys a key loaded after the cutoff, and skips one whose load is in flight', async () => {
    const [touched, held, untouched] = await staleKeys(POLICY.clientKeyDays + 10, 3);
    const loaded = await new ClientKeyRepository(database.db).use([touched]);
    expect(loaded).toEqual([expect.objectContaining({ clientId: touched, wrappedKey: 'wrapped' })]);

    // A key load not yet committed holds its row: the run skips it instead of waiting.
    const loader = openDatabase({ url: testDatabaseUrl(), schema: database.schema, maxConnections: 1 });
    try {
      await loader.db.connection().execute(async (conn) => {
        await sql`begin`.execute(conn);
        await sql`update client_key set used_at = now() where client_id = ${held}`.execute(conn);
        // At the real time every seeded key of a client with no open referral is due too.
        expect(await new RetentionRun(database.db, options).run(new Date())).toBeDefined();
        await sql`rollback`.execute(conn);
      });
    } finally {
      await loader.close();
    }
    expect(await ids(`select client_id::text as id from client_key`)).toEqual(
      expect.arrayContaining([touched, held].sort()),
    );
    expect(await ids(`select client_id::text as id from client_key where client_id = '${untouched}'`)).toEqual([]);
    // Released without a touch, it is due at the next run.
    const next = await new RetentionRun(database.db, { ...options, intervalMs: 60_000 }).run(
      new Date(Date.now() + HOUR),
    );
    expect(rowsOf(next, 'client-keys')).toEqual({ keys: 1, links: 0 });
    expect(
      await ids(`select client_id::text as id from client_key where client_id in ('${touched}', '${held}')`),
    ).toEqual([touched]);
  });

  it('after retention destroyed a key, the next seal makes a new one and what the old one sealed never opens', async () => {
    const vault = new PersonalDataVault(new ClientKeyRepository(database.db), {
      masterKey: randomBytes(32),
      cacheTtlMs: 1,
    });
    const client = randomUUID();
    const person = { name: { givenName: 'Ana' } };
    const sealed = await vault.protect(client, person);
    const before = await sql<{
      wrapped_key: string;
    }>`select wrapped_key from client_key where client_id = ${client}`.execute(database.db);
    await sql`update client_key set used_at = now() - interval '100 days' where client_id = ${client}`.execute(
      database.db,
    );
    await new RetentionRun(database.db, options).run(new Date());
    expect(await ids(`select client_id::text as id from client_key where client_id = '${client}'`)).toEqual([]);
    await new Promise((resolve) => setTimeout(resolve, 5)); // past the vault's cache

    const resealed = await vault.protect(client, person);
    const after = await sql<{ wrapped_key: string; erased_at: Date | null }>`
      select wrapped_key, erased_at from client_key where client_id = ${client}`.execute(database.db);
    expect(after.rows[0]).toMatchObject({ erased_at: null });
    expect(after.rows[0].wrapped_key).not.toBe(before.rows[0].wrapped_key);
    expect(await vault.reveal(client, resealed)).toEqual(person);
    await expect(vault.reveal(client, sealed)).rejects.toMatchObject({ code: PersonalDataErrorCode.CannotOpen });
  });
});
