import { sql, type Kysely } from 'kysely';
import { PersonalDataVault, type ClientKeyStore, type StoredClientKey } from '@passerelle/crypto';
import type { SharedTables } from './schema';

interface ClientKeyRow {
  client_id: string;
  wrapped_key: string | null;
  master_key_id: string | null;
  erased_at: Date | null;
}

const toStored = (r: ClientKeyRow): StoredClientKey => ({
  clientId: r.client_id,
  wrappedKey: r.wrapped_key,
  masterKeyId: r.master_key_id,
  erasedAt: r.erased_at,
});

/**
 * The `client_key` table as the {@link ClientKeyStore} of `PersonalDataVault`: wrapped data keys
 * only (never a clear one), and tombstones of erased clients that keep a key from ever being
 * created for them again.
 */
export class ClientKeyRepository implements ClientKeyStore {
  constructor(private readonly db: Kysely<SharedTables>) {}

  async use(clientIds: readonly string[]): Promise<StoredClientKey[]> {
    if (clientIds.length === 0) return [];
    // One statement. A key marked used within the last hour is read as it is: retention only
    // deletes keys unused for days (RETENTION_CLIENT_KEY_DAYS exceeds every topic retention, a
    // day at least), so it cannot be deleting that one. An older mark is renewed under a row lock,
    // which orders it with retention's delete (which skips locked rows): either the key comes
    // back marked, or retention deleted it first and it is absent (the vault then creates a new
    // one). Rows are locked in client id order: two batches sharing clients never deadlock. A
    // key is so written at most once an hour, however often it is loaded.
    const ids = [...clientIds];
    const { rows } = await sql<ClientKeyRow>`
      with stale as (
        select client_id from client_key
        where client_id = any(${ids}::uuid[]) and used_at < now() - interval '1 hour'
        order by client_id for no key update),
      marked as (
        update client_key k set used_at = now() from stale where k.client_id = stale.client_id
        returning k.client_id, k.wrapped_key, k.master_key_id, k.erased_at)
      select client_id, wrapped_key, master_key_id, erased_at from client_key
      where client_id = any(${ids}::uuid[]) and used_at >= now() - interval '1 hour'
      union all
      select client_id, wrapped_key, master_key_id, erased_at from marked`.execute(this.db);
    return rows.map(toStored);
  }

  async createIfAbsent(
    keys: ReadonlyArray<{ clientId: string; wrappedKey: string; masterKeyId: string }>,
  ): Promise<StoredClientKey[]> {
    if (keys.length === 0) return [];
    // Insert what is missing; a client that had a row meanwhile (a concurrent creator's key or a
    // tombstone) keeps it, and is read back.
    const inserted = await this.db
      .insertInto('client_key')
      .values(keys.map((k) => ({ client_id: k.clientId, wrapped_key: k.wrappedKey, master_key_id: k.masterKeyId })))
      .onConflict((c) => c.column('client_id').doNothing())
      .returning(['client_id', 'wrapped_key', 'master_key_id', 'erased_at'])
      .execute();
    if (inserted.length === keys.length) return inserted.map(toStored);
    const mine = new Set(inserted.map((r) => r.client_id));
    return [...inserted.map(toStored), ...(await this.use(keys.map((k) => k.clientId).filter((id) => !mine.has(id))))];
  }

  async erase(clientId: string): Promise<{ erasedAt: Date; newlyErased: boolean }> {
    const erased = await sql<{ erased_at: Date; newly: boolean }>`
      insert into client_key (client_id, wrapped_key, master_key_id, erased_at)
      values (${clientId}, null, null, now())
      on conflict (client_id) do update
        set wrapped_key = null, master_key_id = null, erased_at = coalesce(client_key.erased_at, now())
      returning erased_at, (xmax = 0 or erased_at = now()) as newly`.execute(this.db);
    const row = erased.rows[0];
    return { erasedAt: row.erased_at, newlyErased: row.newly };
  }

  async wrappedByOther(masterKeyId: string, limit: number): Promise<StoredClientKey[]> {
    const rows = await this.db
      .selectFrom('client_key')
      .select(['client_id', 'wrapped_key', 'master_key_id', 'erased_at'])
      .where('erased_at', 'is', null)
      .where('master_key_id', '<>', masterKeyId)
      .orderBy('client_id')
      .limit(limit)
      .execute();
    return rows.map(toStored);
  }

  async rewrap(clientId: string, fromMasterKeyId: string, wrappedKey: string, masterKeyId: string): Promise<boolean> {
    const result = await this.db
      .updateTable('client_key')
      .set({ wrapped_key: wrappedKey, master_key_id: masterKeyId })
      .where('client_id', '=', clientId)
      .where('master_key_id', '=', fromMasterKeyId)
      .where('erased_at', 'is', null)
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }
}

/** The settings of `personalDataSettings` (libs/config) a vault is built from. */
export interface PersonalDataVaultConfig {
  personalDataMasterKey: Buffer | undefined;
  personalDataPreviousKeys: Buffer[];
  personalDataKeyCacheMs: number;
}

/** The app's one vault over the `client_key` table (one per process, so erasures clear the one cache). */
export function personalDataVault(db: Kysely<SharedTables>, config: PersonalDataVaultConfig): PersonalDataVault {
  return new PersonalDataVault(new ClientKeyRepository(db), {
    masterKey: config.personalDataMasterKey,
    previousKeys: config.personalDataPreviousKeys,
    cacheTtlMs: config.personalDataKeyCacheMs,
  });
}
