import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { PersonalDataError, PersonalDataErrorCode } from './personal-data.error';

const IV_BYTES = 12;
const TAG_BYTES = 16;

/** The `personal` member of a record sealed with its client's data key (schemas/canonical/sealed-personal.json). */
export interface SealedPersonal {
  /** The client whose data key sealed it (its `clientId`). */
  keyId: string;
  alg: 'A256GCM';
  /** base64url, 12 bytes. */
  iv: string;
  /** base64url of the ciphertext followed by the 16-byte GCM tag. */
  ciphertext: string;
}

export function isSealedPersonal(value: unknown): value is SealedPersonal {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as Record<string, unknown>;
  return (
    candidate.alg === 'A256GCM' &&
    typeof candidate.keyId === 'string' &&
    typeof candidate.iv === 'string' &&
    typeof candidate.ciphertext === 'string'
  );
}

function aad(clientId: string): Buffer {
  return Buffer.from(`personal:${clientId}`, 'utf8');
}

export function sealWith(key: Buffer, clientId: string, personal: unknown): SealedPersonal {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(aad(clientId));
  const body = Buffer.concat([cipher.update(JSON.stringify(personal), 'utf8'), cipher.final(), cipher.getAuthTag()]);
  return { keyId: clientId, alg: 'A256GCM', iv: iv.toString('base64url'), ciphertext: body.toString('base64url') };
}

export function openWith(key: Buffer, clientId: string, sealed: SealedPersonal): unknown {
  const iv = Buffer.from(sealed.iv, 'base64url');
  const body = Buffer.from(sealed.ciphertext, 'base64url');
  if (iv.length !== IV_BYTES || body.length < TAG_BYTES)
    throw new PersonalDataError(PersonalDataErrorCode.CannotOpen, 'the sealed personal data is truncated');
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, iv);
    decipher.setAAD(aad(clientId));
    decipher.setAuthTag(body.subarray(body.length - TAG_BYTES));
    const clear = Buffer.concat([decipher.update(body.subarray(0, body.length - TAG_BYTES)), decipher.final()]);
    return JSON.parse(clear.toString('utf8')) as unknown;
  } catch {
    throw new PersonalDataError(
      PersonalDataErrorCode.CannotOpen,
      'the sealed personal data does not open with its client key (altered or sealed for another client)',
    );
  }
}
