import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

const PREFIX = 'sealed:v1:';
const IV_BYTES = 12;
const TAG_BYTES = 16;

export enum SecretSealErrorCode {
  /** A sealed value, but no key configured to open it. */
  KeyMissing = 'SECRET_KEY_MISSING',
  /** Another key sealed it, it belongs to another row, or it was altered. */
  CannotOpen = 'SECRET_CANNOT_OPEN',
}

export class SecretSealError extends Error {
  constructor(
    readonly code: SecretSealErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'SecretSealError';
  }
}

/**
 * A secret the service must use again (a webhook signing secret: the dispatcher signs with it)
 * kept in a column sealed with AES-256-GCM under a key setting, so a copy of the database (a
 * backup, a replica, a leaked dump) does not hand out the secrets without the key too. The row
 * it belongs to (`context`, e.g. the subscription id) is authenticated with it: a sealed value
 * copied onto another row does not open. Without a key (development) secrets are kept as they
 * are; a value stored in clear before a key was set still opens, so setting one needs no
 * migration (rows registered later are sealed).
 *
 * Rotation: new values are sealed with the current key; values sealed with a previous key
 * (`previousKeys`) still open, and {@link reseal} moves one onto the current key, so a previous
 * key can be dropped once every row was resealed.
 */
export class SecretSeal {
  constructor(
    private readonly key: Buffer | undefined,
    private readonly previousKeys: readonly Buffer[] = [],
  ) {
    for (const k of [...(key ? [key] : []), ...previousKeys]) {
      if (k.length !== 32) throw new RangeError(`a secret key has 32 bytes, not ${k.length}`);
    }
    // Previous keys only open what they sealed: without a current key, new secrets would stay in clear.
    if (key === undefined && previousKeys.length > 0) throw new RangeError('previous secret keys need a current key');
  }

  seal(secret: string, context: string): string {
    if (this.key === undefined) return secret;
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(Buffer.from(context, 'utf8'));
    const sealed = Buffer.concat([cipher.update(secret, 'utf8'), cipher.final()]);
    return `${PREFIX}${Buffer.concat([iv, cipher.getAuthTag(), sealed]).toString('base64url')}`;
  }

  open(stored: string, context: string): string {
    return this.opened(stored, context).secret;
  }

  /**
   * `stored` sealed with the current key: unchanged (`'current'`) when it already is, else the
   * value to store instead (a secret kept in clear or sealed with a previous key). Throws as
   * {@link open} does when it cannot be opened.
   */
  // eslint-disable-next-line @typescript-eslint/no-redundant-type-constituents -- names the sentinel callers test for
  reseal(stored: string, context: string): string | 'current' {
    const { secret, byCurrent } = this.opened(stored, context);
    if (byCurrent || this.key === undefined) return 'current';
    return this.seal(secret, context);
  }

  private opened(stored: string, context: string): { secret: string; byCurrent: boolean } {
    if (!stored.startsWith(PREFIX)) return { secret: stored, byCurrent: false };
    if (this.key === undefined) {
      throw new SecretSealError(
        SecretSealErrorCode.KeyMissing,
        'the secret is sealed and no key is configured to open it',
      );
    }
    const bytes = Buffer.from(stored.slice(PREFIX.length), 'base64url');
    if (bytes.length < IV_BYTES + TAG_BYTES)
      throw new SecretSealError(SecretSealErrorCode.CannotOpen, 'the sealed secret is truncated');
    for (const key of [this.key, ...this.previousKeys]) {
      const secret = openWith(key, bytes, context);
      if (secret !== undefined) return { secret, byCurrent: key === this.key };
    }
    throw new SecretSealError(
      SecretSealErrorCode.CannotOpen,
      'the sealed secret does not open with the configured keys for this row',
    );
  }
}

/** The secret, or undefined when `key` did not seal `bytes` for `context` (GCM's tag check). */
function openWith(key: Buffer, bytes: Buffer, context: string): string | undefined {
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, bytes.subarray(0, IV_BYTES));
    decipher.setAAD(Buffer.from(context, 'utf8'));
    decipher.setAuthTag(bytes.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
    return Buffer.concat([decipher.update(bytes.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8');
  } catch {
    return undefined;
  }
}
