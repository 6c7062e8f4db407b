import { randomBytes, randomUUID } from 'node:crypto';
import { SecretSeal } from '@passerelle/crypto';
import type { DatabaseHandle } from '@passerelle/persistence';
import { WebhookSubscriptionRepository } from '../../apps/gateway/src/webhooks/webhook-subscription-repository';
import { dropSuiteDatabase, openSuiteDatabase, testDatabaseUrl } from '../support/database';
import { runTool } from '../support/run-tool';

const ORG = 'ow:toronto';

/** `npm run webhooks:reseal` (infra/tools/reseal-webhook-secrets.ts) on a schema of its own. */
describe('webhook secret key rotation (npm run webhooks:reseal)', () => {
  let database: DatabaseHandle;
  const oldKey = randomBytes(32);
  const newKey = randomBytes(32);
  const strangerKey = randomBytes(32);
  const ids = {
    old: [randomUUID(), randomUUID(), randomUUID()],
    clear: randomUUID(),
    stranger: randomUUID(),
    deleted: randomUUID(),
  };

  const repository = (seal: SecretSeal) => new WebhookSubscriptionRepository(database, seal);
  const register = (seal: SecretSeal, id: string) =>
    repository(seal).insertWithin(100, {
      id,
      org: ORG,
      url: 'https://hooks.example.ca/passerelle',
      changes: null,
      description: null,
      secret: `whsec_${id}`,
    });
  const storedSecret = async (id: string) =>
    (
      await database.db
        .selectFrom('webhook_subscription')
        .select('secret')
        .where('id', '=', id)
        .executeTakeFirstOrThrow()
    ).secret;

  const reseal = (env: Record<string, string>) =>
    runTool('reseal-webhook-secrets', [], {
      DATABASE_URL: testDatabaseUrl(),
      DATABASE_SCHEMA: database.schema,
      WEBHOOK_SECRET_KEY: '',
      WEBHOOK_SECRET_PREVIOUS_KEYS: '',
      ...env,
    });

  beforeAll(async () => {
    database = await openSuiteDatabase('webhook_reseal');
    for (const id of ids.old) await register(new SecretSeal(oldKey), id);
    await register(new SecretSeal(undefined), ids.clear);
    await register(new SecretSeal(strangerKey), ids.stranger);
    await register(new SecretSeal(oldKey), ids.deleted);
    await database.db
      .updateTable('webhook_subscription')
      .set({ deleted_at: new Date().toISOString(), secret: null })
      .where('id', '=', ids.deleted)
      .execute();
  });

  afterAll(async () => {
    await dropSuiteDatabase(database);
  });

  it("moves the previous key's secrets and clear ones onto the new key, names the one it cannot open and leaves it as it was", async () => {
    const strangerBefore = await storedSecret(ids.stranger);
    const run = await reseal({
      WEBHOOK_SECRET_KEY: newKey.toString('hex'),
      WEBHOOK_SECRET_PREVIOUS_KEYS: oldKey.toString('base64'),
    });
    expect(run.code).toBe(1);
    expect(JSON.parse(run.stdout)).toEqual({
      resealed: 4,
      current: 0,
      unopened: [{ id: ids.stranger, code: 'SECRET_CANNOT_OPEN' }],
    });
    expect(await storedSecret(ids.stranger)).toBe(strangerBefore);
    expect(await storedSecret(ids.deleted)).toBeNull();

    // The previous key can go: the new key alone opens every resealed secret, for its own row only.
    const newOnly = repository(new SecretSeal(newKey));
    for (const id of [...ids.old, ids.clear]) {
      expect(await storedSecret(id)).toMatch(/^sealed:v1:/);
      expect(await newOnly.secretOf(ORG, id)).toBe(`whsec_${id}`);
    }
    await expect(repository(new SecretSeal(oldKey)).secretOf(ORG, ids.old[0])).rejects.toMatchObject({
      code: 'SECRET_CANNOT_OPEN',
    });
  }, 60_000);

  it('leaves secrets already on the current key alone when run again, and exits 0 once every secret opens', async () => {
    const before = await storedSecret(ids.old[0]);
    const run = await reseal({
      WEBHOOK_SECRET_KEY: newKey.toString('hex'),
      WEBHOOK_SECRET_PREVIOUS_KEYS: `${oldKey.toString('hex')},${strangerKey.toString('hex')}`,
    });
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual({ resealed: 1, current: 4, unopened: [] });
    expect(await storedSecret(ids.old[0])).toBe(before);
    expect(await repository(new SecretSeal(newKey)).secretOf(ORG, ids.stranger)).toBe(`whsec_${ids.stranger}`);
  }, 60_000);

  it('refuses to run without a current key, or with a previous key of the wrong size, changing nothing', async () => {
    const before = await storedSecret(ids.clear);
    const noKey = await reseal({});
    expect({ code: noKey.code, stdout: noKey.stdout }).toEqual({ code: 2, stdout: '' });
    expect(noKey.stderr).toContain('WEBHOOK_SECRET_KEY is empty');
    const badPrevious = await reseal({
      WEBHOOK_SECRET_KEY: newKey.toString('hex'),
      WEBHOOK_SECRET_PREVIOUS_KEYS: 'c2hvcnQ=',
    });
    expect(badPrevious.code).toBe(1);
    expect(badPrevious.stderr).toContain('WEBHOOK_SECRET_PREVIOUS_KEYS: key 1 must hold exactly 32 bytes');
    expect(await storedSecret(ids.clear)).toBe(before);
  }, 60_000);
});
