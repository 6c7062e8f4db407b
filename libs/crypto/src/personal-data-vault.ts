import { randomBytes } from 'node:crypto';
import {
  DATA_KEY_BYTES,
  masterKey,
  unwrapDataKey,
  wrapDataKey,
  type ClientKeyStore,
  type MasterKey,
  type StoredClientKey,
} from './client-data-keys';
import { ClientKeyCache } from './client-key-cache';
import { PersonalDataError, PersonalDataErrorCode } from './personal-data.error';
import { isSealedPersonal, openWith, sealWith, type SealedPersonal } from './sealed-personal';

export interface PersonalDataVaultOptions {
  /** PERSONAL_DATA_MASTER_KEY (32 bytes); undefined: personal data stays in clear (development only). */
  masterKey: Buffer | undefined;
  /** PERSONAL_DATA_PREVIOUS_KEYS: unwrap data keys they wrapped, never wrap. */
  previousKeys?: readonly Buffer[];
  /** How long a data key (or the knowledge that it was erased) is kept in memory. */
  cacheTtlMs: number;
  /** How many clients' keys are kept in memory at most (default 10,000). */
  maxCachedKeys?: number;
  now?: () => number;
}

/** A client's data key as a call uses it: null once erased, undefined for none (no master key, or not created). */
type DataKey = Buffer | null | undefined;

/** A data key in memory. */
interface CachedKey {
  key: DataKey;
  until: number;
}

/**
 * The one port through which `personal` members are sealed and opened: envelope encryption with a
 * random 256-bit data key per client (AES-256-GCM, the clientId authenticated with the data),
 * each data key wrapped by the master key and kept in a {@link ClientKeyStore}. Erasing a client's
 * key makes every copy of its personal data unreadable, wherever it was copied (Kafka, backups).
 *
 * Keys are cached for `cacheTtlMs`: an erasure takes effect at once in the replica that erased,
 * and in the others within that time. An erased client never gets a new key: `protect` then
 * returns undefined and callers emit the record without `personal`.
 */
export class PersonalDataVault {
  private readonly current: MasterKey | undefined;
  private readonly masters: MasterKey[];
  private readonly cache: ClientKeyCache<CachedKey>;
  private readonly now: () => number;

  constructor(
    private readonly store: ClientKeyStore,
    private readonly options: PersonalDataVaultOptions,
  ) {
    this.current = options.masterKey === undefined ? undefined : masterKey(options.masterKey);
    const previous = (options.previousKeys ?? []).map(masterKey);
    if (this.current === undefined && previous.length > 0)
      throw new RangeError('previous personal data keys need a current key');
    this.masters = [...(this.current ? [this.current] : []), ...previous];
    this.now = options.now ?? Date.now;
    this.cache = new ClientKeyCache(options.maxCachedKeys ?? 10_000);
  }

  /** Whether personal data is sealed (a master key is configured). */
  get sealing(): boolean {
    return this.current !== undefined;
  }

  /**
   * `personal` as it may be written out for this client: sealed (a key is created on first use),
   * in clear without a master key, or undefined once the client was erased.
   */
  async protect<T>(clientId: string, personal: T): Promise<SealedPersonal | T | undefined> {
    const [out] = await this.protectMany([{ clientId, personal }]);
    return out;
  }

  /** {@link protect} for several records: one key store round trip for every client not cached. */
  async protectMany<T>(
    items: ReadonlyArray<{ clientId: string; personal: T }>,
  ): Promise<Array<SealedPersonal | T | undefined>> {
    const keys = await this.load(
      items.map((i) => i.clientId),
      true,
    );
    return items.map(({ clientId, personal }) => {
      const key = keys.get(clientId);
      if (key === null) return undefined;
      if (key === undefined) return personal;
      return sealWith(key, clientId, personal);
    });
  }

  /**
   * The clear `personal` of a record about this client: opened when sealed, as it is when in
   * clear (written before sealing or without a master key), undefined once the client was erased.
   * Throws {@link PersonalDataError} when the value was altered, sealed for another client, or
   * its key is unknown.
   */
  async reveal<T>(clientId: string, personal: SealedPersonal | T): Promise<T | undefined> {
    const [out] = await this.revealMany([{ clientId, personal }]);
    return out;
  }

  async revealMany<T>(
    items: ReadonlyArray<{ clientId: string; personal: SealedPersonal | T }>,
  ): Promise<Array<T | undefined>> {
    const keys = await this.load(
      items.map((i) => i.clientId),
      false,
    );
    const out: Array<T | undefined> = [];
    const stale: number[] = [];
    items.forEach((item, n) => {
      try {
        out.push(revealWith(keys.get(item.clientId), item.clientId, item.personal));
      } catch (error) {
        // A key cached before another replica erased it does not open what was shredded since.
        if (!(error instanceof PersonalDataError) || error.code !== PersonalDataErrorCode.CannotOpen) throw error;
        out.push(undefined);
        stale.push(n);
      }
    });
    if (stale.length === 0) return out;
    for (const n of stale) this.cache.delete(items[n].clientId);
    const reloaded = await this.load(
      stale.map((n) => items[n].clientId),
      false,
    );
    for (const n of stale) out[n] = revealWith(reloaded.get(items[n].clientId), items[n].clientId, items[n].personal);
    return out;
  }

