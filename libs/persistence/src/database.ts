import { Kysely, Migrator, PostgresDialect, sql, type MigrationResultSet } from 'kysely';
import { Pool } from 'pg';
import { migrations } from './migrations';
import type { Database } from './schema';

export interface DatabaseOptions {
  url: string;
  /** Every table lives in this schema (one per e2e suite, `passerelle` in production). */
  schema: string;
  maxConnections?: number;
  /** How long an unused connection stays open (default a minute). */
  idleTimeoutMs?: number;
  applicationName?: string;
}

export class PersistenceError extends Error {
  constructor(
    readonly code: 'MIGRATION_FAILED' | 'INVALID_SCHEMA_NAME',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'PersistenceError';
  }
}

/** An open pool; `DB` is the tables the app may see (its own, the shared ones, read models). */
export interface DatabaseHandle<DB = Database> {
  db: Kysely<DB>;
  pool: Pool;
  schema: string;
  close(): Promise<void>;
}

/** A pool whose connections all resolve unqualified names in `schema` (search_path). */
export function openDatabase<DB = Database>(options: DatabaseOptions): DatabaseHandle<DB> {
  assertIdentifier(options.schema);
  const pool = new Pool({
    connectionString: options.url,
    max: options.maxConnections ?? 10,
    application_name: options.applicationName ?? 'passerelle',
    options: `-c search_path=${options.schema}`,
    connectionTimeoutMillis: 5_000,
    // A connection opened when load returns costs a backend start, its catalog caches and the
    // compiling of plpgsql functions: tens of ms on the requests that wait for it (pg-pool's 10 s
    // default closed them in every short lull). Kept a minute idle, they stay warm across lulls.
    idleTimeoutMillis: options.idleTimeoutMs ?? 60_000,
    // Idle connections do not keep a process alive (a tool done with its work exits at once);
    // a server stays up on its own listeners.
    allowExitOnIdle: true,
  });
  // A client losing its server must not crash the process. pg-pool listens for that only while a
  // client is idle; one checked out (mid-query or mid-transaction) emits 'error' with nobody
  // listening, which Node turns into an exit. Its query rejects with the same error (the unit of
  // work fails and is retried), and the pool drops the broken client on release. Idle ones: the
  // pool drops them and the next query reconnects.
  pool.on('connect', (client) => client.on('error', () => undefined));
  pool.on('error', () => undefined);
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
  return {
    db,
    pool,
    schema: options.schema,
    close: () => db.destroy(),
  };
}

/** Creates the schema if needed and applies pending migrations (kysely locks against concurrent runs). */
/** Migrations see every table, whatever tables the handle's app is typed with. */
export async function migrateToLatest<DB>(handle: DatabaseHandle<DB>): Promise<MigrationResultSet> {
  // Apps starting together on a new schema would race on `create schema` and on kysely's own
  // tables (a unique violation in the catalog): one process at a time migrates a schema, on one
  // connection holding a session lock named after it.
  return handle.db.connection().execute(async (db) => {
    const lock = `passerelle-migrations:${handle.schema}`;
    await sql`select pg_advisory_lock(hashtext(${lock}))`.execute(db);
    try {
      await sql`create schema if not exists ${sql.id(handle.schema)}`.execute(db);
      const migrator = new Migrator({
        db,
        provider: { getMigrations: () => Promise.resolve(migrations) },
        migrationTableSchema: handle.schema,
      });
      let result = await migrator.migrateToLatest();
      // kysely checks for its migration table by introspecting every schema of the database; a
      // schema another process drops at that moment (test suites, tenants being removed) fails the
      // check (3F000, 42P01 or 42703 for a schema, table or column that is not ours). Nothing was
      // applied: try again.
      // Up to ~10 s: a loaded machine with schemas coming and going often can lose many rounds.
      for (let attempt = 1; attempt <= 100 && isOtherSchemaVanished(result, handle.schema); attempt += 1) {
        await new Promise((resolve) => setTimeout(resolve, Math.min(100, 20 * attempt)));
        result = await migrator.migrateToLatest();
      }
      if (result.error) {
        const failed = result.results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
        throw new PersistenceError(
          'MIGRATION_FAILED',
          `migration ${failed} failed: ${result.error instanceof Error ? String(result.error) : JSON.stringify(result.error)}`,
          {
            cause: result.error,
          },
        );
      }
      return result;
    } finally {
      await sql`select pg_advisory_unlock(hashtext(${lock}))`.execute(db);
    }
  });
}

export async function dropSchema<DB>(handle: DatabaseHandle<DB>): Promise<void> {
  await sql`drop schema if exists ${sql.id(handle.schema)} cascade`.execute(handle.db);
}

export async function pingDatabase<DB>(handle: DatabaseHandle<DB>): Promise<void> {
  await sql`select 1`.execute(handle.db);
}

function assertIdentifier(name: string): void {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name)) {
    throw new PersistenceError('INVALID_SCHEMA_NAME', `"${name}" is not a lower-case SQL identifier`);
  }
}

/**
 * Whether a failed migration run met another schema vanishing under kysely's introspection (and
 * so applied nothing and may simply run again), as opposed to a failure of our own.
 */
export function isOtherSchemaVanished(result: MigrationResultSet, schema: string): boolean {
  const pgError = result.error as { code?: string; message?: string } | undefined;
  // A failure inside one of our migrations names it with status Error: that is not this race.
  if (pgError === undefined || result.results?.some((r) => r.status === 'Error')) return false;
  // Invalid schema, undefined table, undefined column: what the introspection query (it calls
  // pg_get_serial_sequence on every table's columns) meets when another schema goes mid-query.
  return (
    ['3F000', '42P01', '42703'].includes(pgError.code ?? '') &&
    typeof pgError.message === 'string' &&
    !pgError.message.includes(`"${schema}"`)
  );
}
