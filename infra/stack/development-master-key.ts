import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * The development master key `npm start` seals personal data with when PERSONAL_DATA_MASTER_KEY
 * is not set: made once (32 random bytes, hex, mode 0600) and kept, so what a restarted stack
 * sealed before still opens. A deployment sets its own key; the apps refuse to start without one.
 */
export function developmentMasterKey(file: string): { key: string; created: boolean } {
  try {
    const key = readFileSync(file, 'utf8').trim();
    if (!/^[0-9a-f]{64}$/.test(key))
      throw new Error(`${file} does not hold a 32-byte hex key: delete it to have a new one made`);
    return { key, created: false };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const key = randomBytes(32).toString('hex');
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  // `wx`: two stacks starting at once never overwrite each other's key.
  try {
    writeFileSync(file, `${key}\n`, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return developmentMasterKey(file);
    throw error;
  }
  return { key, created: true };
}
