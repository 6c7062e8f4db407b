import { HttpException } from '@nestjs/common';
import type { Principal } from '@passerelle/auth';
import type { ClientLinkRegistry, ConflictDecision, ConflictResolution, LinkConflict } from '@passerelle/persistence';
import { problemOf } from '../../../../test/support/gateway-use-cases';
import { conflictPageQuery, encodeConflictCursor } from './conflict-query';
import { linkConflictView } from './link-conflict-view';
import { ResolveLinkConflict, decisionOf } from './resolve-link-conflict';

const A = '1f2e3d4c-5b6a-5978-8a9b-0c1d2e3f4a5b';
const B = '8d7c6b5a-4e3f-5a2b-9c1d-0e9f8a7b6c5d';
const ID = '3e5a7c9b-2d4f-5a6b-8c0d-1e2f3a4b5c6d';
const caller = { org: 'ow:greater-sudbury', subject: 'caseworker-1' } as Principal;
const open: LinkConflict = {
  conflictId: ID,
  involvedOrgs: ['eo:provider-7', 'ow:greater-sudbury'],
  clientId: A,
  conflictingClientId: B,
  identities: [
    { system: 'sams', id: '10234567', clientId: A },
    { system: 'cams', id: '300012345', clientId: B },
  ],
  source: { system: 'cams', recordId: 'EO-SR-1' },
  detectedAt: '2025-10-03T16:20:00.000000Z',
  resolution: null,
  resolvedTo: null,
  resolvedBy: null,
  resolvedAt: null,
};

/** The registry's conflict part, in memory: what the use case sees of it. */
function registry(conflict: LinkConflict | undefined, raced?: ConflictResolution) {
  const decisions: ConflictDecision[] = [];
  const links = {
    conflictOf: (org: string) =>
      Promise.resolve(conflict && conflict.involvedOrgs.includes(org) ? conflict : undefined),
    resolveConflict: (_id: string, decision: ConflictDecision, by: string): Promise<ConflictResolution> => {
      decisions.push(decision);
      if (raced) return Promise.resolve(raced);
      const resolvedTo = decision.resolution === 'linked' ? decision.clientId : null;
      const resolvedAt = new Date('2025-10-04T09:12:44.120Z');
      return Promise.resolve({
        outcome: 'resolved',
        conflict: { ...conflict!, resolution: decision.resolution, resolvedTo, resolvedBy: by, resolvedAt },
      });
    },
  };
  return { useCase: new ResolveLinkConflict(links as unknown as ClientLinkRegistry), decisions };
}

const fieldsOf = (run: () => unknown): string[] => {
  try {
    run();
  } catch (error) {
    const body = (error as HttpException).getResponse() as { errors: Array<{ pointer: string }> };
    return [String((error as HttpException).getStatus()), ...body.errors.map((e) => e.pointer)];
  }
  return [];
};

describe('decisionOf (the body of a resolution, checked against its conflict)', () => {
  it('links under one of the two clients, in any case of letters, or keeps them apart', () => {
    expect(decisionOf(open, { resolution: 'link', clientId: B.toUpperCase() })).toEqual({
      resolution: 'linked',
      clientId: B,
    });
    expect(decisionOf(open, { resolution: 'keep-apart' })).toEqual({ resolution: 'kept-apart' });
  });

  it('refuses any other client, and a client with keep-apart, naming /clientId (422)', () => {
    const stranger = '00000000-0000-5000-8000-000000000000';
    expect(fieldsOf(() => decisionOf(open, { resolution: 'link', clientId: stranger }))).toEqual(['422', '/clientId']);
    expect(fieldsOf(() => decisionOf(open, { resolution: 'link' }))).toEqual(['422', '/clientId']);
    expect(fieldsOf(() => decisionOf(open, { resolution: 'keep-apart', clientId: A }))).toEqual(['422', '/clientId']);
  });
});

describe('ResolveLinkConflict', () => {
  it('resolves an open conflict once and audits the decision with the answer', async () => {
    const { useCase, decisions } = registry(open);
    const answer = await useCase.execute(caller, ID, { resolution: 'link', clientId: A });
    expect(decisions).toEqual([{ resolution: 'linked', clientId: A }]);
    expect(answer.body).toMatchObject({ status: 'linked', resolvedTo: A, resolvedBy: 'ow:greater-sudbury' });
    expect(answer.extras.effects?.audit).toEqual([
      {
        org: 'ow:greater-sudbury',
        subject: 'caseworker-1',
        action: 'write',
        resource: `client-link-conflict/${ID}`,
        purpose: 'identity-link',
        clientId: A,
      },
    ]);
  });

  it('answers 404 to an organization not involved, exactly as to a missing conflict', async () => {
    const { useCase, decisions } = registry(open);
    const toronto = { ...caller, org: 'ow:toronto' };
    expect(await problemOf(useCase.execute(toronto, ID, { resolution: 'keep-apart' }))).toEqual({
      status: 404,
      detail: 'no such link conflict',
    });
    expect(
      (await problemOf(registry(undefined).useCase.execute(caller, ID, { resolution: 'keep-apart' }))).status,
    ).toBe(404);
    expect(decisions).toEqual([]);
  });

  it('answers 409 once resolved, whether seen first or lost in a race', async () => {
    const resolved = {
      ...open,
      resolution: 'kept-apart' as const,
      resolvedBy: 'ow:greater-sudbury',
      resolvedAt: new Date(0),
    };
    const seen = registry(resolved);
    expect(await problemOf(seen.useCase.execute(caller, ID, { resolution: 'keep-apart' }))).toEqual({
      status: 409,
      detail: 'the conflict was already resolved (kept-apart) by ow:greater-sudbury on 1970-01-01T00:00:00.000Z',
    });
    expect(seen.decisions).toEqual([]);
    const raced = registry(open, { outcome: 'already-resolved', conflict: resolved });
    expect((await problemOf(raced.useCase.execute(caller, ID, { resolution: 'keep-apart' }))).status).toBe(409);
  });
});

describe('the conflict list', () => {
  it('shows a conflict with its two clients, its ids and where it stands', () => {
    expect(linkConflictView(open)).toEqual({
      conflictId: ID,
      clientIds: [A, B],
      sourceIds: [
        { system: 'sams', sourceId: '10234567', clientId: A },
        { system: 'cams', sourceId: '300012345', clientId: B },
      ],
      source: { system: 'cams', recordId: 'EO-SR-1' },
      detectedAt: '2025-10-03T16:20:00.000000Z',
      status: 'open',
    });
  });

  it('checks its query: status, limit and a cursor it gave', () => {
    const cursor = encodeConflictCursor({ detectedAt: open.detectedAt, conflictId: ID });
    expect(conflictPageQuery({ status: 'open', limit: '10', cursor })).toEqual({
      open: true,
      limit: 10,
      cursor: { detectedAt: open.detectedAt, conflictId: ID },
    });
    expect(conflictPageQuery({})).toEqual({ limit: 50 });
    expect(fieldsOf(() => conflictPageQuery({ status: 'closed', limit: '500', cursor: 'x' }))).toEqual([
      '400',
      '/status',
      '/limit',
      '/cursor',
    ]);
  });
});
