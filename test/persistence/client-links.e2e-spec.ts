import { ClientLinkRegistry, clientIdFor, type DatabaseHandle, type SourceIdentity } from '@passerelle/persistence';
import { dropSuiteDatabase, openSuiteDatabase } from '../support/database';

describe('ClientLinkRegistry on PostgreSQL', () => {
  let database: DatabaseHandle;
  let registry: ClientLinkRegistry;

  beforeAll(async () => {
    database = await openSuiteDatabase('links');
    registry = new ClientLinkRegistry(database.db);
  });
  afterAll(async () => {
    await dropSuiteDatabase(database);
  });

  const sams = (id: string): SourceIdentity => ({ system: 'sams', id });
  const cams = (id: string): SourceIdentity => ({ system: 'cams', id });
  const odsp = (id: string): SourceIdentity => ({ system: 'odsp', id });

  it('creates one client per new person, with an id derived from the founding identity', async () => {
    const first = await registry.resolve([sams('M-100')]);
    expect(first).toEqual({ outcome: 'linked', clientId: clientIdFor(sams('M-100')), created: true, newLinks: [sams('M-100')] });
    const again = await registry.resolve([sams('M-100')]);
    expect(again).toEqual({ outcome: 'linked', clientId: clientIdFor(sams('M-100')), created: false, newLinks: [] });
  });

  it('links ids from other networks to the same client, never merging two clients', async () => {
    const a = await registry.resolve([sams('M-200')]);
    const withCams = await registry.resolve([cams('CRN-9'), sams('M-200')]);
    const withOdsp = await registry.resolve([odsp('O-5'), cams('CRN-9')]);
    expect(a.outcome === 'linked' && withCams.outcome === 'linked' && withOdsp.outcome === 'linked').toBe(true);
    if (a.outcome !== 'linked' || withCams.outcome !== 'linked' || withOdsp.outcome !== 'linked') return;
    expect(withCams.clientId).toBe(a.clientId);
    expect(withCams.newLinks).toEqual([cams('CRN-9')]);
    expect(withOdsp.clientId).toBe(a.clientId);
    expect(await registry.identitiesOf(a.clientId)).toEqual([cams('CRN-9'), odsp('O-5'), sams('M-200')]);
  });

  it('reports a record whose ids belong to two clients as a conflict, and changes nothing', async () => {
    const a = await registry.resolve([sams('M-300'), cams('CRN-30')]);
    const b = await registry.resolve([sams('M-301')]);
    if (a.outcome !== 'linked' || b.outcome !== 'linked') throw new Error('setup failed');
    const conflict = await registry.resolve([sams('M-301'), cams('CRN-30'), odsp('O-99')]);
    expect(conflict.outcome).toBe('conflict');
    if (conflict.outcome !== 'conflict') return;
    expect(conflict.candidates.map((c) => c.clientId).sort()).toEqual([a.clientId, b.clientId].sort());
    expect(conflict.candidates.find((c) => c.clientId === b.clientId)!.identities).toEqual([sams('M-301')]);
    // Nothing was linked by the conflicting record: not even its unknown ODSP id.
    expect(await registry.identitiesOf(a.clientId)).toEqual([cams('CRN-30'), sams('M-300')]);
    expect(await registry.identitiesOf(b.clientId)).toEqual([sams('M-301')]);
  });

  it('gives every concurrent adapter the same client for the same person, without deadlocks', async () => {
    const people = [0, 1, 2, 3, 4].map((n) => [sams(`M-4${n}`), cams(`CRN-4${n}`), odsp(`O-4${n}`)]);
    const calls = Array.from({ length: 60 }, (_, i) => {
      const ids = people[i % people.length];
      // Each call sees a different subset and order of the person's ids.
      const subset = [ids[i % 3], ids[(i + 1 + (i % 2)) % 3]];
      return registry.resolve(i % 2 ? subset.reverse() : subset);
    });
    const results = await Promise.all(calls);
    expect(results.every((r) => r.outcome === 'linked')).toBe(true);
    for (const [p, ids] of people.entries()) {
      const clientIds = new Set(results.filter((_, i) => i % people.length === p).map((r) => (r.outcome === 'linked' ? r.clientId : '')));
      expect(clientIds.size).toBe(1);
      const [clientId] = clientIds;
      expect((await registry.identitiesOf(clientId)).length).toBe(3);
      expect(ids.length).toBe(3);
    }
  });

  it('refuses a record with no identity, or an incomplete one', async () => {
    await expect(registry.resolve([])).rejects.toThrow('at least one source identity');
    await expect(registry.resolve([{ system: 'sams', id: '' }])).rejects.toThrow('incomplete source identity');
  });
});
