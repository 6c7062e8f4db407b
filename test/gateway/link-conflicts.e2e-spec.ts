import { mintDevToken } from '@passerelle/auth';
import type { EoServiceRecord, components } from '@passerelle/contracts';
import { eoAdapterApp } from '../../apps/eo-adapter/src/eo-adapter.app';
import { owAdapterApp } from '../../apps/ow-adapter/src/ow-adapter.app';
import { referralTrackerApp } from '../../apps/referral-tracker/src/referral-tracker.app';
import { readFixture, taggedReferral } from '../support/client-path';
import { useGatewayStack } from '../support/gateway-stack';
import { readRecordsUntil, testKafka, waitFor } from '../support/kafka';

type LinkConflictPage = components['schemas']['LinkConflictPage'];
type LinkConflict = components['schemas']['LinkConflict'];
type AuditPage = components['schemas']['AuditPage'];

const PROVIDER = 'eo:provider-conflicts';

/**
 * Identity-link conflicts on the real pipeline (gateway, adapters, tracker, Kafka, PostgreSQL): a
 * Sudbury referral links a SAMS member id, a CaMS record founds another client under its client
 * reference number, then a CaMS record names both ids. The conflict is listed to Sudbury alone,
 * resolved once (linked, or kept apart), audited, and later records follow the decision.
 */
