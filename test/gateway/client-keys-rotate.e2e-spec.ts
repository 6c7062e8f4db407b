import { randomBytes, randomUUID } from 'node:crypto';
import { masterKey, PersonalDataVault, type SealedPersonal } from '@passerelle/crypto';
import { ClientKeyRepository, type DatabaseHandle } from '@passerelle/persistence';
import { dropSuiteDatabase, openSuiteDatabase, testDatabaseUrl } from '../support/database';
import { runTool } from '../support/run-tool';

const person = { name: { givenName: 'Éloïse', familyName: 'Côté-Tremblay' }, birthDate: '1991-07-23' };

/** `npm run keys:rotate` (infra/tools/rotate-client-keys.ts) on a schema of its own, over the real `client_key` table. */
describe('client data key rotation (npm run keys:rotate)', () => {
  let database: DatabaseHandle;
  const oldKey = randomBytes(32);
  const newKey = randomBytes(32);
  const strangerKey = randomBytes(32);
  const ids = { old: [randomUUID(), randomUUID(), randomUUID()], stranger: randomUUID(), erased: randomUUID() };
  const sealed = new Map<string, SealedPersonal>();

  const vault = (key: Buffer, previousKeys: Buffer[] = []) =>
    new PersonalDataVault(new ClientKeyRepository(database.db), { masterKey: key, previousKeys, cacheTtlMs: 1 });
  const row = (clientId: string) =>
    database.db
      .selectFrom('client_key')
      .select(['wrapped_key', 'master_key_id', 'erased_at'])
      .where('client_id', '=', clientId)
      .executeTakeFirstOrThrow();
  const rotate = (env: Record<string, string>) =>
    runTool('rotate-client-keys', [], {
      DATABASE_URL: testDatabaseUrl(),
      DATABASE_SCHEMA: database.schema,
      PERSONAL_DATA_MASTER_KEY: '',
      PERSONAL_DATA_PREVIOUS_KEYS: '',
      ...env,
    });

  beforeAll(async () => {
    database = await openSuiteDatabase('client_keys_rotate');
    for (const id of [...ids.old, ids.erased])
      sealed.set(id, (await vault(oldKey).protect(id, person)) as SealedPersonal);
    sealed.set(ids.stranger, (await vault(strangerKey).protect(ids.stranger, person)) as SealedPersonal);
    expect(await vault(oldKey).erase(ids.erased)).toMatchObject({ newlyErased: true });
  });

  afterAll(async () => {
    await dropSuiteDatabase(database);
  });

  it("re-wraps the previous key's data keys under the new one, names the one it cannot unwrap and leaves it as it was", async () => {
    const strangerBefore = await row(ids.stranger);
    const run = await rotate({
      PERSONAL_DATA_MASTER_KEY: newKey.toString('hex'),
      PERSONAL_DATA_PREVIOUS_KEYS: oldKey.toString('base64'),
    });
    expect({ code: run.code, report: JSON.parse(run.stdout) }).toEqual({
      code: 1,
      report: { rewrapped: 3, unopened: [ids.stranger] },
    });
    expect(await row(ids.stranger)).toEqual(strangerBefore);
    // The erased client stays a tombstone: rotation never brings a key back.
    expect(await row(ids.erased)).toMatchObject({
      wrapped_key: null,
      master_key_id: null,
      erased_at: expect.any(Date),
    });

    // The previous key can go: the new key alone opens what was sealed before the rotation.
    for (const id of ids.old) {
      expect((await row(id)).master_key_id).toBe(masterKey(newKey).id);
      expect(await vault(newKey).reveal(id, sealed.get(id)!)).toEqual(person);
    }
    await expect(vault(oldKey).reveal(ids.old[0], sealed.get(ids.old[0])!)).rejects.toMatchObject({
      code: 'PERSONAL_DATA_MASTER_KEY_MISSING',
    });
    expect(await vault(newKey).reveal(ids.erased, sealed.get(ids.erased)!)).toBeUndefined();
  }, 60_000);

  it('leaves keys already under the current master key alone when run again, and exits 0 once every key unwraps', async () => {
    const before = await row(ids.old[0]);
    const run = await rotate({
      PERSONAL_DATA_MASTER_KEY: newKey.toString('hex'),
      PERSONAL_DATA_PREVIOUS_KEYS: `${oldKey.toString('hex')},${strangerKey.toString('hex')}`,
    });
    expect({ code: run.code, report: JSON.parse(run.stdout) }).toEqual({
      code: 0,
      report: { rewrapped: 1, unopened: [] },
    });
    expect(await row(ids.old[0])).toEqual(before);
    expect(await vault(newKey).reveal(ids.stranger, sealed.get(ids.stranger)!)).toEqual(person);
  }, 60_000);

  it('refuses to run without a current key, or with a previous key of the wrong size, changing nothing', async () => {
    const before = await row(ids.old[1]);
    const noKey = await rotate({ PERSONAL_DATA_MASTER_KEY: 'clear' });
    expect({ code: noKey.code, stdout: noKey.stdout }).toEqual({ code: 2, stdout: '' });
    expect(noKey.stderr).toContain('PERSONAL_DATA_MASTER_KEY is `clear`');
    const emptyKey = await rotate({});
    expect({ code: emptyKey.code, stdout: emptyKey.stdout }).toEqual({ code: 1, stdout: '' });
    expect(emptyKey.stderr).toContain('PERSONAL_DATA_MASTER_KEY: is empty');
    const badPrevious = await rotate({
      PERSONAL_DATA_MASTER_KEY: newKey.toString('hex'),
      PERSONAL_DATA_PREVIOUS_KEYS: 'c2hvcnQ=',
    });
    expect(badPrevious.code).toBe(1);
    expect(badPrevious.stderr).toContain('PERSONAL_DATA_PREVIOUS_KEYS: key 1 must hold exactly 32 bytes');
    expect(await row(ids.old[1])).toEqual(before);
  }, 60_000);

  it('erasing twice keeps the first erasure time; erasing a client that never had a key leaves a tombstone', async () => {
    const keys = new ClientKeyRepository(database.db);
    const first = (await row(ids.erased)).erased_at;
    expect(await keys.erase(ids.erased)).toEqual({ erasedAt: first, newlyErased: false });
    const unknown = randomUUID();
    expect(await keys.erase(unknown)).toMatchObject({ newlyErased: true });
    expect(await vault(newKey).protect(unknown, person)).toBeUndefined();
    expect(await row(unknown)).toMatchObject({ wrapped_key: null, erased_at: expect.any(Date) });
  }, 60_000);
});
