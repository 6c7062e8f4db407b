import { randomBytes } from 'node:crypto';
import { dropSchema, migrateToLatest, openDatabase, type DatabaseHandle } from '@passerelle/persistence';

export function testDatabaseUrl(): string {
  return process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
}

/** A fresh, migrated schema for one suite; `dropSuiteDatabase` removes it afterwards. */
export async function openSuiteDatabase(suite: string): Promise<DatabaseHandle> {
  const schema = `t_${suite.replace(/[^a-z0-9]/gi, '_').toLowerCase()}_${randomBytes(4).toString('hex')}`.slice(0, 63);
  const handle = openDatabase({ url: testDatabaseUrl(), schema, maxConnections: 4 });
  await migrateToLatest(handle);
  return handle;
}

export async function dropSuiteDatabase(handle: DatabaseHandle): Promise<void> {
  await dropSchema(handle);
  await handle.close();
}