  /**
   * `personal` sealed with a random key that is never kept: the shape of a sealed member, for a
   * record that must keep one (a raw record about an erased client), readable by no one.
   */
  shred(clientId: string, personal: unknown): SealedPersonal {
    return sealWith(randomBytes(DATA_KEY_BYTES), clientId, personal);
  }

  /** Destroys the client's data key (a tombstone stays): every sealed copy of its personal data is unreadable. */
  async erase(clientId: string): Promise<{ erasedAt: Date; newlyErased: boolean }> {
    const result = await this.store.erase(clientId);
    this.cache.set(clientId, { key: null, until: Number.POSITIVE_INFINITY });
    return result;
  }

  /** Whether the client's key was erased (as of the cache). */
  async isErased(clientId: string): Promise<boolean> {
    return (await this.load([clientId], false)).get(clientId) === null;
  }

  /**
   * Re-wraps every live data key not wrapped by the current master key, `batch` at a time. Keys
   * that no configured master key unwraps are left as they are and reported.
   */
  async rotate(batch = 500): Promise<{ rewrapped: number; unopened: string[] }> {
    const current = this.current;
    if (current === undefined) throw new RangeError('no current master key to wrap with');
    let rewrapped = 0;
    const unopened = new Set<string>();
    for (;;) {
      const rows = (await this.store.wrappedByOther(current.id, batch + unopened.size)).filter(
        (r) => !unopened.has(r.clientId),
      );
      if (rows.length === 0) return { rewrapped, unopened: [...unopened] };
      for (const row of rows) {
        const key = this.unwrap(row);
        if (key === undefined) {
          unopened.add(row.clientId);
          continue;
        }
        const done = await this.store.rewrap(
          row.clientId,
          row.masterKeyId ?? '',
          wrapDataKey(current, row.clientId, key),
          current.id,
        );
        if (done) rewrapped++;
      }
    }
  }

  /**
   * The data key of each client, from the cache while fresh, else from the store (created there
   * when sealing). Returned per call rather than read back from the cache, which is bounded and
   * may already have let some of a large batch go.
   */
  private async load(clientIds: readonly string[], create: boolean): Promise<Map<string, DataKey>> {
    const now = this.now();
    const current = this.current;
    // Loading a key marks it used (retention destroys keys unused for days). A cached key then
    // seals and opens for up to the TTL without another mark, so its mark is at most the TTL
    // older than its last use: far inside retention's period, which is days.
    const sealing = create && current !== undefined;
    const keys = new Map<string, DataKey>();
    const wanted: string[] = [];
    for (const id of new Set(clientIds)) {
      const hit = this.cache.fresh(id, now);
      if (hit === undefined) wanted.push(id);
      else keys.set(id, hit.key);
    }
    if (wanted.length === 0) return keys;
    const until = now + this.options.cacheTtlMs;
    const found = await this.store.use(wanted);
    for (const row of found) keys.set(row.clientId, this.remember(row, until));
    const missing = wanted.filter((id) => !keys.has(id));
    if (!sealing) {
      // Without a master key no key is ever created here: "none, not erased" holds for the TTL.
      // With one, a key another replica creates any moment must be found: the next call looks again.
      for (const id of missing) {
        keys.set(id, undefined);
        if (current === undefined) this.cache.set(id, { key: undefined, until });
        else this.cache.delete(id);
      }
      return keys;
    }
    if (missing.length === 0) return keys;
    const created = await this.store.createIfAbsent(
      missing.map((clientId) => ({
        clientId,
        wrappedKey: wrapDataKey(current, clientId, randomBytes(DATA_KEY_BYTES)),
        masterKeyId: current.id,
      })),
    );
    for (const row of created) keys.set(row.clientId, this.remember(row, until));
    return keys;
  }

  /** Caches a stored key (unwrapped) or its tombstone, and gives what was cached. */
  private remember(row: StoredClientKey, until: number): DataKey {
    if (row.erasedAt !== null || row.wrappedKey === null) {
      this.cache.set(row.clientId, { key: null, until });
      return null;
    }
    const key = this.unwrap(row);
    if (key === undefined)
      throw new PersonalDataError(
        PersonalDataErrorCode.MasterKeyMissing,
        `the data key of client ${row.clientId} is wrapped by ${row.masterKeyId}, which is not configured`,
      );
    this.cache.set(row.clientId, { key, until });
    return key;
  }

  private unwrap(row: StoredClientKey): Buffer | undefined {
    if (row.wrappedKey === null) return undefined;
    const byId = this.masters.find((m) => m.id === row.masterKeyId);
    const order = byId ? [byId, ...this.masters.filter((m) => m !== byId)] : this.masters;
    for (const master of order) {
      const key = unwrapDataKey(master, row.clientId, row.wrappedKey);
      if (key !== undefined) return key;
    }
    return undefined;
  }
}

/** The clear value of a member about `clientId`, with the key a call loaded for it. */
function revealWith<T>(key: DataKey, clientId: string, personal: SealedPersonal | T): T | undefined {
  if (key === null) return undefined;
  if (!isSealedPersonal(personal)) return personal;
  if (personal.keyId !== clientId)
    throw new PersonalDataError(PersonalDataErrorCode.OtherClient, 'the personal data was sealed for another client');
  if (key === undefined)
    throw new PersonalDataError(PersonalDataErrorCode.NoKey, 'no data key is known for this client');
  return openWith(key, clientId, personal) as T;
}
