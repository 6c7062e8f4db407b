import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { Client } from 'pg';
import { isDatabaseUnavailable, openDatabase, type DatabaseHandle } from '@passerelle/persistence';
import { testDatabaseUrl } from '../support/database';

/**
 * A connection the server drops while the app has it checked out (an administrator's
 * pg_terminate_backend, PostgreSQL restarting): the work on it fails retriably and the process
 * lives on. Without a listener on the checked-out client, Node turns its 'error' event into an
 * uncaught exception, which fails these tests.
 */
describe('a database connection dropped while checked out', () => {
  const applicationName = `dropped-${randomBytes(4).toString('hex')}`;
  let database: DatabaseHandle;
  let admin: Client;

  beforeAll(async () => {
    database = openDatabase({ url: testDatabaseUrl(), schema: 'public', applicationName, maxConnections: 2 });
    admin = new Client({ connectionString: testDatabaseUrl() });
    await admin.connect();
  });

  afterAll(async () => {
    await database.close();
    await admin.end();
  });

  /** Terminates the app's backends once one of them is busy in `state` (waits on pg_stat_activity, no sleep). */
  async function terminateWhen(state: 'active' | 'idle in transaction'): Promise<number> {
    for (let polls = 0; polls < 200; polls += 1) {
      const { rows } = await admin.query<{ terminated: boolean }>(
        'select pg_terminate_backend(pid) as terminated from pg_stat_activity where application_name = $1 and state = $2',
        [applicationName, state],
      );
      if (rows.length > 0) return rows.length;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    throw new Error(`no backend of ${applicationName} became ${state}`);
  }

  /**
   * `statement` run as a consumer's retry runs it: a failure saying the database is unavailable is
   * tried again. After a drop, pg-pool may hand out the dropped client once more (the server's
   * error reached the query before the socket's end reached the pool): at most one such retry.
   */
  async function withOneRetry<T>(statement: () => Promise<T>): Promise<T> {
    try {
      return await statement();
    } catch (error) {
      expect(isDatabaseUnavailable(error)).toBe(true);
      return statement();
    }
  }

  it('fails the statement in flight retriably, and a retry runs on a new connection', async () => {
    const running = sql`select pg_sleep(30)`.execute(database.db).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(await terminateWhen('active')).toBe(1);
    const error = await running;
    expect(isDatabaseUnavailable(error)).toBe(true);
    const { rows } = await withOneRetry(() => sql<{ one: number }>`select 1 as one`.execute(database.db));
    expect(rows).toEqual([{ one: 1 }]);
  });

  it('fails a transaction whose connection is dropped between statements, retriably', async () => {
    let terminated: Promise<number> | undefined;
    const outcome = await database.db
      .transaction()
      .execute(async (tx) => {
        await sql`select 1`.execute(tx);
        // Between statements the backend is idle in transaction: drop it there.
        terminated = terminateWhen('idle in transaction');
        await terminated;
        await sql`select 2`.execute(tx);
      })
      .then(
        () => undefined,
        (error: unknown) => error,
      );
    expect(await terminated).toBe(1);
    expect(isDatabaseUnavailable(outcome)).toBe(true);
    const { rows } = await withOneRetry(() => sql<{ two: number }>`select 2 as two`.execute(database.db));
    expect(rows).toEqual([{ two: 2 }]);
  });
});