describe('link conflicts: GET /v1/clients/conflicts, POST /v1/clients/conflicts/{id}/resolve', () => {
  const stack = useGatewayStack('t_conflicts', [owAdapterApp, eoAdapterApp, referralTrackerApp]);
  const { config } = stack;
  let sudbury: string;
  let toronto: string;
  let provider: string;

  const get = (path: string, token = sudbury) => stack.http().get(path).set('authorization', `Bearer ${token}`);
  const post = (path: string, token: string, key: string, body: unknown) =>
    stack
      .http()
      .post(path)
      .set('authorization', `Bearer ${token}`)
      .set('idempotency-key', key)
      .send(body as object);

  /** A CaMS record of this provider, with only the ids given (no referral answer). */
  const camsRecord = (id: string, version: number, crn: string, samsMemberId?: string): EoServiceRecord => {
    const base = readFixture('eo-service-record/eloise-cote-tremblay-accepted.json');
    const { samsMemberId: _sams, ...personal } = base.personal;
    const { referralResponse: _answer, ...rest } = base;
    return {
      ...rest,
      sourceRecordId: id,
      recordVersion: version,
      provider: { ...base.provider, providerId: PROVIDER.slice('eo:'.length) },
      personal: { ...personal, clientReferenceNumber: crn, ...(samsMemberId !== undefined && { samsMemberId }) },
      benefitsIssued: base.benefitsIssued?.map((b) => ({ ...b, benefitId: `${b.benefitId}-${id}` })),
    };
  };
  /** The canonical service events of a record version, once the adapter published them. */
  const publishedEventsOf = async (recordId: string, version: number) => {
    const mine = (value: Buffer | null) => {
      const data = JSON.parse(value?.toString() ?? '{}') as { source?: { recordId: string; recordVersion: number } };
      return data.source?.recordId === recordId && data.source.recordVersion === version;
    };
    const records = await readRecordsUntil(
      testKafka(),
      `${stack.prefix}service-events.v1`,
      (rs) => rs.some((r) => mine(r.value)),
      60_000,
    );
    return records.filter((r) => mine(r.value)).map((r) => JSON.parse(r.value!.toString()) as { clientId: string });
  };
  /** Sudbury's member `memberId` and the provider's `crn` founded as two clients, then a record naming both. */
  const conflictOf = async (tag: string, memberId: string, crn: string): Promise<LinkConflict> => {
    const referral = taggedReferral('ow-case-record/eloise-cote-tremblay-referral.json', tag, memberId);
    await post('/v1/referrals', sudbury, `${tag}-referral`, referral).expect(202);
    await post('/v1/provider/service-records', provider, `${tag}-1`, camsRecord(`${tag}-1`, 1, crn)).expect(202);
    await publishedEventsOf(`${tag}-1`, 1);
    await post('/v1/provider/service-records', provider, `${tag}-2`, camsRecord(`${tag}-2`, 1, crn, memberId)).expect(
      202,
    );
    const page = await waitFor(
      async () => {
        const r = (await get('/v1/clients/conflicts?status=open').expect(200)).body as LinkConflictPage;
        return r.items.find((c) => c.source.recordId === `${tag}-2`);
      },
      60_000,
      `conflict of ${tag}`,
    );
    return page;
  };
  const clientOf = (conflict: LinkConflict, system: string): string =>
    conflict.sourceIds.find((s) => s.system === system)!.clientId;

  beforeAll(async () => {
    sudbury = await mintDevToken(
      { org: 'ow:greater-sudbury', scopes: ['referrals:write', 'clients:read', 'clients:write', 'audit:read'] },
      config,
    );
    toronto = await mintDevToken({ org: 'ow:toronto', scopes: ['clients:read', 'clients:write'] }, config);
    provider = await mintDevToken({ org: PROVIDER, scopes: ['provider:write', 'clients:read'] }, config);
  }, 60_000);

  it('lists the conflict to the referrer involved, links it once, and later records follow the link', async () => {
    const conflict = await conflictOf('cfl-a', '104558251', '300000251');
    expect(conflict).toMatchObject({
      status: 'open',
      source: { system: 'cams', recordId: 'cfl-a-2' },
      sourceIds: expect.arrayContaining([
        expect.objectContaining({ system: 'sams', sourceId: '104558251' }),
        expect.objectContaining({ system: 'cams', sourceId: '300000251' }),
      ]),
    });
    const samsClient = clientOf(conflict, 'sams');
    expect([...conflict.clientIds].sort()).toEqual([samsClient, clientOf(conflict, 'cams')].sort());

    // Tenancy: another referrer sees none and cannot resolve it; a provider may not call at all.
    expect(((await get('/v1/clients/conflicts', toronto).expect(200)).body as LinkConflictPage).items).toEqual([]);
    const resolvePath = `/v1/clients/conflicts/${conflict.conflictId}/resolve`;
    await post(resolvePath, toronto, 'cfl-a-toronto', { resolution: 'keep-apart' }).expect(404);
    await get('/v1/clients/conflicts', provider).expect(403);

    const resolved = await post(resolvePath, sudbury, 'cfl-a-link', { resolution: 'link', clientId: samsClient });
    expect(resolved.status).toBe(200);
    expect(resolved.body).toMatchObject({ status: 'linked', resolvedTo: samsClient, resolvedBy: 'ow:greater-sudbury' });
    const again = await post(resolvePath, sudbury, 'cfl-a-again', { resolution: 'keep-apart' }).expect(409);
    expect(again.body).toMatchObject({ type: '/v1/problems/link-conflict-already-resolved', status: 409 });

    // The CaMS id now belongs to the chosen client: the conflicting record's next version is published under it.
    await post(
      '/v1/provider/service-records',
      provider,
      'cfl-a-2v2',
      camsRecord('cfl-a-2', 2, '300000251', '104558251'),
    ).expect(202);
    const events = await publishedEventsOf('cfl-a-2', 2);
    expect(new Set(events.map((e) => e.clientId))).toEqual(new Set([samsClient]));

    const audit = (await get('/v1/audit').expect(200)).body as AuditPage;
    const resource = `client-link-conflict/${conflict.conflictId}`;
    expect(audit.items.filter((e) => e.resource === resource).map((e) => e.action)).toEqual(
      expect.arrayContaining(['read', 'write']),
    );
  });

  it('keeps two clients apart once asked: the same record no longer raises the conflict', async () => {
    const conflict = await conflictOf('cfl-b', '104558252', '300000252');
    const camsClient = clientOf(conflict, 'cams');
    const path = `/v1/clients/conflicts/${conflict.conflictId}/resolve`;
    const kept = await post(path, sudbury, 'cfl-b-apart', { resolution: 'keep-apart' }).expect(200);
    expect(kept.body).toMatchObject({ status: 'kept-apart', resolvedBy: 'ow:greater-sudbury' });
    expect(kept.body).not.toHaveProperty('resolvedTo');

    // Its next version belongs to the client of its own CaMS id, and raises nothing new.
    await post(
      '/v1/provider/service-records',
      provider,
      'cfl-b-2v2',
      camsRecord('cfl-b-2', 2, '300000252', '104558252'),
    ).expect(202);
    const events = await publishedEventsOf('cfl-b-2', 2);
    expect(new Set(events.map((e) => e.clientId))).toEqual(new Set([camsClient]));
    const all = (await get('/v1/clients/conflicts').expect(200)).body as LinkConflictPage;
    expect(all.items.filter((c) => c.clientIds.includes(camsClient)).map((c) => c.status)).toEqual(['kept-apart']);
    expect(((await get('/v1/clients/conflicts?status=open').expect(200)).body as LinkConflictPage).items).toEqual([]);
  });

  it('refuses a bad decision with a problem naming the field', async () => {
    const conflict = await conflictOf('cfl-c', '104558253', '300000253');
    const path = `/v1/clients/conflicts/${conflict.conflictId}/resolve`;
    const pointers = (res: { body: unknown }) =>
      (res.body as { errors: Array<{ pointer: string }> }).errors.map((e) => e.pointer);
    expect(pointers(await post(path, sudbury, 'cfl-c-1', { resolution: 'merge' }).expect(400))).toEqual([
      '/resolution',
    ]);
    expect(pointers(await post(path, sudbury, 'cfl-c-2', { resolution: 'link' }).expect(400))).toEqual(['/clientId']);
    const stranger = { resolution: 'link', clientId: crypto.randomUUID() };
    const notCandidate = await post(path, sudbury, 'cfl-c-3', stranger).expect(422);
    expect(notCandidate.body).toMatchObject({ type: '/v1/problems/link-conflict-client-not-candidate' });
    expect(pointers(notCandidate)).toEqual(['/clientId']);
    const both = { resolution: 'keep-apart', clientId: conflict.clientIds[0] };
    expect(pointers(await post(path, sudbury, 'cfl-c-4', both).expect(422))).toEqual(['/clientId']);
    await post(`/v1/clients/conflicts/${crypto.randomUUID()}/resolve`, sudbury, 'cfl-c-5', {
      resolution: 'keep-apart',
    }).expect(404);
    // None of it decided anything.
    const open = (await get('/v1/clients/conflicts?status=open').expect(200)).body as LinkConflictPage;
    expect(open.items.map((c) => c.conflictId)).toEqual([conflict.conflictId]);
  });
});
