import { ClientLinkRegistry, type DatabaseHandle, type LinkOrigin, type SourceIdentity } from '@passerelle/persistence';
import { dropSuiteDatabase, openSuiteDatabase } from '../support/database';

/** Conflicts kept where they are found, and a person's decision on them, on PostgreSQL. */
describe('ClientLinkRegistry: link conflicts', () => {
  let database: DatabaseHandle;
  let registry: ClientLinkRegistry;

  beforeAll(async () => {
    database = await openSuiteDatabase('link_conflicts');
    registry = new ClientLinkRegistry(database.db);
  });
  afterAll(async () => {
    await dropSuiteDatabase(database);
  });

  const sams = (id: string): SourceIdentity => ({ system: 'sams', id });
  const cams = (id: string): SourceIdentity => ({ system: 'cams', id });
  const origin = (org: string, recordId: string): LinkOrigin => ({
    org,
    system: org.startsWith('eo:') ? 'cams' : 'sams',
    recordId,
    recordedAt: '2025-10-14T20:45:00.000Z',
  });
  /** A SAMS member linked by Sudbury and a CaMS number founded by a provider: two clients. */
  const twoClients = async (n: number) => {
    const ow = await registry.resolve([sams(`M-${n}`)], undefined, origin('ow:greater-sudbury', `OW-${n}`));
    const eo = await registry.resolve([cams(`CRN-${n}`)], undefined, origin('eo:provider-7', `EO-${n}-1`));
    if (ow.outcome !== 'linked' || eo.outcome !== 'linked') throw new Error('setup failed');
    return { samsClient: ow.clientId, camsClient: eo.clientId };
  };
  const bothIds = (n: number) => [cams(`CRN-${n}`), sams(`M-${n}`)];
  const openConflictOf = async (recordId: string) =>
    (await registry.conflictsOf('ow:greater-sudbury', { open: true, limit: 10 })).conflicts.filter(
      (c) => c.source.recordId === recordId,
    );

  it('keeps a conflict once, for the organizations whose records linked its ids, in the same transaction', async () => {
    const { samsClient, camsClient } = await twoClients(1);
    const first = await registry.resolve(bothIds(1), undefined, origin('eo:provider-7', 'EO-1-2'));
    const again = await registry.resolve(bothIds(1), undefined, origin('eo:provider-7', 'EO-1-2'));
    expect([first.outcome, again.outcome]).toEqual(['conflict', 'conflict']);
    const { conflicts } = await registry.conflictsOf('ow:greater-sudbury', { limit: 10 });
    expect(conflicts).toHaveLength(1);
    expect(conflicts[0]).toMatchObject({
      involvedOrgs: ['eo:provider-7', 'ow:greater-sudbury'],
      source: { system: 'cams', recordId: 'EO-1-2' },
      resolution: null,
    });
    expect([conflicts[0].clientId, conflicts[0].conflictingClientId].sort()).toEqual([samsClient, camsClient].sort());
    expect((await registry.conflictsOf('ow:toronto', { limit: 10 })).conflicts).toEqual([]);
    expect(await registry.conflictOf('ow:toronto', conflicts[0].conflictId)).toBeUndefined();
    // Rolled back with the transaction that found it.
    await expect(
      database.db.transaction().execute(async (trx) => {
        await registry.resolve([cams('CRN-1'), sams('M-1'), sams('M-NEW')], trx, origin('eo:provider-7', 'EO-1-3'));
        throw new Error('the batch failed');
      }),
    ).rejects.toThrow('the batch failed');
    expect((await registry.conflictsOf('eo:provider-7', { limit: 10 })).conflicts).toHaveLength(1);
  });

  it('links: the ids in conflict move to the chosen client, and the record resolves to it', async () => {
    const { samsClient, camsClient } = await twoClients(2);
    await registry.resolve(bothIds(2), undefined, origin('eo:provider-7', 'EO-2-2'));
    const [conflict] = await openConflictOf('EO-2-2');
    const result = await registry.resolveConflict(
      conflict.conflictId,
      { resolution: 'linked', clientId: samsClient },
      'ow:greater-sudbury',
    );
    expect(result).toMatchObject({
      outcome: 'resolved',
      conflict: { resolution: 'linked', resolvedTo: samsClient, resolvedBy: 'ow:greater-sudbury' },
    });
    expect(await registry.identitiesOf(samsClient)).toEqual([cams('CRN-2'), sams('M-2')]);
    expect(await registry.identitiesOf(camsClient)).toEqual([]);
    expect(await registry.resolve(bothIds(2))).toMatchObject({ outcome: 'linked', clientId: samsClient });
    const twice = await registry.resolveConflict(conflict.conflictId, { resolution: 'kept-apart' }, 'ow:x');
    expect(twice).toMatchObject({ outcome: 'already-resolved', conflict: { resolution: 'linked' } });
    expect(await registry.resolveConflict(crypto.randomUUID(), { resolution: 'kept-apart' }, 'ow:x')).toEqual({
      outcome: 'not-found',
    });
  });

  it('keeps apart: every link stays, and a record naming both is its first linked id’s, without a new conflict', async () => {
    const { samsClient, camsClient } = await twoClients(3);
    await registry.resolve(bothIds(3), undefined, origin('eo:provider-7', 'EO-3-2'));
    const [conflict] = await openConflictOf('EO-3-2');
    await registry.resolveConflict(conflict.conflictId, { resolution: 'kept-apart' }, 'ow:greater-sudbury');
    const later = await registry.resolve([...bothIds(3), { system: 'odsp', id: 'O-3' }], undefined, {
      ...origin('eo:provider-7', 'EO-3-9'),
    });
    expect(later).toMatchObject({ outcome: 'linked', clientId: camsClient, newLinks: [{ system: 'odsp', id: 'O-3' }] });
    expect(await registry.identitiesOf(samsClient)).toEqual([sams('M-3')]);
    expect(await openConflictOf('EO-3-2')).toEqual([]);
    expect(await openConflictOf('EO-3-9')).toEqual([]);
  });

  it('pages an organization’s conflicts newest first without skipping or repeating', async () => {
    const all = (await registry.conflictsOf('eo:provider-7', { limit: 10 })).conflicts;
    expect(all.length).toBeGreaterThanOrEqual(3);
    const seen: string[] = [];
    let cursor: { detectedAt: string; conflictId: string } | undefined;
    for (;;) {
      const page = await registry.conflictsOf('eo:provider-7', { limit: 1, ...(cursor && { cursor }) });
      seen.push(...page.conflicts.map((c) => c.conflictId));
      if (!page.more) break;
      cursor = page.conflicts[0];
    }
    expect(seen).toEqual(all.map((c) => c.conflictId));
    expect((await registry.conflictsOf('eo:provider-7', { open: false, limit: 10 })).conflicts).toHaveLength(2);
  });
});
