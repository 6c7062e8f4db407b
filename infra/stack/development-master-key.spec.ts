import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { developmentMasterKey } from './development-master-key';

describe('developmentMasterKey', () => {
  const dir = () => mkdtempSync(join(tmpdir(), 'dev-master-key-'));

  it('makes a 32-byte key once, readable only by its owner, and gives the same key after', () => {
    const file = join(dir(), 'nested', 'personal-data-master-key');
    const first = developmentMasterKey(file);
    expect(first).toEqual({ key: expect.stringMatching(/^[0-9a-f]{64}$/), created: true });
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(developmentMasterKey(file)).toEqual({ key: first.key, created: false });
    expect(readFileSync(file, 'utf8').trim()).toBe(first.key);
  });

  it('refuses a file that does not hold a key rather than sealing with something else', () => {
    const file = join(dir(), 'personal-data-master-key');
    writeFileSync(file, 'not a key\n');
    expect(() => developmentMasterKey(file)).toThrow(/does not hold a 32-byte hex key/);
    expect(readFileSync(file, 'utf8')).toBe('not a key\n');
  });
});
