import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

const IV_BYTES = 12;
const TAG_BYTES = 16;
export const DATA_KEY_BYTES = 32;

/** One client's data key as a key store keeps it: wrapped by a master key, or a tombstone once erased. */
export interface StoredClientKey {
  clientId: string;
  /** The data key sealed by the master key `masterKeyId` (base64url); null once erased. */
  wrappedKey: string | null;
  masterKeyId: string | null;
  erasedAt: Date | null;
}

/**
 * Where per-client data keys are kept (a table in production). The vault never keeps a clear
 * data key anywhere but its short-lived memory cache.
 */
export interface ClientKeyStore {
  /**
   * The stored keys of these clients (absent clients are left out), each marked used in the same
   * atomic step (a store may skip renewing a mark far younger than retention's period): retention
   * (which destroys keys unused for a while) never destroys one between this load and what it
   * seals being opened downstream. A key retention destroyed first is absent.
   */
  use(clientIds: readonly string[]): Promise<StoredClientKey[]>;
  /**
   * Stores these new keys unless the client already has a row (a key or a tombstone), and
   * returns the row each client has afterwards: two replicas creating a key for one client at
   * once agree on the first one stored, and an erased client never gets a new key.
   */
  createIfAbsent(
    keys: ReadonlyArray<{ clientId: string; wrappedKey: string; masterKeyId: string }>,
  ): Promise<StoredClientKey[]>;
  /** Destroys the client's key, leaving a tombstone (a tombstone too for a client that had none). Idempotent. */
  erase(clientId: string): Promise<{ erasedAt: Date; newlyErased: boolean }>;
  /** Live keys (not erased) wrapped by another master key than `masterKeyId`, at most `limit`. */
  wrappedByOther(masterKeyId: string, limit: number): Promise<StoredClientKey[]>;
  /** Replaces a live key's wrapping, only if it is still wrapped by `fromMasterKeyId`. */
  rewrap(clientId: string, fromMasterKeyId: string, wrappedKey: string, masterKeyId: string): Promise<boolean>;
}

/** A master key and its id (a digest of the key, so the id says which key without revealing it). */
export interface MasterKey {
  id: string;
  key: Buffer;
}

export function masterKey(key: Buffer): MasterKey {
  if (key.length !== 32) throw new RangeError(`a master key has 32 bytes, not ${key.length}`);
  return { id: `mk-${createHash('sha256').update(key).digest('hex').slice(0, 16)}`, key };
}

/** The data key sealed with AES-256-GCM under the master key, bound to its client (AAD). */
export function wrapDataKey(master: MasterKey, clientId: string, dataKey: Buffer): string {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', master.key, iv);
  cipher.setAAD(Buffer.from(`client-data-key:${clientId}`, 'utf8'));
  const sealed = Buffer.concat([cipher.update(dataKey), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), sealed]).toString('base64url');
}

/** The clear data key, or undefined when `master` did not wrap it for this client. */
export function unwrapDataKey(master: MasterKey, clientId: string, wrapped: string): Buffer | undefined {
  const bytes = Buffer.from(wrapped, 'base64url');
  if (bytes.length !== IV_BYTES + TAG_BYTES + DATA_KEY_BYTES) return undefined;
  try {
    const decipher = createDecipheriv('aes-256-gcm', master.key, bytes.subarray(0, IV_BYTES));
    decipher.setAAD(Buffer.from(`client-data-key:${clientId}`, 'utf8'));
    decipher.setAuthTag(bytes.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
    return Buffer.concat([decipher.update(bytes.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]);
  } catch {
    return undefined;
  }
}
