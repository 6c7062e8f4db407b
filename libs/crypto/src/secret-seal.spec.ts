import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { SecretSeal, SecretSealErrorCode } from './secret-seal';

describe('SecretSeal', () => {
  const key = randomBytes(32);
  const seal = new SecretSeal(key);

  it('seals so that the stored value holds nothing of the secret, and opens it for the same row', () => {
    const secret = 'whsec_3q2-7wAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';
    const stored = seal.seal(secret, 'sub-1');
    expect(stored).toMatch(/^sealed:v1:[A-Za-z0-9_-]+$/);
    expect(stored).not.toContain('whsec_');
    expect(seal.open(stored, 'sub-1')).toBe(secret);
    // A fresh IV each time: the same secret never seals to the same value.
    expect(seal.seal(secret, 'sub-1')).not.toBe(stored);
  });

  it('round-trips any secret', () => {
    fc.assert(
      fc.property(fc.string(), fc.uuid(), (secret, row) => expect(seal.open(seal.seal(secret, row), row)).toBe(secret)),
    );
  });

  it('refuses another row, another key, an altered or truncated value, and a missing key', () => {
    const stored = seal.seal('whsec_x', 'sub-1');
    const code = (fn: () => unknown) => {
      try {
        fn();
      } catch (error) {
        return (error as { code: string }).code;
      }
      return 'opened';
    };
    expect(code(() => seal.open(stored, 'sub-2'))).toBe(SecretSealErrorCode.CannotOpen);
    expect(code(() => new SecretSeal(randomBytes(32)).open(stored, 'sub-1'))).toBe(SecretSealErrorCode.CannotOpen);
    const altered = stored.slice(0, -2) + (stored.endsWith('AA') ? 'BB' : 'AA');
    expect(code(() => seal.open(altered, 'sub-1'))).toBe(SecretSealErrorCode.CannotOpen);
    expect(code(() => seal.open('sealed:v1:abc', 'sub-1'))).toBe(SecretSealErrorCode.CannotOpen);
    expect(code(() => new SecretSeal(undefined).open(stored, 'sub-1'))).toBe(SecretSealErrorCode.KeyMissing);
  });

  it('keeps secrets as they are without a key, and opens values kept in clear before a key was set', () => {
    const clear = new SecretSeal(undefined);
    expect(clear.seal('whsec_x', 'sub-1')).toBe('whsec_x');
    expect(seal.open('whsec_x', 'sub-1')).toBe('whsec_x');
  });

  it('takes only 32-byte keys', () => {
    expect(() => new SecretSeal(randomBytes(16))).toThrow(RangeError);
    expect(() => new SecretSeal(key, [randomBytes(31)])).toThrow(RangeError);
  });

  describe('rotation', () => {
    const oldKey = randomBytes(32);
    const before = new SecretSeal(oldKey);
    const newKey = randomBytes(32);
    const rotated = new SecretSeal(newKey, [oldKey]);

    it('opens what a previous key sealed, and seals only with the current one', () => {
      const old = before.seal('whsec_old', 'sub-1');
      expect(rotated.open(old, 'sub-1')).toBe('whsec_old');
      const fresh = rotated.seal('whsec_new', 'sub-1');
      expect(() => before.open(fresh, 'sub-1')).toThrow(
        expect.objectContaining({ code: SecretSealErrorCode.CannotOpen }),
      );
    });

    it("reseals a previous key's value and a clear one onto the current key, and leaves a current one as it is", () => {
      const old = before.seal('whsec_old', 'sub-1');
      const moved = rotated.reseal(old, 'sub-1');
      expect(moved).not.toBe('current');
      // Once resealed, the previous key can go.
      const withoutOldKey = new SecretSeal(newKey);
      expect(withoutOldKey.open(moved, 'sub-1')).toBe('whsec_old');
      expect(withoutOldKey.open(rotated.reseal('whsec_clear', 'sub-2'), 'sub-2')).toBe('whsec_clear');
      expect(rotated.reseal(rotated.seal('whsec_new', 'sub-3'), 'sub-3')).toBe('current');
    });

    it('refuses to reseal what no configured key opens, and a value moved to another row', () => {
      const foreign = new SecretSeal(randomBytes(32)).seal('whsec_x', 'sub-1');
      expect(() => rotated.reseal(foreign, 'sub-1')).toThrow(
        expect.objectContaining({ code: SecretSealErrorCode.CannotOpen }),
      );
      expect(() => rotated.reseal(before.seal('whsec_x', 'sub-1'), 'sub-2')).toThrow(
        expect.objectContaining({ code: SecretSealErrorCode.CannotOpen }),
      );
    });

    it('wants a current key beside previous ones, and keeps clear values clear without any key', () => {
      expect(() => new SecretSeal(undefined, [oldKey])).toThrow('previous secret keys need a current key');
      expect(new SecretSeal(undefined).reseal('whsec_x', 'sub-1')).toBe('current');
    });
  });
});
