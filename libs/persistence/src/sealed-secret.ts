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
 */
export class SecretSeal {
  constructor(private readonly key: Buffer | undefined) {
    if (key !== undefined && key.length !== 32) throw new RangeError(`a secret key has 32 bytes, not ${key.length}`);
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
    if (!stored.startsWith(PREFIX)) return stored;
    if (this.key === undefined) {
      throw new SecretSealError(SecretSealErrorCode.KeyMissing, 'the secret is sealed and no key is configured to open it');
    }
    const bytes = Buffer.from(stored.slice(PREFIX.length), 'base64url');
    if (bytes.length < IV_BYTES + TAG_BYTES) throw new SecretSealError(SecretSealErrorCode.CannotOpen, 'the sealed secret is truncated');
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key, bytes.subarray(0, IV_BYTES));
      decipher.setAAD(Buffer.from(context, 'utf8'));
      decipher.setAuthTag(bytes.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
      return Buffer.concat([decipher.update(bytes.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8');
    } catch {
      throw new SecretSealError(SecretSealErrorCode.CannotOpen, 'the sealed secret does not open with this key for this row');
    }
  }
}
