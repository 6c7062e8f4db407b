import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { dropSchema, migrateToLatest, openDatabase } from '@passerelle/persistence';
import { testDatabaseUrl } from '../support/database';

describe('migrations while other schemas come and go', () => {
  it('migrates every schema even when others are dropped during the run (introspection race)', async () => {
    const schemas = Array.from({ length: 4 }, () => `t_mig_${randomBytes(4).toString('hex')}`);
    const handles = schemas.map((schema) => openDatabase({ url: testDatabaseUrl(), schema, maxConnections: 2 }));
    const churn = openDatabase({ url: testDatabaseUrl(), schema: 'public', maxConnections: 2 });
    const stopChurning = new AbortController();
    const churner = (async () => {
      while (!stopChurning.signal.aborted) {
        const name = `t_churn_${randomBytes(4).toString('hex')}`;
        await sql`create schema ${sql.id(name)}`.execute(churn.db);
        await sql`create table ${sql.id(name, 'x')} (id serial primary key)`.execute(churn.db);
        await sql`drop schema ${sql.id(name)} cascade`.execute(churn.db);
      }
    })();
    try {
      const results = await Promise.all(handles.map((h) => migrateToLatest(h)));
      expect(results.every((r) => r.error === undefined)).toBe(true);
      for (const h of handles) {
        const { rows } = await sql<{
          n: string;
        }>`select count(*) as n from ${sql.id(h.schema, 'kysely_migration')}`.execute(h.db);
        expect(Number(rows[0].n)).toBeGreaterThan(0);
      }
    } finally {
      stopChurning.abort();
      await churner;
      for (const h of handles) {
        await dropSchema(h);
        await h.close();
      }
      await churn.close();
    }
  }, 60_000);

  it('lets apps that start together on a new schema migrate it once, none failing on the race', async () => {
    const schema = `t_mig_${randomBytes(4).toString('hex')}`;
    // Separate pools, as separate processes would have.
    const handles = Array.from({ length: 5 }, () =>
      openDatabase({ url: testDatabaseUrl(), schema, maxConnections: 1 }),
    );
    try {
      const results = await Promise.all(handles.map((h) => migrateToLatest(h)));
      expect(results.every((r) => r.error === undefined)).toBe(true);
      // One of them applied every migration; the others found nothing left to do.
      const applied = results.map((r) => (r.results ?? []).filter((m) => m.status === 'Success').length);
      expect(applied.filter((n) => n > 0)).toHaveLength(1);
      expect(Math.max(...applied)).toBeGreaterThan(5);
    } finally {
      await dropSchema(handles[0]);
      for (const h of handles) await h.close();
    }
  });
});
