import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { exportJWK, generateKeyPair, type JWK } from 'jose';

export interface DevKeyPair {
  privateJwk: JWK;
  publicJwks: { keys: JWK[] };
}

const ALG = 'ES256';

/**
 * The local development signing key (ES256), created on first use under `dir` (mode 0600). Two
 * processes creating it at once agree: the first write wins (`wx`), the other reads it.
 */
export async function devKeyPair(dir: string): Promise<DevKeyPair> {
  const file = join(dir, 'signing-key.jwk.json');
  try {
    return fromPrivate(JSON.parse(readFileSync(file, 'utf8')) as JWK);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const { privateKey } = await generateKeyPair(ALG, { extractable: true });
  const jwk = { ...(await exportJWK(privateKey)), alg: ALG, use: 'sig', kid: `dev-${Date.now().toString(36)}` };
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  try {
    writeFileSync(file, JSON.stringify(jwk), { mode: 0o600, flag: 'wx' });
    return fromPrivate(jwk);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    return fromPrivate(JSON.parse(readFileSync(file, 'utf8')) as JWK);
  }
}

function fromPrivate(privateJwk: JWK): DevKeyPair {
  const { d: _secret, ...publicJwk } = privateJwk;
  return { privateJwk, publicJwks: { keys: [publicJwk] } };
}
