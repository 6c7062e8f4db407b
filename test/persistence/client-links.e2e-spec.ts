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
    expect(first).toEqual({
      outcome: 'linked',
      clientId: clientIdFor(sams('M-100')),
      created: true,
      newLinks: [sams('M-100')],
    });
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
      const clientIds = new Set(
        results.filter((_, i) => i % people.length === p).map((r) => (r.outcome === 'linked' ? r.clientId : '')),
      );
      expect(clientIds.size).toBe(1);
      const [clientId] = clientIds;
      expect((await registry.identitiesOf(clientId)).length).toBe(3);
      expect(ids.length).toBe(3);
    }
  });

  it('resolves a batch of records in one transaction exactly as one by one, later records seeing earlier links', async () => {
    const before = await registry.resolve([sams('M-500'), cams('CRN-50')]);
    if (before.outcome !== 'linked') throw new Error('setup failed');
    const batch = await registry.resolveMany([
      [sams('M-600')],
      [sams('M-600'), cams('CRN-60')],
      [odsp('O-60'), cams('CRN-60')],
      [sams('M-600'), cams('CRN-50')],
      [sams('M-500')],
    ]);
    const founded = clientIdFor(sams('M-600'));
    expect(batch[0]).toEqual({ outcome: 'linked', clientId: founded, created: true, newLinks: [sams('M-600')] });
    expect(batch[1]).toEqual({ outcome: 'linked', clientId: founded, created: false, newLinks: [cams('CRN-60')] });
    expect(batch[2]).toEqual({ outcome: 'linked', clientId: founded, created: false, newLinks: [odsp('O-60')] });
    // Links made earlier in the same batch count: M-600 is the batch's client, CRN-50 another's.
    expect(batch[3].outcome).toBe('conflict');
    if (batch[3].outcome === 'conflict') {
      expect(batch[3].candidates.map((c) => c.clientId).sort()).toEqual([before.clientId, founded].sort());
    }
    expect(batch[4]).toEqual({ outcome: 'linked', clientId: before.clientId, created: false, newLinks: [] });
    expect(await registry.identitiesOf(founded)).toEqual([cams('CRN-60'), odsp('O-60'), sams('M-600')]);
    expect(await registry.identitiesOf(before.clientId)).toEqual([cams('CRN-50'), sams('M-500')]);
  });

  it('lets concurrent batches that share people (in any order) finish without deadlock and agree', async () => {
    const people = Array.from({ length: 40 }, (_, n) => [sams(`M-7${n}`), cams(`CRN-7${n}`)]);
    const batches = [0, 1, 2, 3].map((b) => {
      const order = b % 2 === 0 ? people : [...people].reverse();
      return registry.resolveMany(order.map((ids) => (b < 2 ? ids : [...ids].reverse())));
    });
    const results = (await Promise.all(batches)).flat();
    expect(results.every((r) => r.outcome === 'linked')).toBe(true);
    for (const ids of people) {
      const [clientId, ...others] = await Promise.all(ids.map((i) => registry.resolve([i])));
      expect(
        clientId.outcome === 'linked' &&
          others.every((o) => o.outcome === 'linked' && o.clientId === clientId.clientId),
      ).toBe(true);
    }
    expect(await registry.resolveMany([])).toEqual([]);
  });

  it('refuses a record with no identity, or an incomplete one', async () => {
    await expect(registry.resolve([])).rejects.toThrow('at least one source identity');
    await expect(registry.resolve([{ system: 'sams', id: '' }])).rejects.toThrow('incomplete source identity');
    // One bad record in a batch fails the batch before anything is linked.
    await expect(registry.resolveMany([[sams('M-800')], []])).rejects.toThrow('at least one source identity');
    expect(await registry.identitiesOf(clientIdFor(sams('M-800')))).toEqual([]);
  });
});
