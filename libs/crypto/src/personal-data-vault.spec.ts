import { randomBytes, randomUUID } from 'node:crypto';
import { MapKeyStore } from '../../../test/support/map-key-store';
import { masterKey } from './client-data-keys';
import { PersonalDataErrorCode } from './personal-data.error';
import { PersonalDataVault } from './personal-data-vault';
import { isSealedPersonal, type SealedPersonal } from './sealed-personal';

const person = {
  name: { given: 'Amélie', family: 'Tremblay' },
  birthDate: '1988-04-12',
  contact: { phone: '+14165550123', address: { postalCode: 'M5V 2T6' } },
  links: [{ system: 'sams', sourceId: '123456789', linkedAt: '2026-01-05T10:00:00Z' }],
};

async function code(promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await promise;
    return undefined;
  } catch (error) {
    return (error as { code?: string }).code;
  }
}

describe('PersonalDataVault', () => {
  const master = randomBytes(32);
  const client = randomUUID();
  const other = randomUUID();

  it('seals so that nothing of the person is readable, and opens it again for the same client', async () => {
    const vault = new PersonalDataVault(new MapKeyStore(), { masterKey: master, cacheTtlMs: 30_000 });
    const sealed = await vault.protect(client, person);
    expect(isSealedPersonal(sealed)).toBe(true);
    const text = JSON.stringify(sealed);
    for (const clear of ['Amélie', 'Tremblay', '1988-04-12', '5550123', 'M5V', '123456789'])
      expect(text).not.toContain(clear);
    expect(sealed).toMatchObject({ keyId: client, alg: 'A256GCM' });
    expect(await vault.reveal(client, sealed)).toEqual(person);
    // A fresh IV each time.
    expect((await vault.protect(client, person)) as SealedPersonal).not.toEqual(sealed);
  });

  it('another replica with the same master key and store opens it', async () => {
    const store = new MapKeyStore();
    const sealed = await new PersonalDataVault(store, { masterKey: master, cacheTtlMs: 30_000 }).protect(
      client,
      person,
    );
    const replica = new PersonalDataVault(store, { masterKey: master, cacheTtlMs: 30_000 });
    expect(await replica.reveal(client, sealed)).toEqual(person);
    const stranger = new PersonalDataVault(store, { masterKey: randomBytes(32), cacheTtlMs: 30_000 });
    expect(await code(stranger.reveal(client, sealed))).toBe(PersonalDataErrorCode.MasterKeyMissing);
  });

  it('refuses personal data sealed for another client, altered or truncated', async () => {
    const vault = new PersonalDataVault(new MapKeyStore(), { masterKey: master, cacheTtlMs: 30_000 });
    const sealed = (await vault.protect(client, person)) as SealedPersonal;
    await vault.protect(other, person);
    expect(await code(vault.reveal(other, sealed))).toBe(PersonalDataErrorCode.OtherClient);
    // Relabelled for the other client: its key and the AAD (the clientId) both refuse it.
    expect(await code(vault.reveal(other, { ...sealed, keyId: other }))).toBe(PersonalDataErrorCode.CannotOpen);
    const bytes = Buffer.from(sealed.ciphertext, 'base64url');
    bytes[0] ^= 1;
    const tampered = { ...sealed, ciphertext: bytes.toString('base64url') };
    expect(await code(vault.reveal(client, tampered))).toBe(PersonalDataErrorCode.CannotOpen);
    expect(await code(vault.reveal(client, { ...sealed, ciphertext: 'AAAA' }))).toBe(PersonalDataErrorCode.CannotOpen);
    expect(await code(vault.reveal(randomUUID(), { ...sealed, keyId: 'x' }))).toBe(PersonalDataErrorCode.OtherClient);
  });

  it('once erased: nothing opens, nothing is sealed, and no new key is ever created', async () => {
    const store = new MapKeyStore();
    const vault = new PersonalDataVault(store, { masterKey: master, cacheTtlMs: 30_000 });
    const sealed = await vault.protect(client, person);
    expect(await vault.erase(client)).toMatchObject({ newlyErased: true });
    expect(await vault.erase(client)).toMatchObject({ newlyErased: false });
    expect(store.rows.get(client)).toMatchObject({ wrappedKey: null, masterKeyId: null });
    expect(await vault.reveal(client, sealed)).toBeUndefined();
    expect(await vault.protect(client, person)).toBeUndefined();
    // Plain personal data (written before sealing) of an erased client is dropped too.
    expect(await vault.reveal(client, person)).toBeUndefined();
    const fresh = new PersonalDataVault(store, { masterKey: master, cacheTtlMs: 30_000 });
    expect(await fresh.protect(client, person)).toBeUndefined();
    expect(store.rows.get(client)?.wrappedKey).toBeNull();
  });

  it('an erasure in another replica takes effect there once its cached key expires', async () => {
    const store = new MapKeyStore();
    let now = 1_000;
    const replica = new PersonalDataVault(store, { masterKey: master, cacheTtlMs: 30_000, now: () => now });
    const sealed = await replica.protect(client, person);
    await new PersonalDataVault(store, { masterKey: master, cacheTtlMs: 30_000 }).erase(client);
    expect(await replica.reveal(client, sealed)).toEqual(person);
    // What was shredded since does not open with the stale key: the replica looks again and learns the erasure.
    expect(await replica.reveal(client, replica.shred(client, person))).toBeUndefined();
    expect(await replica.protect(client, person)).toBeUndefined();
    now += 30_000;
    expect(await replica.reveal(client, sealed)).toBeUndefined();
  });

  it('marks a key used whenever it is loaded, to seal or to open, once per cache period', async () => {
    let now = 1_000;
    const store = new MapKeyStore(() => now);
    const sealer = new PersonalDataVault(store, { masterKey: master, cacheTtlMs: 30_000, now: () => now });
    const sealed = await sealer.protect(client, person);
    expect(store.usedAt.get(client)).toBe(1_000);
    now += 60_000;
    const replica = new PersonalDataVault(store, { masterKey: master, cacheTtlMs: 30_000, now: () => now });
    expect(await replica.reveal(client, sealed)).toEqual(person);
    expect(store.usedAt.get(client)).toBe(61_000);
    const finds = store.finds;
    // Cached: sealing and opening again within the period neither asks the store nor marks again.
    now += 10_000;
    await replica.protectMany([client, client].map((clientId) => ({ clientId, personal: person })));
    expect(await replica.reveal(client, sealed)).toEqual(person);
    expect(store.finds).toBe(finds);
    expect(store.usedAt.get(client)).toBe(61_000);
    // Past the period the next load marks it again.
    now += 30_000;
    await replica.protect(client, person);
    expect(store.usedAt.get(client)).toBe(101_000);
  });

  it('once retention destroyed a key: the next seal makes a new one, and what the old one sealed never opens', async () => {
    let now = 1_000;
    const store = new MapKeyStore(() => now);
    const vault = new PersonalDataVault(store, { masterKey: master, cacheTtlMs: 30_000, now: () => now });
    const sealed = await vault.protect(client, person);
    const destroyed = store.rows.get(client)!.wrappedKey;
    store.rows.delete(client); // as retention deletes the row: no tombstone
    now += 30_000;
    expect(await code(vault.reveal(client, sealed))).toBe(PersonalDataErrorCode.NoKey);
    const resealed = await vault.protect(client, person);
    expect(isSealedPersonal(resealed)).toBe(true);
    expect(store.rows.get(client)).toMatchObject({ erasedAt: null, wrappedKey: expect.any(String) });
    expect(store.rows.get(client)!.wrappedKey).not.toBe(destroyed);
    expect(await vault.reveal(client, resealed)).toEqual(person);
    expect(await code(vault.reveal(client, sealed))).toBe(PersonalDataErrorCode.CannotOpen);
    const replica = new PersonalDataVault(store, { masterKey: master, cacheTtlMs: 30_000 });
    expect(await code(replica.reveal(client, sealed))).toBe(PersonalDataErrorCode.CannotOpen);
  });

  it('loads the keys of a batch in one store round trip', async () => {
    const store = new MapKeyStore();
    const vault = new PersonalDataVault(store, { masterKey: master, cacheTtlMs: 30_000 });
    const ids = Array.from({ length: 50 }, () => randomUUID());
    const sealed = await vault.protectMany(ids.map((clientId) => ({ clientId, personal: person })));
    expect(store.finds).toBe(1);
    expect(await vault.revealMany(ids.map((clientId, n) => ({ clientId, personal: sealed[n]! })))).toEqual(
      ids.map(() => person),
    );
    expect(store.finds).toBe(1);
  });

  it('keeps at most maxCachedKeys in memory, yet seals and opens a larger batch whole', async () => {
    const store = new MapKeyStore();
    const vault = new PersonalDataVault(store, { masterKey: master, cacheTtlMs: 60_000, maxCachedKeys: 10 });
    const ids = Array.from({ length: 25 }, () => randomUUID());
    const sealed = await vault.protectMany(ids.map((clientId) => ({ clientId, personal: person })));
    // Every item sealed, none passed in clear though most keys no longer fit in the cache.
    expect(sealed.every((s) => isSealedPersonal(s))).toBe(true);
    expect(await vault.revealMany(ids.map((clientId, n) => ({ clientId, personal: sealed[n]! })))).toEqual(
      ids.map(() => person),
    );
    // Opening loaded ids 0-14 again (15-24 were cached), so the last 10 stored are ids 5-14:
    // opening them again asks the store nothing, opening id 0 asks once.
    const finds = store.finds;
    await vault.revealMany(ids.slice(5, 15).map((clientId, n) => ({ clientId, personal: sealed[5 + n]! })));
    expect(store.finds).toBe(finds);
    await vault.reveal(ids[0], sealed[0]!);
    expect(store.finds).toBe(finds + 1);
  });

  it('rotation re-wraps every key under the current master key; previous keys open until then', async () => {
    const store = new MapKeyStore();
    const old = randomBytes(32);
    const before = new PersonalDataVault(store, { masterKey: old, cacheTtlMs: 0 });
    const sealed = await before.protect(client, person);
    await before.protect(other, person);
    await before.erase(other);
    const after = new PersonalDataVault(store, { masterKey: master, previousKeys: [old], cacheTtlMs: 0 });
    expect(await after.reveal(client, sealed)).toEqual(person);
    expect(await after.rotate(1)).toEqual({ rewrapped: 1, unopened: [] });
    expect(store.rows.get(client)?.masterKeyId).toBe(masterKey(master).id);
    expect(await after.rotate()).toEqual({ rewrapped: 0, unopened: [] });
    const withoutOld = new PersonalDataVault(store, { masterKey: master, cacheTtlMs: 0 });
    expect(await withoutOld.reveal(client, sealed)).toEqual(person);
    // A key no configured master key unwraps is reported, not lost.
    const lost = randomUUID();
    await new PersonalDataVault(store, { masterKey: randomBytes(32), cacheTtlMs: 0 }).protect(lost, person);
    expect(await withoutOld.rotate()).toEqual({ rewrapped: 0, unopened: [lost] });
  });

  it('without a master key keeps personal data in clear, but still drops it once erased', async () => {
    const vault = new PersonalDataVault(new MapKeyStore(), { masterKey: undefined, cacheTtlMs: 30_000 });
    expect(vault.sealing).toBe(false);
    expect(await vault.protect(client, person)).toEqual(person);
    await vault.erase(client);
    expect(await vault.protect(client, person)).toBeUndefined();
    expect(
      () => new PersonalDataVault(new MapKeyStore(), { masterKey: undefined, previousKeys: [master], cacheTtlMs: 1 }),
    ).toThrow(RangeError);
  });
});
