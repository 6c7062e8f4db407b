import type { ClientKeyStore, StoredClientKey } from '@passerelle/crypto';

/** The key store contract over a Map, for unit specs only (the table one is tested e2e). */
export class MapKeyStore implements ClientKeyStore {
  readonly rows = new Map<string, StoredClientKey>();
  /** When each key was last used (`client_key.used_at`): set by use() and on creation. */
  readonly usedAt = new Map<string, number>();
  finds = 0;
  constructor(private readonly clock: () => number = Date.now) {}
  use(ids: readonly string[]): Promise<StoredClientKey[]> {
    this.finds++;
    for (const id of ids) if (this.rows.has(id)) this.usedAt.set(id, this.clock());
    return Promise.resolve(ids.flatMap((id) => (this.rows.has(id) ? [{ ...this.rows.get(id)! }] : [])));
  }
  createIfAbsent(keys: ReadonlyArray<{ clientId: string; wrappedKey: string; masterKeyId: string }>) {
    return Promise.resolve(
      keys.map((k) => {
        if (!this.rows.has(k.clientId)) {
          this.rows.set(k.clientId, { ...k, erasedAt: null });
          this.usedAt.set(k.clientId, this.clock());
        }
        return { ...this.rows.get(k.clientId)! };
      }),
    );
  }
  erase(clientId: string) {
    const row = this.rows.get(clientId);
    if (row?.erasedAt) return Promise.resolve({ erasedAt: row.erasedAt, newlyErased: false });
    const erasedAt = new Date();
    this.rows.set(clientId, { clientId, wrappedKey: null, masterKeyId: null, erasedAt });
    return Promise.resolve({ erasedAt, newlyErased: true });
  }
  wrappedByOther(masterKeyId: string, limit: number) {
    return Promise.resolve(
      [...this.rows.values()]
        .filter((r) => r.wrappedKey !== null && r.masterKeyId !== masterKeyId)
        .slice(0, limit)
        .map((r) => ({ ...r })),
    );
  }
  rewrap(clientId: string, from: string, wrappedKey: string, masterKeyId: string) {
    const row = this.rows.get(clientId);
    if (!row || row.masterKeyId !== from || row.wrappedKey === null) return Promise.resolve(false);
    this.rows.set(clientId, { ...row, wrappedKey, masterKeyId });
    return Promise.resolve(true);
  }
}
